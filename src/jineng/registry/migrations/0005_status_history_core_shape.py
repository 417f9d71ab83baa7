"""Organization status history in core's one history shape (core.history.StatusHistoryEntry):
`status` → `to_status`, `recorded_at` → `at`, `recorded_by` → `actor_username`; new `action`,
`from_status` (filled from each organization's previous entry), `actor` (filled where the
recorded username is a user's) and `note`. Existing rows are kept; reversible."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# The action of an entry by the status it led to (the first entry of an organization is its
# registration).
ACTIONS = {"listed": "reinstate", "suspended": "suspend", "revoked": "revoke"}


def fill_from_status(apps, schema_editor):
    Change = apps.get_model("registry", "OrganizationStatusChange")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    users = dict(User.objects.values_list("username", "pk"))
    previous: dict[int, str] = {}
    batch = []
    # The order the changes were applied in (each one checked against the status it left).
    for change in Change.objects.order_by("organization_id", "id").iterator(chunk_size=2000):
        before = previous.get(change.organization_id)
        change.from_status = before or ""
        change.action = ACTIONS.get(change.to_status, "") if before else "register"
        change.actor_id = users.get(change.actor_username)
        previous[change.organization_id] = change.to_status
        batch.append(change)
        if len(batch) >= 2000:
            Change.objects.bulk_update(batch, ["from_status", "action", "actor"])
            batch = []
    if batch:
        Change.objects.bulk_update(batch, ["from_status", "action", "actor"])


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0004_person_merge"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("organizationstatuschange", "status", "to_status"),
        migrations.RenameField("organizationstatuschange", "recorded_at", "at"),
        migrations.RenameField("organizationstatuschange", "recorded_by", "actor_username"),
        migrations.AlterField(
            model_name="organizationstatuschange", name="to_status",
            field=models.CharField(choices=[("listed", "Listed"), ("suspended", "Suspended"),
                                            ("revoked", "Revoked")],
                                   max_length=20, verbose_name="status"),
        ),
        migrations.AlterField(
            model_name="organizationstatuschange", name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now,
                                       verbose_name="time"),
        ),
        migrations.AlterField(
            model_name="organizationstatuschange", name="actor_username",
            field=models.CharField(blank=True, max_length=150, verbose_name="by"),
        ),
        migrations.AlterField(
            model_name="organizationstatuschange", name="effective_date",
            field=models.DateField(blank=True, null=True, verbose_name="effective date"),
        ),
        migrations.AlterField(
            model_name="organizationstatuschange", name="reason",
            field=models.TextField(blank=True, verbose_name="reason"),
        ),
        migrations.AddField(
            model_name="organizationstatuschange", name="action",
            field=models.CharField(blank=True, max_length=20, verbose_name="action"),
        ),
        migrations.AddField(
            model_name="organizationstatuschange", name="from_status",
            field=models.CharField(blank=True, choices=[("listed", "Listed"),
                                                        ("suspended", "Suspended"),
                                                        ("revoked", "Revoked")],
                                   max_length=20, verbose_name="from"),
        ),
        migrations.AddField(
            model_name="organizationstatuschange", name="actor",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL,
                                    verbose_name="by"),
        ),
        migrations.AddField(
            model_name="organizationstatuschange", name="note",
            field=models.JSONField(blank=True, default=dict, verbose_name="details"),
        ),
        # Going back, the added columns are dropped; the renamed ones keep their rows.
        migrations.RunPython(fill_from_status, migrations.RunPython.noop, elidable=False),
    ]

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0003_seed_occupations"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="merged_into",
            field=models.ForeignKey(
                blank=True, editable=False, null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_duplicates", to="registry.person",
                verbose_name="merged into"),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=models.Q(("merged_into__isnull", True),
                                   models.Q(("merged_into", models.F("pk")), _negated=True),
                                   _connector="OR"),
                name="person_not_merged_into_itself"),
        ),
        migrations.CreateModel(
            name="PersonMerge",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("reason", models.TextField(verbose_name="reason")),
                ("merged_by", models.CharField(max_length=150, verbose_name="merged by")),
                ("merged_at", models.DateTimeField(auto_now_add=True, verbose_name="merged")),
                ("moved", models.JSONField(blank=True, default=dict,
                                           verbose_name="records moved")),
                ("duplicate", models.OneToOneField(
                    on_delete=django.db.models.deletion.PROTECT, related_name="merge",
                    to="registry.person", verbose_name="duplicate")),
                ("survivor", models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT, related_name="merges",
                    to="registry.person", verbose_name="survivor")),
            ],
            options={
                "verbose_name": "person merge",
                "verbose_name_plural": "person merges",
                "ordering": ["-merged_at", "-id"],
                "constraints": [models.CheckConstraint(
                    condition=models.Q(("duplicate", models.F("survivor")), _negated=True),
                    name="person_merge_two_persons")],
            },
        ),
    ]

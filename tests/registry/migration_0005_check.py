"""Run registry migration 0005 (status history in core's shape) on a database with rows, forward
and back. Run as a script against its own database (DATABASE_URL), never the test database:
migrating back and forth is not possible inside a test's transaction.

    DATABASE_URL=sqlite:////tmp/m.db python tests/registry/migration_0005_check.py

Prints OK or raises AssertionError. tests/registry/test_migrations.py runs it on a fresh SQLite
file (and on PostgreSQL when the tests run there)."""

from __future__ import annotations

import datetime as dt
import os

import django

BEFORE = [("registry", "0004_person_merge")]
AFTER = [("registry", "0005_status_history_core_shape")]


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    # Everything else at its latest, registry at 0004.
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())
    apps = migrate(BEFORE)
    region, _ = apps.get_model("registry", "Region").objects.get_or_create(
        code="520102", defaults={"name": "南明区", "level": "county"})
    Organization = apps.get_model("registry", "Organization")
    Change = apps.get_model("registry", "OrganizationStatusChange")
    User = get_user_model()  # accounts' table is current: no accounts migration follows 0004
    User.objects.create(username="m0005-staff")
    orgs = [Organization.objects.create(kind="evaluation", name=f"迁移机构{n}",
                                        credit_code=f"M0005{n:013d}", region=region,
                                        status="listed", status_since=dt.date(2024, 1, 1))
            for n in range(2)]
    steps = {0: [("listed", "m0005-staff"), ("suspended", "m0005-staff"), ("listed", "x"),
                 ("revoked", "")],
             1: [("listed", "system")]}
    for n, rows in steps.items():
        for i, (status, by) in enumerate(rows):
            Change.objects.create(organization=orgs[n], status=status, reason=f"第{i}步",
                                  effective_date=dt.date(2024, 1, 1 + i), recorded_by=by)
    old_rows = sorted(Change.objects.values_list("pk", "status", "reason", "recorded_by",
                                                 "recorded_at"))

    apps = migrate(AFTER)
    Change = apps.get_model("registry", "OrganizationStatusChange")
    staff = User.objects.get(username="m0005-staff")
    got = {org.pk: list(Change.objects.filter(organization_id=org.pk).order_by("id")
                        .values_list("action", "from_status", "to_status", "actor_id",
                                     "actor_username", "note"))
           for org in orgs}
    assert got[orgs[0].pk] == [
        ("register", "", "listed", staff.pk, "m0005-staff", {}),
        ("suspend", "listed", "suspended", staff.pk, "m0005-staff", {}),
        ("reinstate", "suspended", "listed", None, "x", {}),
        ("revoke", "listed", "revoked", None, "", {}),
    ], got[orgs[0].pk]
    assert got[orgs[1].pk] == [("register", "", "listed", None, "system", {})], got
    assert sorted(Change.objects.values_list("pk", "to_status", "reason", "actor_username",
                                             "at")) == old_rows

    apps = migrate(BEFORE)  # and back: the rows keep their values
    Change = apps.get_model("registry", "OrganizationStatusChange")
    assert sorted(Change.objects.values_list("pk", "status", "reason", "recorded_by",
                                             "recorded_at")) == old_rows
    migrate(AFTER)
    print("OK", len(old_rows), "rows", connection.vendor)


if __name__ == "__main__":
    main()

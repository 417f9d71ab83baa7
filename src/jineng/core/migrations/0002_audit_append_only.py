"""The audit table refuses UPDATE at the database level too (DELETE is refused by the model;
test-database flushes still need to empty it)."""

from django.db import migrations

SQLITE = """
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
POSTGRES = """
CREATE OR REPLACE FUNCTION core_auditevent_refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();
CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse();
"""
DROP = {
    "sqlite": "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
    "postgresql": "DROP TRIGGER IF EXISTS core_auditevent_no_update ON core_auditevent; "
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete ON core_auditevent;",
}


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    sql = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor)
    if sql:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    sql = DROP.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]

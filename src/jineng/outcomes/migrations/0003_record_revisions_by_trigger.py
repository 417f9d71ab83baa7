"""A record's earlier values become a revision in the database itself, whenever an update
changes them (ADR 0007): the import's upsert then needs no second pass over the records to find
what it corrects, and no other writer can change a record without leaving its history."""

from django.db import migrations

COLUMNS = ("record_id, employer_region_id, pension, unemployment, injury, wage_base, "
           "previous_import_id, replaced_by_id, replaced_at")
CHANGED = ("OLD.employer_region_id <> NEW.employer_region_id OR OLD.pension <> NEW.pension OR "
           "OLD.unemployment <> NEW.unemployment OR OLD.injury <> NEW.injury OR "
           "OLD.wage_base <> NEW.wage_base")
SQLITE = f"""
CREATE TRIGGER outcomes_record_revision AFTER UPDATE ON outcomes_insurancerecord
WHEN {CHANGED}
BEGIN
    INSERT INTO outcomes_insurancerecordrevision ({COLUMNS})
    VALUES (OLD.id, OLD.employer_region_id, OLD.pension, OLD.unemployment, OLD.injury,
            OLD.wage_base, OLD.source_import_id, NEW.source_import_id,
            strftime('%Y-%m-%d %H:%M:%f', 'now'));
END;
"""
POSTGRES = f"""
CREATE OR REPLACE FUNCTION outcomes_record_revision() RETURNS trigger AS $$
BEGIN
    INSERT INTO outcomes_insurancerecordrevision ({COLUMNS})
    VALUES (OLD.id, OLD.employer_region_id, OLD.pension, OLD.unemployment, OLD.injury,
            OLD.wage_base, OLD.source_import_id, NEW.source_import_id, now());
    RETURN NULL;
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER outcomes_record_revision AFTER UPDATE ON outcomes_insurancerecord
FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION outcomes_record_revision();
"""
DROP = {
    "sqlite": "DROP TRIGGER IF EXISTS outcomes_record_revision;",
    "postgresql": "DROP TRIGGER IF EXISTS outcomes_record_revision ON outcomes_insurancerecord; "
    "DROP FUNCTION IF EXISTS outcomes_record_revision();",
}


def install(apps, schema_editor):
    sql = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    sql = DROP.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_records_without_database_foreign_keys")]
    operations = [migrations.RunPython(install, remove)]

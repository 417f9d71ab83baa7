"""Deleted check-ins/outs and enrollments are recorded by a trigger (PostgreSQL; the risk scan's
event cache reads them: services/event_cache.py in supervision). One statement-level trigger
per table with its transition table: a bulk delete writes its ids in one INSERT."""

import django.db.models.functions.datetime
from django.db import migrations, models

TABLES = (("training_attendanceevent", "event"), ("training_enrollment", "enrollment"))
POSTGRES = """
CREATE OR REPLACE FUNCTION training_record_deleted_rows() RETURNS trigger AS $$
BEGIN
    INSERT INTO training_deletedrow ("table", row_id, deleted_at)
    SELECT TG_ARGV[0], id, now() FROM gone;
    RETURN NULL;
END; $$ LANGUAGE plpgsql;
""" + "".join(f"""
CREATE TRIGGER {table}_deleted AFTER DELETE ON {table} REFERENCING OLD TABLE AS gone
FOR EACH STATEMENT EXECUTE FUNCTION training_record_deleted_rows('{label}');
""" for table, label in TABLES)
DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_deleted ON {table}; "
               for table, _label in TABLES) + "DROP FUNCTION IF EXISTS training_record_deleted_rows();"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('training', '0010_attendance_online_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='DeletedRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('table', models.CharField(max_length=20, verbose_name='table')),
                ('row_id', models.BigIntegerField(verbose_name='row')),
                ('deleted_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name='deleted')),
            ],
            options={
                'verbose_name': 'deleted row',
                'verbose_name_plural': 'deleted rows',
                'indexes': [models.Index(fields=['deleted_at'], name='deleted_row_time')],
            },
        ),
        migrations.RunPython(install, remove),
    ]

# A quarterly-report figure outside numeric(14, 2) (e.g. 99999999999999999999) was accepted
# and, on SQLite, stored; every later read of its report failed. This empties such figures
# (keeping what was typed in the line's comment) and lets the database refuse them from now on.

from django.db import migrations, models

LIMIT = 10 ** 12
COLUMNS = ("reported_quarter", "reported_cumulative")


def repair_out_of_range(apps, schema_editor):
    from django.db import connection as default

    connection = schema_editor.connection if schema_editor is not None else default
    model = apps.get_model("plans", "QuarterlyReportLine")
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for column in COLUMNS:
            name = connection.ops.quote_name(column)
            # CAST AS TEXT: read the stored figure without the decimal converter that fails.
            cursor.execute(f"SELECT id, CAST({name} AS TEXT), comment FROM {table} "
                           f"WHERE {name} IS NOT NULL AND ({name} >= %s OR {name} <= %s)",
                           [LIMIT, -LIMIT])
            for pk, value, comment in cursor.fetchall():
                note = f"（原填报数 {value} 超出范围，已清空）"
                cursor.execute(f"UPDATE {table} SET {name} = NULL, comment = %s WHERE id = %s",
                               [f"{comment} {note}".strip(), pk])


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(repair_out_of_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="quarterlyreportline",
            constraint=models.CheckConstraint(condition=models.Q(("reported_quarter__isnull", True), models.Q(("reported_quarter__gt", -1000000000000), ("reported_quarter__lt", 1000000000000)), _connector="OR"), name="plans_report_line_reported_quarter_range"),
        ),
        migrations.AddConstraint(
            model_name="quarterlyreportline",
            constraint=models.CheckConstraint(condition=models.Q(("reported_cumulative__isnull", True), models.Q(("reported_cumulative__gt", -1000000000000), ("reported_cumulative__lt", 1000000000000)), _connector="OR"), name="plans_report_line_reported_cumulative_range"),
        ),
    ]

"""The attendance events' time alone indexed: the risk scan's incremental read (the events
since its last run) finds them without reading the table (issue 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("training", "0007_class_public_map_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="attendanceevent",
            index=models.Index(fields=["occurred_at"], name="attendance_time"),
        ),
    ]

"""xAPI interaction statements (answered, interacted, …) kept as attendance events of kind 4,
without learning time (issue 13, rule R17D)."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('training', '0008_attendance_time_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='attendanceevent',
            name='kind',
            field=models.PositiveSmallIntegerField(choices=[(1, 'Check-in'), (2, 'Check-out'), (3, 'Online learning'), (4, 'Online interaction')], verbose_name='kind'),
        ),
    ]

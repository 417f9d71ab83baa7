"""The revisions lose their database foreign keys like the records did (ADR 0007): they are
written only by the trigger of migration 0003, from the record row itself, and four deferred
checks per revision cost an import that corrects 50,000 records ~3 s at commit.

SQLite rebuilds the revisions table to alter its columns, which the records' trigger names:
the trigger is dropped first and installed again after."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

trigger = importlib.import_module("jineng.outcomes.migrations.0003_record_revisions_by_trigger")


class Migration(migrations.Migration):

    dependencies = [
        ('outcomes', '0003_record_revisions_by_trigger'),
        ('registry', '0005_status_history_core_shape'),
    ]

    operations = [
        migrations.RunPython(trigger.remove, trigger.install),
        migrations.AlterField(
            model_name='insurancerecordrevision',
            name='employer_region',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.region', verbose_name='employer region'),
        ),
        migrations.AlterField(
            model_name='insurancerecordrevision',
            name='previous_import',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outcomes.insuranceimport', verbose_name='imported by'),
        ),
        migrations.AlterField(
            model_name='insurancerecordrevision',
            name='record',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='revisions', to='outcomes.insurancerecord', verbose_name='record'),
        ),
        migrations.AlterField(
            model_name='insurancerecordrevision',
            name='replaced_by',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='outcomes.insuranceimport', verbose_name='replaced by'),
        ),
        migrations.RunPython(trigger.install, trigger.remove),
    ]

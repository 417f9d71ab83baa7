"""Occupations: allow a 工种 that a public source lists without a numeric code, then load the
occupations the seed policies name (registry/data/occupations.csv; sources in
docs/data-sources.md)."""

from django.db import migrations, models


def load(apps, schema_editor):
    from jineng.registry.data.occupations import load_seed_occupations

    load_seed_occupations(apps.get_model("registry", "Occupation"))


def unload(apps, schema_editor):
    """Going back to 0002's rule (every uncoded entry flagged): flag the listed 工种. The rows
    stay, as other tables may point at them; loading again is idempotent."""
    occupation = apps.get_model("registry", "Occupation")
    occupation.objects.filter(code=None, needs_code=False).update(needs_code=True)


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0002_official_regions_and_skill_levels'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='occupation',
            name='occupation_uncoded_name_unique',
        ),
        migrations.RemoveConstraint(
            model_name='occupation',
            name='occupation_uncoded_is_flagged',
        ),
        migrations.AddConstraint(
            model_name='occupation',
            constraint=models.UniqueConstraint(condition=models.Q(('code__isnull', True), ('parent__isnull', True)), fields=('name',), name='occupation_uncoded_name_unique'),
        ),
        migrations.AddConstraint(
            model_name='occupation',
            constraint=models.UniqueConstraint(condition=models.Q(('code__isnull', True)), fields=('parent', 'name'), name='occupation_uncoded_work_type_unique'),
        ),
        migrations.AddConstraint(
            model_name='occupation',
            constraint=models.CheckConstraint(condition=models.Q(('code__isnull', False), ('needs_code', True), models.Q(('parent__isnull', False), ('rank', 'work_type'), models.Q(('code_source', ''), _negated=True)), _connector='OR'), name='occupation_uncoded_is_flagged_or_listed_work_type'),
        ),
        migrations.RunPython(load, unload),
    ]

from django.db import migrations


def load(apps, schema_editor):
    from jineng.registry.data.regions import load_official_regions
    from jineng.registry.data.skill_levels import load_skill_levels

    load_official_regions(apps.get_model("registry", "Region"))
    load_skill_levels(apps.get_model("registry", "SkillLevel"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

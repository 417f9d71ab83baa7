"""The national versions of the age parameter for enrollment eligibility.

- From 1978-06-02 (国发〔1978〕104号): men 60, women 55 (cadres) / 50 (workers), fixed.
- From 2025-01-01: the gradual increase decided by the NPC Standing Committee on 2024-09-13.

Women's category is unknown at enrollment, so the national default uses 55 (the 法定劳动年龄
upper bound used for women in employment statistics); a region may record another version.
"""

import datetime as dt

from django.db import migrations

ROWS = [
    (dt.date(1978, 6, 2), "fixed_1978",
     "国发〔1978〕104号：男60周岁，女干部55周岁，女工人50周岁"),
    (dt.date(2025, 1, 1), "gradual_2025",
     "全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定（2024年9月13日通过，"
     "2025年1月1日起施行）；国务院关于渐进式延迟法定退休年龄的办法"),
]


def load(apps, schema_editor):
    Parameter = apps.get_model("training", "EligibilityParameter")
    for valid_from, scheme, source in ROWS:
        Parameter.objects.get_or_create(
            region=None, valid_from=valid_from,
            defaults={"minimum_age": 16, "scheme": scheme, "female_basis": 55,
                      "over_age_without_pension": False, "source": source})


def unload(apps, schema_editor):
    Parameter = apps.get_model("training", "EligibilityParameter")
    Parameter.objects.filter(region=None, valid_from__in=[r[0] for r in ROWS]).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

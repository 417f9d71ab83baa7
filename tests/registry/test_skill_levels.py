"""The 新八级工 ladder loaded by migration 0002 (人社部发〔2022〕14号)."""

import pytest

from jineng.registry.data.skill_levels import load_skill_levels
from jineng.registry.models import SkillLevel

LADDER = [
    # name, national grade, high-skilled
    ("学徒工", "", False),
    ("初级工", "五级", False),
    ("中级工", "四级", False),
    ("高级工", "三级", True),
    ("技师", "二级", True),
    ("高级技师", "一级", True),
    ("特级技师", "", True),
    ("首席技师", "", True),
]


@pytest.mark.django_db
def test_eight_rungs_in_order_with_national_grades():
    rows = list(SkillLevel.objects.order_by("rank").values_list(
        "name", "national_grade", "is_high_skilled"))
    assert rows == LADDER


@pytest.mark.django_db
def test_high_skilled_means_senior_worker_and_above():
    senior = SkillLevel.objects.get(name="高级工")
    for level in SkillLevel.objects.all():
        assert level.is_high_skilled == (level.rank >= senior.rank), level.name


@pytest.mark.django_db
def test_five_national_grades_run_from_junior_worker_to_senior_technician():
    graded = SkillLevel.objects.exclude(national_grade="").order_by("rank")
    assert [lv.name for lv in graded] == ["初级工", "中级工", "高级工", "技师", "高级技师"]
    assert [lv.national_grade for lv in graded] == ["五级", "四级", "三级", "二级", "一级"]


@pytest.mark.django_db
def test_loading_again_changes_nothing():
    before = list(SkillLevel.objects.order_by("rank").values())
    load_skill_levels(SkillLevel)
    assert list(SkillLevel.objects.order_by("rank").values()) == before


@pytest.mark.django_db
def test_str_shows_the_national_grade_where_there_is_one():
    assert str(SkillLevel.objects.get(name="技师")) == "技师（二级）"
    assert str(SkillLevel.objects.get(name="首席技师")) == "首席技师"

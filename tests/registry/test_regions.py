"""The official regions loaded by migration: real GB/T 2260 codes, a consistent tree."""

import pytest

from jineng.registry.models import Region

pytestmark = pytest.mark.django_db


def test_all_34_provincial_level_divisions_and_no_pseudo_regions():
    provinces = Region.objects.filter(level="province")
    assert provinces.count() == 34
    assert not Region.objects.filter(code__startswith="99").exists()
    assert set(provinces.values_list("name", flat=True)) >= {"贵州省", "河南省", "湖南省",
                                                               "江苏省", "浙江省"}


def test_guizhou_has_its_nine_prefecture_level_divisions():
    guizhou = Region.objects.get(code="520000")
    cities = guizhou.children.order_by("code")
    assert [c.name for c in cities][:3] == ["贵阳市", "六盘水市", "遵义市"]
    assert cities.count() == 9
    assert Region.objects.filter(code__startswith="52", level="county").count() == 88


def test_every_region_sits_inside_its_parent_subtree():
    orphans = [r.code for r in Region.objects.select_related("parent")
               if r.level != "province" and (r.parent is None or not r.parent.contains(r))]
    assert orphans == []


def test_seed_cities_are_present_with_coordinates():
    lianyungang = Region.objects.get(code="320700")
    assert lianyungang.name == "连云港市"
    assert 118 < lianyungang.longitude < 120 and 34 < lianyungang.latitude < 35.5
    assert lianyungang.scope_prefix == "3207"

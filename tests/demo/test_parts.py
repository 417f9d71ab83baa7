"""The generator's pure parts: ID numbers, short names, weighted picks."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from jineng.core.validators import make_resident_id, parse_resident_id
from jineng.demo.generator import ResidentIdMaker
from jineng.demo.geography import CITY_WEIGHTS, Geography, WeightedPicker
from jineng.demo.names import NameMaker, short_region_name


def test_fast_id_numbers_equal_the_validators_own():
    maker, rng = ResidentIdMaker(), random.Random(3)
    for _ in range(3000):
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(20000))
        code = rng.choice(["520102", "522732", "110101", "500101", "654021"])
        seq = rng.randrange(1000)
        number = maker.make(code, birth.strftime("%Y%m%d"), seq)
        assert number == make_resident_id(code, birth, seq)
        parse_resident_id(number)


@pytest.mark.parametrize(("name", "short"), [
    ("南明区", "南明"), ("道真仡佬族苗族自治县", "道真"), ("威宁彝族回族苗族自治县", "威宁"),
    ("六枝特区", "六枝"), ("清镇市", "清镇"), ("黔西南布依族苗族自治州", "黔西南"),
    ("三都水族自治县", "三都"), ("贵阳市", "贵阳"),
])
def test_short_region_names(name, short):
    assert short_region_name(name) == short


def test_weighted_picker_follows_weights():
    picker, rng = WeightedPicker(["a", "b"], [3, 1]), random.Random(1)
    counts = Counter(picker.pick(rng) for _ in range(20000))
    assert 0.72 < counts["a"] / 20000 < 0.78


def test_names_and_phones_look_ordinary():
    names = NameMaker(random.Random(2))
    for gender in "MF" * 200:
        name = names.person(gender)
        assert 2 <= len(name) <= 4
        phone = names.phone()
        assert len(phone) == 11 and phone.isdigit() and phone[0] == "1"


@pytest.mark.django_db
def test_geography_is_guizhou_on_official_codes():
    geo = Geography()
    assert set(geo.cities) == set(CITY_WEIGHTS)
    assert len(geo.counties) >= 80
    assert all(p.code.startswith("52") and 103 < p.longitude < 110 and 24 < p.latitude < 30
               for p in geo.counties)
    assert geo.outside is not None  # migrants' home counties in neighbouring provinces
    rng = random.Random(4)
    cities = Counter(geo.residents.pick(rng).city_code for _ in range(20000))
    # 毕节 and 遵义 are the most populous; 安顺 the least (census weights).
    assert cities["520500"] > cities["520400"] * 2
    assert cities["520300"] > cities["520400"] * 2

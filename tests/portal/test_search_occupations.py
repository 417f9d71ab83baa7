"""Typo- and pinyin-tolerant occupation search (registry.selectors.occupation_search, used by the
public search and the wish form's autocomplete), over the occupations the migrations seed."""

import pytest

from jineng.registry import occupation_search as index
from jineng.registry.models import Occupation
from jineng.registry.selectors import occupation_search

pytestmark = pytest.mark.django_db


def names(q, limit=5):
    return [o.name for o in occupation_search(q, limit=limit)]


@pytest.mark.parametrize("q, expected, how", [
    ("电工", "电工", "name"),
    ("dg", "电工", "initials"),
    ("DG", "电工", "initials"),
    ("diangong", "电工", "pinyin"),
    ("dian gong", "电工", "pinyin"),
    ("ｄｉａｎｇｏｎｇ", "电工", "pinyin"),  # full-width letters
    ("电攻", "电工", "homophone"),  # a pinyin input method's wrong character
    ("电王", "电工", "typo"),  # a wrong character
    ("养老护理", "养老护理员", "name"),
    ("养佬护理员", "养老护理员", "homophone"),
    ("养老户理员", "养老护理员", "homophone"),
    ("茶乙师", "茶艺师", "homophone"),
    ("茶艺帅", "茶艺师", "typo"),
    ("zhongshipengtiao", "中式烹调师", "pinyin"),
    ("zspts", "中式烹调师", "initials"),
    ("yanglaohuliyuang", "养老护理员", "typo"),  # one letter too many
    ("hg", "焊工", "initials"),
])
def test_finds_the_intended_occupation(q, expected, how):
    found = occupation_search(q, limit=5)
    assert found, q
    assert found[0].name == expected
    assert found[0].search_match == how


def test_code_prefix():
    electrician = Occupation.objects.get(name="电工", rank="occupation")
    assert electrician.code
    found = occupation_search(electrician.code[:6], limit=50)
    assert electrician in found
    assert occupation_search(electrician.code)[0] == electrician


def test_exact_name_before_longer_names():
    assert names("焊工")[0] == "焊工"
    assert "电焊工" in names("焊工")


def test_nothing_for_empty_or_unrelated():
    assert occupation_search("") == []
    assert occupation_search("   ") == []
    assert occupation_search("zzzzqqq") == []
    assert occupation_search("电工", limit=0) == []


def test_limit_and_overlong_query():
    assert len(occupation_search("yuan", limit=3)) <= 3
    assert occupation_search("电" * 5000) == []  # cut to 50 characters, matches nothing


def test_index_follows_new_and_renamed_occupations():
    assert occupation_search("bdztgy") == []
    parent = Occupation.objects.get(name="电工", rank="occupation")
    new = Occupation.objects.create(name="变电站运维员", rank="work_type", parent=parent,
                                    code_source="test")
    assert occupation_search("bdzyw")[0] == new
    new.name = "变电站调控员"
    new.save()
    assert occupation_search("bdztky")[0] == new
    new.delete()
    assert occupation_search("bdztky") == []


def test_two_queries_for_a_search_once_the_index_is_built(django_assert_max_num_queries):
    occupation_search("电工")
    with django_assert_max_num_queries(2):  # (the fingerprint) and the rows
        assert occupation_search("dg")


def test_readings_cover_polyphones():
    spellings, initials = index.readings("调酒师")
    assert "tiaojiushi" in spellings or "diaojiushi" in spellings
    assert initials

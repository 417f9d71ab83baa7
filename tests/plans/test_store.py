"""The plans app's raw SQL (services/store.py), each statement on its own, on the real
database (SQLite and PostgreSQL run the same text)."""

import datetime as dt

import pytest
from django.utils import timezone

from jineng.plans.models import ActualFact, ActualRollup
from jineng.plans.services import store

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 6, 1)


def row(ref, value=1, region="520102", sector=""):
    return ("person_times_trained", DAY, region, region[:6], None, sector, "", "", "", value,
            "test", ref, timezone.now())


def test_insert_fact_rows_skips_a_source_ref_already_recorded():
    store.insert_fact_rows([row("a", 3), row("b", 4)])
    store.insert_fact_rows([row("a", 99), row("c", 5)])
    assert dict(ActualFact.objects.values_list("source_ref", "value")) == {
        "a": 3, "b": 4, "c": 5}


def test_insert_facts_from_select_inserts_what_the_select_yields_once():
    store.insert_fact_rows([row("seed", 7)])
    select = ("SELECT metric, day, region_code, county_code, organization_id, sector, "
              "key_group, training_type, program, value, %s AS source_ref "
              "FROM plans_actualfact WHERE source_ref = %s")
    assert store.insert_facts_from_select(source="copy", recorded_at=timezone.now(),
                                          select_sql=select, params=["copy-1", "seed"]) == 1
    assert store.insert_facts_from_select(source="copy", recorded_at=timezone.now(),
                                          select_sql=select, params=["copy-1", "seed"]) == 0
    copy = ActualFact.objects.get(source_ref="copy-1")
    assert (copy.value, copy.source, copy.day) == (7, "copy", DAY)


def test_rollup_insert_sums_each_level_dimension_and_cut():
    store.insert_fact_rows([row("a", 3, "520102", "rural"), row("b", 4, "520103", "rural"),
                            row("c", 5, "520302")])
    store.rollup_insert(start=DAY, end=DAY, metrics=["person_times_trained"],
                        dimensions=["sector"], cuts={"k": [("sector", ("rural",))]})
    got = {(r.level, r.region_code, r.parent_code, r.dimension, r.dimension_value): r.value
           for r in ActualRollup.objects.all()}
    assert got[("county", "520102", "520100", "", "")] == 3
    assert got[("city", "520100", "520000", "", "")] == 7
    assert got[("city", "520300", "520000", "", "")] == 5
    assert got[("province", "520000", "", "", "")] == 12
    assert got[("province", "520000", "", "sector", "rural")] == 7
    assert got[("city", "520100", "520000", "cut", "k")] == 7
    assert ("city", "520300", "520000", "cut", "k") not in got
    # Days outside [start, end] and other metrics are left alone.
    ActualRollup.objects.all().delete()
    store.rollup_insert(start=DAY + dt.timedelta(days=1), end=DAY + dt.timedelta(days=9),
                        metrics=["person_times_trained"], dimensions=["sector"], cuts=None)
    assert not ActualRollup.objects.exists()

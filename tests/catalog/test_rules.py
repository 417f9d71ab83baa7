"""The pure catalog rules, table by table (no database)."""

import datetime as dt
from decimal import Decimal as Dec

import pytest

from jineng.catalog.rules.diff import diff_rows
from jineng.catalog.rules.entries import (
    EntryFacts,
    overlap_problems,
    supplement_problems,
    within_version_problems,
)
from jineng.catalog.rules.periods import (
    Period,
    VersionFacts,
    cut_end,
    period_problems,
    successor_problems,
    version_in_force,
)
from jineng.catalog.rules.values import SubsidyValues, evaluation_problems, subsidy_problems

D = dt.date


@pytest.mark.parametrize(("a", "b", "overlap"), [
    (Period(D(2025, 1, 1), D(2025, 6, 30)), Period(D(2025, 7, 1), None), False),
    (Period(D(2025, 1, 1), D(2025, 7, 1)), Period(D(2025, 7, 1), None), True),
    (Period(D(2025, 1, 1), None), Period(D(2030, 1, 1), D(2030, 1, 1)), True),
    (Period(D(2025, 3, 1), D(2025, 3, 1)), Period(D(2025, 1, 1), D(2025, 2, 28)), False),
])
def test_periods_overlap_when_they_share_a_day(a, b, overlap):
    assert a.overlaps(b) is overlap and b.overlaps(a) is overlap


def test_end_before_start_names_the_end_field():
    [problem] = period_problems(D(2025, 5, 1), D(2025, 4, 30), start_field="valid_from",
                                end_field="valid_to")
    assert (problem.field, problem.code) == ("valid_to", "end_before_start")
    assert period_problems(D(2025, 5, 1), D(2025, 5, 1), start_field="a", end_field="b") == []


def test_a_successor_must_start_after_its_predecessor_began_and_cuts_it():
    assert successor_problems(D(2025, 1, 1), D(2025, 1, 1))[0].code == "not_after_previous"
    assert successor_problems(D(2025, 1, 1), D(2025, 1, 2)) == []
    assert cut_end(None, D(2026, 1, 1)) == D(2025, 12, 31)
    assert cut_end(D(2027, 1, 1), D(2026, 1, 1)) == D(2025, 12, 31)
    assert cut_end(D(2025, 6, 30), D(2026, 1, 1)) == D(2025, 6, 30)  # already ended: kept


def test_version_in_force_now_and_as_known_at_a_past_moment():
    t = dt.datetime
    v1 = VersionFacts(1, D(2024, 1, 1), None, D(2024, 12, 31), t(2023, 12, 1),
                      superseded_at=t(2024, 12, 10))
    v2 = VersionFacts(2, D(2025, 1, 1), None, None, t(2024, 12, 10))
    assert version_in_force([v1, v2], D(2024, 6, 1)).id == 1
    assert version_in_force([v1, v2], D(2025, 6, 1)).id == 2
    # Before version 2 was published, version 1 was believed to run on without end.
    assert version_in_force([v1, v2], D(2025, 6, 1), known_at=t(2024, 11, 1)).id == 1
    assert version_in_force([v1, v2], D(2023, 6, 1)) is None


def subsidy(**kw):
    values = {"amount": Dec("1500"), "required_hours": 120, "min_attendance_share": Dec("0.8"),
              "government_share": Dec("1"), "enterprise_share": Dec("0"),
              "individual_share": Dec("0")}
    values.update(kw)
    return SubsidyValues(**values)


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"amount": Dec("0")}, "amount", "not_positive"),
    ({"amount": Dec("-100")}, "amount", "not_positive"),
    ({"amount": Dec("300000")}, "amount", "above_cap"),
    ({"amount": Dec("1500.555")}, "amount", "too_many_decimals"),
    ({"amount": Dec("NaN")}, "amount", "not_a_number"),
    ({"required_hours": 0}, "required_hours", "hours_range"),
    ({"required_hours": 5000}, "required_hours", "hours_range"),
    ({"min_attendance_share": Dec("0")}, "min_attendance_share", "share_range"),
    ({"min_attendance_share": Dec("1.2")}, "min_attendance_share", "share_range"),
    ({"government_share": Dec("0.6"), "enterprise_share": Dec("0.3")}, "individual_share",
     "shares_sum"),
    ({"enterprise_share": Dec("-0.1")}, "enterprise_share", "share_range"),
    ({"urgent_uplift": Dec("1.5")}, "urgent_uplift", "share_range"),
    ({"material_cost": Dec("1600")}, "material_cost", "material_above_amount"),
    ({"material_cost": Dec("-1")}, "material_cost", "not_positive"),
])
def test_implausible_subsidy_figures_are_refused_naming_the_field(change, field, code):
    problems = subsidy_problems(subsidy(**change))
    assert [(p.field, p.code) for p in problems] == [(field, code)]


def test_plausible_subsidy_figures_pass_and_the_cap_is_configurable():
    assert subsidy_problems(subsidy(government_share=Dec("0.6"), enterprise_share=Dec("0.3"),
                                    individual_share=Dec("0.1"), material_cost=Dec("300"),
                                    urgent_uplift=Dec("0.2"))) == []
    assert subsidy_problems(subsidy(amount=Dec("1500")), cap=Dec("1000"))[0].code == "above_cap"


@pytest.mark.parametrize(("kw", "codes"), [
    ({"self_evaluation": True, "is_enterprise": False}, ["self_evaluation_not_enterprise"]),
    ({"self_evaluation": False, "is_enterprise": True}, ["enterprise_needs_self_evaluation"]),
    ({"max_rank": 7}, ["top_filing_required"]),
    ({"max_rank": 6, "filing_number": "备〔2025〕1号"}, ["top_filing_required"]),
    ({"max_rank": 7, "filing_number": "备〔2025〕1号", "filing_date_set": True}, []),
    ({"max_rank": 5}, []),
])
def test_evaluation_listings_need_the_right_kind_and_the_top_level_filing(kw, codes):
    args = {"max_rank": None, "self_evaluation": False, "is_enterprise": False,
            "filing_number": "", "filing_date_set": False, **kw}
    assert [p.code for p in evaluation_problems(**args)] == codes


JAN1 = D(2025, 1, 1)


def fact(ref, key=("x",), start=JAN1, end=None, region="520000", prefix="52",
         overrides=False, reason="", **values):
    return EntryFacts(ref=ref, key=key, period=Period(start, end), region_code=region,
                      region_prefix=prefix, values=values or {"amount": 1},
                      overrides_base=overrides, override_reason=reason, label=str(ref))


def test_overlaps_are_found_for_the_same_key_and_region_only():
    rows = [fact(2), fact(3, end=D(2025, 3, 1)), fact(4, region="520100", prefix="5201"),
            fact(5, key=("y",)), fact(6, start=D(2026, 1, 1))]
    problems = overlap_problems([rows[1], rows[2], rows[3]])
    assert problems == {}
    found = overlap_problems(rows)
    assert set(found) == {3, 6}
    assert found[3][0].params["other"] == 2 and found[3][0].code == "overlaps_row"
    existing = overlap_problems([fact(9)], existing=[fact(1)])
    assert existing[9][0].code == "overlaps_existing"


def test_a_supplement_may_differ_from_the_base_only_when_it_says_so():
    base = [fact("b", amount=1500)]
    same = fact(1, region="520100", prefix="5201", amount=1500)
    other = fact(2, region="520100", prefix="5201", amount=1800)
    said = fact(3, region="520100", prefix="5201", amount=1800, overrides=True, reason="紧缺")
    mute = fact(4, region="520100", prefix="5201", amount=1800, overrides=True)
    nothing = fact(5, key=("z",), region="520100", prefix="5201", overrides=True, reason="x")
    elsewhere = fact(6, region="530100", prefix="5301", amount=1800)
    assert supplement_problems(same, base) == []
    [p] = supplement_problems(other, base)
    assert (p.field, p.code, p.params["fields"]) == ("amount", "contradicts_base", ["amount"])
    assert supplement_problems(said, base) == []
    assert supplement_problems(mute, base)[0].code == "override_without_reason"
    assert supplement_problems(nothing, base)[0].code == "override_nothing"
    assert supplement_problems(elsewhere, base) == []
    later = fact(7, start=D(2030, 1, 1), region="520100", prefix="5201", amount=1800)
    assert supplement_problems(later, [fact("b", end=D(2029, 12, 31), amount=1500)]) == []


def test_entries_stay_inside_their_version_period():
    version = Period(D(2025, 1, 1), D(2025, 12, 31))
    assert within_version_problems(fact(1, start=D(2024, 12, 31)), version)[0].code == \
        "before_version"
    assert within_version_problems(fact(1, end=None), version)[0].code == "after_version"
    assert within_version_problems(fact(1, end=D(2025, 6, 1)), version) == []


def test_diff_reports_added_removed_and_changed_fields():
    old = {("a",): {"amount": "1500", "hours": "120"}, ("b",): {"amount": "1"},
           ("c",): {"amount": "2"}}
    new = {("a",): {"amount": "1800", "hours": "120"}, ("c",): {"amount": "2"},
           ("d",): {"amount": "3"}}
    diff = diff_rows(old, new)
    assert [k for k, _ in diff.added] == [("d",)]
    assert [k for k, _ in diff.removed] == [("b",)]
    assert [(c.key, c.fields) for c in diff.changed] == [(("a",), ("amount",))]
    assert diff.unchanged == 1 and not diff.is_empty
    assert diff_rows(new, new).is_empty

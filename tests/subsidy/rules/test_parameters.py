"""Parameter files: strict checks with line numbers, overlaps, resolution city → province →
national, the shipped files, and the vocabularies kept in step with the registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jineng.subsidy.rules import parameters as p
from jineng.subsidy.rules.types import KINDS, REFUSAL_CODES, USES_NOTHING

GOOD = """\
schema: jineng/subsidy-parameters/1
version: test-1
region: "520000"
title: test
valid_from: 2025-01-01
valid_to: 2025-12-31
limits:
  yearly_limit: 3
  claim_window_months: 12
kinds:
  training:
    payees: [person, institution]
    level_factors: {grade4: 1.1}
    cost_sharing: {government: 0.8, enterprise: 0.1, individual: 0.1}
sources:
  limits: clause A
  kinds.training: clause B
"""


def issues_of(text):
    result = p.check_parameters(text, name="t.yaml")
    assert result.raw is None
    return [(i.line, i.code) for i in result.issues]


def test_a_good_file():
    result = p.check_parameters(GOOD)
    assert result.ok, result.issues
    raw = result.raw
    assert raw.version == "test-1" and raw.region_code == "520000"
    assert raw.valid_from == dt.date(2025, 1, 1) and raw.valid_to == dt.date(2025, 12, 31)
    assert raw.values["kinds"]["training"]["level_factors"]["grade4"] == Decimal("1.1")
    again = p.raw_from_json(raw.to_json())
    assert again.values == raw.values and again.valid_to == raw.valid_to


@pytest.mark.parametrize(("old", "new", "expected"), [
    pytest.param("  yearly_limit: 3\n", "  yearly_limit: 3\n  yearly_limt: 2\n",
                 [(9, "unknown_key")], id="unknown limit key"),
    pytest.param("    payees:", "    payess:", [(12, "unknown_key")], id="unknown kind key"),
    pytest.param("  training:\n", "  trianing:\n", [(11, "unknown_value"), (17, "source_unused")],
                 id="unknown kind"),
    pytest.param("title: test\n", "title: test\ncolour: red\n", [(5, "unknown_key")],
                 id="unknown top key"),
    pytest.param("yearly_limit: 3", "yearly_limit: three", [(8, "wrong_type")],
                 id="count as text"),
    pytest.param("yearly_limit: 3", "yearly_limit: 2.5", [(8, "wrong_type")],
                 id="count not whole"),
    pytest.param("yearly_limit: 3", "yearly_limit: 0", [(8, "out_of_range")],
                 id="count zero"),
    pytest.param("grade4: 1.1", "grade4: yes", [(13, "wrong_type")], id="factor as bool"),
    pytest.param("grade4: 1.1", "grade9: 1.1", [(13, "unknown_value")], id="unknown level"),
    pytest.param("grade4: 1.1", "grade4: 1.12345", [(13, "too_many_places")],
                 id="too many places"),
    pytest.param("[person, institution]", "[person, bank]", [(12, "unknown_value")],
                 id="unknown payee"),
    pytest.param("individual: 0.1}", "individual: 0.2}", [(14, "shares_sum")],
                 id="shares do not add up"),
    pytest.param("valid_from: 2025-01-01", "valid_from: 2025-13-01", [(5, "bad_date")],
                 id="bad date"),
    pytest.param("valid_to: 2025-12-31", "valid_to: 2024-12-31", [(6, "period_order")],
                 id="ends before it starts"),
    pytest.param('region: "520000"', "region: Guizhou", [(3, "bad_region")], id="bad region"),
    pytest.param("version: test-1", "version: Test 1", [(2, "bad_version")], id="bad version"),
    pytest.param("schema: jineng/subsidy-parameters/1\n", "schema: other\n",
                 [(1, "bad_schema")], id="bad schema"),
    pytest.param("title: test\n", "", [(1, "missing_key")], id="missing title"),
    pytest.param("  kinds.training: clause B\n", "", [(12, "source_missing"),
                                                       (13, "source_missing"),
                                                       (14, "source_missing")],
                 id="values without a source"),
    pytest.param("  kinds.training: clause B\n",
                 "  kinds.training: clause B\n  kinds.evaluation: x\n",
                 [(18, "source_unused")], id="source for nothing"),
    pytest.param("  yearly_limit: 3\n", "  yearly_limit: 3\n  yearly_limit: 4\n",
                 [(9, "duplicate_key")], id="duplicate key"),
    pytest.param("    payees: [person, institution]\n", "    payees: [person, institution\n",
                 [(13, "yaml_syntax")], id="yaml syntax (where the parser notices)"),
])
def test_broken_files_are_refused_with_line_numbers(old, new, expected):
    assert old in GOOD
    assert issues_of(GOOD.replace(old, new, 1)) == expected


def test_every_issue_is_reported_at_once():
    text = GOOD.replace("yearly_limit: 3", "yearly_limit: x").replace("grade4: 1.1", "grade4: 0")
    assert issues_of(text) == [(8, "wrong_type"), (13, "out_of_range")]


def test_an_issue_reads_with_its_file_and_line():
    issue = p.check_parameters(GOOD.replace("yearly_limit: 3", "yearly_limit: x"),
                               name="guizhou.yaml").issues[0]
    assert str(issue).startswith("guizhou.yaml:8: wrong_type limits.yearly_limit")


def _raw(version, region, start, end=None, extra=""):
    text = (f"schema: jineng/subsidy-parameters/1\nversion: {version}\nregion: \"{region}\"\n"
            f"title: t\nvalid_from: {start}\n" + (f"valid_to: {end}\n" if end else "") + extra)
    result = p.check_parameters(text, name=f"{version}.yaml")
    assert result.ok, result.issues
    return result.raw


def test_overlapping_periods_of_one_region_are_refused_with_the_line():
    a = _raw("a", "520000", "2025-01-01", "2025-06-30")
    b = _raw("b", "520000", "2025-06-30")
    c = _raw("c", "520100", "2025-03-01")   # another region: no conflict
    issues = p.check_overlaps([a, b, c])
    assert [(i.file, i.line, i.code, i.params["other"]) for i in issues] == [
        ("b.yaml", 5, "overlap", "a")]
    assert p.check_overlaps([a, _raw("b", "520000", "2025-07-01"), c]) == []
    assert [i.code for i in p.check_overlaps([a, _raw("a", "520000", "2026-01-01")])] == [
        "duplicate_version"]


def test_open_ended_set_overlaps_everything_after_it():
    issues = p.check_overlaps([_raw("a", "520000", "2025-01-01"),
                               _raw("b", "520000", "2030-01-01")])
    assert [i.code for i in issues] == ["overlap"]


def test_resolution_city_over_province_over_national_from_a_date():
    national = _raw("n", "", "2020-01-01",
                    extra="limits: {yearly_limit: 3}\nkinds:\n  training: {max_factor: 1.5}\n"
                          "sources: {limits: national clause, kinds: national kinds}\n")
    province = _raw("prov", "520000", "2025-01-01",
                    extra="limits: {yearly_limit: 2}\nsources: {limits: province clause}\n")
    city = _raw("city", "520100", "2025-09-01",
                extra="kinds:\n  training: {level_factors: {grade3: 1.2}}\n"
                      "sources: {kinds.training.level_factors: city clause}\n")
    sets = [national, province, city]
    assert p.ancestors("520102") == ["520102", "520100", "520000", ""]
    assert p.ancestors("520100") == ["520100", "520000", ""]
    assert p.ancestors("520000") == ["520000", ""]
    before = p.parameters_in_force(sets, "520102", dt.date(2024, 12, 31))
    assert before.version == "n" and before.limits.yearly_limit == 3
    prov = p.parameters_in_force(sets, "520102", dt.date(2025, 8, 31))
    assert prov.version == "prov < n" and prov.limits.yearly_limit == 2
    assert prov.kinds["training"].level_factors == {}
    city_set = p.parameters_in_force(sets, "520102", dt.date(2025, 9, 1))
    assert city_set.version == "city < prov < n"
    assert city_set.chain == ("city", "prov", "n")
    assert city_set.kinds["training"].level_factors == {"grade3": Decimal("1.2")}
    assert city_set.kinds["training"].max_factor == Decimal("1.5")  # from the national set
    assert city_set.source("kinds.training.level_factors") == "city clause [city]"
    assert city_set.source("limits.yearly_limit") == "province clause [prov]"
    other_province = p.parameters_in_force(sets, "430102", dt.date(2025, 9, 1))
    assert other_province.version == "n"
    assert p.parameters_in_force([province], "430102", dt.date(2025, 9, 1)) is None


def test_the_shipped_files_are_clean_and_resolve():
    sets = p.shipped_sets()
    assert {s.region_code for s in sets} >= {"", "520000", "320700", "430000", "410000",
                                             "330000"}
    index = p.ParameterIndex(sets)
    lyg = index.in_force("320703", dt.date(2025, 6, 1))
    assert lyg.version == "lianyungang-2025 < national-2024"
    assert lyg.kinds["employment_uplift"].granted
    gz = index.in_force("520102", dt.date(2025, 10, 1))
    assert gz.kinds["certificate"].outside_province
    assert "(十)" in gz.source("kinds.certificate.outside_province")
    assert index.in_force("520102", dt.date(2025, 9, 29)).version == "national-2024"
    for s in sets:   # every value is cited (the loader refuses a file otherwise)
        assert s.sources


def test_vocabularies_are_in_step_with_the_registry_and_the_claims():
    from jineng.registry.choices import KeyGroup
    from jineng.registry.data.skill_levels import SKILL_LEVELS
    from jineng.subsidy.choices import ClaimKind, ClaimStatus, PayeeKind

    assert tuple(code for code, *_ in SKILL_LEVELS) == p.LEVEL_CODES
    assert set(p.KEY_GROUPS) == set(KeyGroup.values)
    assert set(KINDS) == set(ClaimKind.values)
    assert set(p.PAYEE_KINDS) == set(PayeeKind.values)
    assert set(USES_NOTHING) <= set(ClaimStatus.values)


def test_every_code_has_a_sentence():
    from jineng.subsidy import messages

    assert set(REFUSAL_CODES) <= set(messages.REFUSALS)
    issue_codes = {"yaml_syntax", "too_long", "not_a_mapping", "duplicate_key", "unknown_key",
                   "missing_key", "wrong_type", "out_of_range", "too_many_places",
                   "unknown_value", "duplicate_value", "shares_sum", "urgent_times_below",
                   "bad_schema", "bad_version", "bad_region", "bad_date", "period_order",
                   "empty_source", "source_unused", "source_missing", "overlap",
                   "duplicate_version"}
    assert issue_codes == set(messages.ISSUES)
    issue = p.check_parameters(GOOD.replace("yearly_limit: 3", "yearly_limit: x")).issues[0]
    assert "8" in messages.issue_sentence(issue)


def test_a_refusal_reads_in_chinese_with_the_kind_named():
    from django.utils import translation

    from jineng.subsidy import messages

    with translation.override("en"):
        text = messages.refusal_sentence("same_occupation_level", {
            "occupation": "6-18-02-04", "level": "grade4", "kind": "training",
            "claim_date": "2025-02-01"})
    assert "Vocational training subsidy" in text and "6-18-02-04" in text


def test_stored_form_of_every_shipped_set_resolves_the_same():
    sets = p.shipped_sets()
    again = [p.raw_from_json(s.to_json()) for s in sets]
    a, b = p.ParameterIndex(sets), p.ParameterIndex(again)
    for region, day in [("320703", "2025-06-01"), ("520102", "2025-10-01"),
                        ("430102", "2025-10-01"), ("410102", "2025-10-01"),
                        ("330102", "2025-10-01"), ("110101", "2025-10-01")]:
        d = dt.date.fromisoformat(day)
        assert a.in_force(region, d).kinds == b.in_force(region, d).kinds
        assert a.in_force(region, d).limits == b.in_force(region, d).limits


def test_folded_chinese_sources_have_no_stray_spaces():
    gz = p.ParameterIndex(p.shipped_sets()).in_force("520102", dt.date(2025, 10, 1))
    assert "证书的，按规定" in gz.source("kinds.certificate.outside_province")

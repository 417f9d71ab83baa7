"""The 30-minute circle's services on the real database: population import (row report,
idempotence, conflicts, corrections), travel-time matrix, coverage runs (shares, gaps, axis
check), placement (vs brute force) and its export."""

from __future__ import annotations

import pytest

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.portal import selectors
from jineng.portal.models import CoverageRun, PopulationCount, TravelTime
from jineng.portal.rules import placement as pl
from jineng.portal.rules import travel
from jineng.portal.selectors import coverage as cov_selectors
from jineng.portal.services import coverage as imports
from jineng.portal.services import coverage_runs as runs
from tests import factories as f
from tests.portal import coverage_support as cs

pytestmark = pytest.mark.django_db


def _errors(report):
    return {(e.row, e.field) for e in report.errors}


def test_import_writes_counts_and_areas():
    w = cs.world()
    assert PopulationCount.objects.count() == 4
    area = cov_selectors.population_area_list(actor=w.city_staff).get(code="520102003")
    assert area.terrain == "mountain" and area.kind == "town" and area.county.code == f.COUNTY
    assert area.counts.get().source_kind == "synthetic"


def test_same_file_twice_counts_once_and_writes_nothing():
    w = cs.world()
    events = AuditEvent.objects.count()
    report = imports.population_import(actor=w.city_staff, file=cs.upload(cs.population_csv()))
    assert report.ok and report.created == 0 and report.unchanged == 4
    assert AuditEvent.objects.count() == events
    assert PopulationCount.objects.count() == 4


def test_a_row_repeated_in_the_file_counts_once():
    w = cs.world(population=False)
    rows = [*cs.ROWS, cs.ROWS[0]]
    report = imports.population_import(actor=w.city_staff, file=cs.upload(cs.population_csv(rows)))
    assert report.ok and report.created == 4 and report.unchanged == 1


def test_row_report_names_each_bad_row_and_writes_nothing():
    w = cs.world(population=False)
    bad = [
        ("520102001", "好镇", "106.7", "26.55", "hill", "", 100),  # row 2 fine
        ("999999001", "无名镇", "106.7", "26.55", "hill", "", 100),  # row 3 unknown county
        ("520102002", "负镇", "106.7", "26.55", "hill", "", -5),  # row 4 negative
        ("520102003", "大镇", "106.7", "26.55", "hill", "", 99_000_000),  # row 5 absurd
        ("520102004", "错镇", "200", "26.55", "hill", "", 100),  # row 6 longitude
        ("520102005", "山镇", "106.7", "26.55", "volcano", "", 100),  # row 7 terrain
        ("520102001", "好镇", "106.7", "26.55", "hill", "", 200),  # row 8 same key, other count
        ("520302001", "遵义镇", "106.9", "27.7", "hill", "", 100),  # row 9 other city
    ]
    report = imports.population_import(actor=w.city_staff, file=cs.upload(cs.population_csv(bad)))
    assert not report.written
    assert _errors(report) == {(3, "county_code"), (4, "population"), (5, "population"),
                               (6, "longitude"), (7, "terrain"), (8, "population"),
                               (9, "county_code")}
    assert PopulationCount.objects.count() == 0
    skipped = imports.population_import(actor=w.city_staff, file=cs.upload(
        cs.population_csv(bad)), skip_bad_rows=True)
    assert skipped.written and skipped.created == 1 and skipped.skipped == 7


def test_malformed_files():
    w = cs.world(population=False)
    with pytest.raises(DomainError) as unknown:
        imports.population_import(actor=w.city_staff, file=cs.upload(b"foo,bar\n1,2\n"))
    assert unknown.value.field == "file"
    with pytest.raises(DomainError) as binary:
        imports.population_import(actor=w.city_staff, file=cs.upload(b"\xff\xfe\x00garbage",
                                                                      name="x.xlsx"))
    assert binary.value.field == "file"


def test_different_count_is_a_conflict_unless_a_correction():
    w = cs.world()
    rows = [(*cs.ROWS[0][:6], 13000)]
    report = imports.population_import(actor=w.city_staff, file=cs.upload(
        cs.population_csv(rows)))
    assert _errors(report) == {(2, "population")}
    report = imports.population_import(actor=w.city_staff, file=cs.upload(
        cs.population_csv(rows, correction="是")))
    assert report.ok and report.updated == 1
    count = PopulationCount.objects.get(area__code="520102001")
    assert count.population == 13000 and count.corrected
    event = AuditEvent.objects.filter(entity_type="portal.populationcount",
                                      action="update").get()
    assert event.before["population"] == 12000 and event.after["population"] == 13000


def test_import_needs_hrss_staff_of_the_county():
    w = cs.world(population=False)
    with pytest.raises(Forbidden):
        imports.population_import(actor=w.operator, file=cs.upload(cs.population_csv()))
    report = imports.population_import(actor=w.other_county_staff,
                                       file=cs.upload(cs.population_csv()))
    assert {e.field for e in report.errors} == {"county_code"} and not report.written


def test_coverage_shares_gaps_and_axis():
    w = cs.world()
    run = cs.run(w)
    assert run.year == 2025 and run.synthetic and run.sites == 1
    assert run.population == 28000 and run.covered == 20000
    shares = {c["code"]: c["share"] for c in run.counties}
    assert shares == {f.COUNTY: round(20000 / 23000, 4), f.OTHER_COUNTY: 0.0}
    assert {t["code"]: t["share"] for t in run.towns}["520102003"] == 0.0
    assert [g["code"] for g in run.gaps] == ["520102003", "520103001"]
    assert run.gaps[0]["minutes"] == pytest.approx(
        travel.travel_minutes(106.7, 26.8, 106.7, 26.5, terrain="mountain"), abs=0.1)
    axis = {a["code"]: a["covered"] for a in run.axis}
    assert axis == {"520102001": True, "520102002": True, "520103001": False}
    assert run.finished_at is not None and run.parameters["version"] == travel.PARAMETERS_VERSION
    assert AuditEvent.objects.filter(entity_type="portal.coveragerun", action="create").count() == 1


def test_county_seat_found_by_position_when_none_is_named():
    w = cs.world(population=False)
    rows = [(*r[:5], "", *r[6:]) for r in cs.ROWS]
    imports.population_import(actor=w.city_staff, file=cs.upload(cs.population_csv(rows)))
    run = cs.run(w)
    seats = {a["county"]: a["code"] for a in run.axis if a["designation"] == "county_seat"}
    assert set(seats) == {f.COUNTY, f.OTHER_COUNTY}


def test_matrix_replaces_the_model():
    w = cs.world()
    data = (f"区域代码,培训场所编号,分钟,出行方式,来源说明\n520102003,{w.site.pk},25,drive,"
            "测试路网\n").encode()
    report = imports.travel_matrix_import(actor=w.city_staff, file=cs.upload(data, "m.csv"))
    assert report.ok and report.created == 1 and TravelTime.objects.count() == 1
    run = cs.run(w)
    assert "520102003" not in {g["code"] for g in run.gaps}
    bad = (f"区域代码,培训场所编号,分钟,出行方式,来源说明\n999,{w.site.pk},25,drive,x\n"
           "520102003,999999,25,drive,x\n"
           f"520102003,{w.site.pk},-3,walk,x\n"
           f"520102003,{w.site.pk},30,drive,测试路网\n").encode()
    report = imports.travel_matrix_import(actor=w.city_staff, file=cs.upload(bad, "m2.csv"))
    assert _errors(report) == {(2, "area_code"), (3, "site_id"), (4, "minutes"),
                               (5, "minutes")}


def test_run_refusals():
    w = cs.world()
    with pytest.raises(NotFound):
        cs.run(w, region_code=f.OTHER_CITY)  # another city's staff region
    with pytest.raises(NotFound):
        runs.coverage_run(actor=w.county_staff, region_code=f.CITY)  # above own county
    with pytest.raises(NotFound):
        cs.run(w, region_code="999999")
    with pytest.raises(Forbidden):
        runs.coverage_run(actor=w.operator, region_code=f.CITY)
    with pytest.raises(DomainError) as bad:
        cs.run(w, threshold_minutes=0)
    assert bad.value.field == "threshold_minutes"
    with pytest.raises(DomainError) as bad:
        cs.run(w, mode="rocket")
    assert bad.value.field == "mode"
    with pytest.raises(DomainError) as bad:
        cs.run(w, year=2024)
    assert bad.value.field == "year"
    assert CoverageRun.objects.count() == 0


def test_placement_against_brute_force_and_export():
    w = cs.world()
    run = cs.run(w)
    candidates = [{"name": "甲", "longitude": 106.7, "latitude": 26.78},
                  {"name": "乙", "longitude": 106.88, "latitude": 26.52},
                  {"area_code": "520102002"}]
    proposal = runs.placement_propose(actor=w.city_staff, run=run, k=2, candidates=candidates)
    sites = [runs.cov.Site(str(i), c.get("longitude", 106.7), c.get("latitude", 26.6))
             for i, c in enumerate(candidates)]
    from jineng.portal.rules import coverage as rc
    gap_areas = [rc.Area(g["code"], g["name"], g["county"], g["code"], g["lon"], g["lat"],
                         g["population"], g["terrain"]) for g in run.gaps]
    sets = pl.coverage_sets(gap_areas, sites, threshold=30)
    assert proposal.newly_covered == pl.brute_force([a.population for a in gap_areas], sets, 2)
    assert proposal.newly_covered == 8000
    assert [c["name"] for c in proposal.choices] == ["乙", "甲"]
    assert [c["gain"] for c in proposal.choices] == [5000, 3000]
    rows = cs.xlsx_rows(cov_selectors.placement_export(actor=w.city_staff, proposal=proposal))
    assert rows[1][1] == "乙" and rows[1][5] == 5000
    with pytest.raises(DomainError) as bad:
        runs.placement_propose(actor=w.city_staff, run=run, k=1,
                               candidates=[{"area_code": "520302999"}])
    assert bad.value.field == "candidates[0].area_code"
    with pytest.raises(DomainError) as bad:
        runs.placement_propose(actor=w.city_staff, run=run, k=1,
                               candidates=[{"name": "x", "longitude": 300, "latitude": 26}])
    assert bad.value.field == "candidates[0].longitude"
    with pytest.raises(DomainError) as bad:
        runs.placement_propose(actor=w.city_staff, run=run, k=0)
    assert bad.value.field == "k"
    with pytest.raises(NotFound):
        runs.placement_propose(actor=w.other_city_staff, run=run, k=1)
    assert pl.MAX_K == 500


def test_default_candidates_are_the_populated_areas():
    w = cs.world()
    run = cs.run(w)
    proposal = runs.placement_propose(actor=w.city_staff, run=run, k=2)
    assert proposal.candidates == 4 and proposal.newly_covered == 8000


def test_public_summary_is_the_latest_run():
    w = cs.world()
    assert selectors.coverage.public_coverage_summary() is None
    run = cs.run(w)
    assert cov_selectors.public_coverage_summary().pk == run.pk

# ruff: noqa: C408 - rows read best as dict(column=value)
"""The data-quality report of a scan, apart from the alerts: each kind counted on a hand-built
snapshot (a case and a near miss), the rules staying quiet on those data, the report stored
with a real scan and shown on the run page and through the API."""

from __future__ import annotations

import ibis
import pytest
from django.urls import reverse

from jineng.supervision.analytics import quality
from jineng.supervision.analytics.schema import from_rows
from jineng.supervision.models import RiskRun
from jineng.supervision.rules.catalog import RULES
from jineng.supervision.services import runs
from jineng.supervision.services.engine import load_snapshot, run_rules
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.supervision.hand_data import build

T0 = 1_750_000_000
PARAMS = {code: dict(spec.parameters) for code, spec in RULES.items()}


def dirty_tables() -> dict:
    """Class 1 (institution 1, site 1 with coordinates) of ten enrolled people, two sessions:
    session 10 everyone checks in properly (terminal), session 11 only three check in (partial
    roster), one of them by phone without coordinates, one twice in the same second, one with
    a clock eight hours ahead. Class 2 (institution 2) at site 2 without coordinates; its check-out
    two hours after the end is no skew (near miss), four hours after the end of a check-in is."""
    enr = [dict(enrollment_id=100 + p, person_id=p, class_id=1, institution_id=1)
           for p in range(10)]
    enr += [dict(enrollment_id=200 + p, person_id=20 + p, class_id=2, institution_id=2)
            for p in range(2)]
    ses = [dict(session_id=10, class_id=1, institution_id=1, site_id=1, starts_s=T0,
                ends_s=T0 + 3600),
           dict(session_id=11, class_id=1, institution_id=1, site_id=1, starts_s=T0 + 86400,
                ends_s=T0 + 90000),
           dict(session_id=20, class_id=2, institution_id=2, site_id=2, starts_s=T0,
                ends_s=T0 + 3600)]
    sites = [dict(site_id=1, capacity=50, latitude=26.6, longitude=106.7),
             dict(site_id=2, capacity=50, latitude=None, longitude=None)]
    ev, eid = [], iter(range(1, 1000))

    def event(p, cls, inst, ses_id, t, *, kind=1, method=1, lat=None, lon=None):
        ev.append(dict(event_id=next(eid), enrollment_id=(100 if cls == 1 else 180) + p,
                       person_id=p, class_id=cls, session_id=ses_id, institution_id=inst,
                       kind=kind, method=method, occurred_s=t, latitude=lat, longitude=lon,
                       too_far=False, outside_window=False, device=""))

    for p in range(10):
        event(p, 1, 1, 10, T0 - 300 + p * 7)
    event(0, 1, 1, 11, T0 + 86400 - 60, method=2)  # phone, no coordinates
    event(1, 1, 1, 11, T0 + 86400 - 30)
    event(1, 1, 1, 11, T0 + 86400 - 30)  # the same second again
    event(2, 1, 1, 11, T0 + 86400 + 8 * 3600)  # clock eight hours ahead
    event(3, 1, 1, 11, T0 + 86400 - 20, method=3, lat=26.6, lon=106.7)  # QR, located
    event(20, 2, 2, 20, T0 - 100)
    event(21, 2, 2, 20, T0 - 90)
    event(20, 2, 2, 20, T0 + 3600 + 2 * 3600, kind=2)  # late check-out: no skew
    event(21, 2, 2, 20, T0 + 3600 + 4 * 3600)  # a check-in four hours after the end: skew
    return {"enrollments": from_rows("enrollments", enr), "sessions": from_rows("sessions", ses),
            "sites": from_rows("sites", sites), "events": from_rows("events", ev)}


def _report(tables) -> dict:
    con = ibis.duckdb.connect()
    try:
        return quality.report(load_snapshot(con, tables))
    finally:
        con.disconnect()


def test_each_kind_is_counted_with_its_class_and_institution() -> None:
    rep = _report(dirty_tables())
    assert rep["kinds"] == {"missing_coordinates": 1, "site_without_coordinates": 1,
                            "clock_skew": 2, "duplicate_event": 1, "partial_roster": 1}
    assert rep["total"] == 6
    assert rep["institutions"] == {"1": {"missing_coordinates": 1, "clock_skew": 1,
                                         "duplicate_event": 1, "partial_roster": 1},
                                   "2": {"site_without_coordinates": 1, "clock_skew": 1}}
    assert {(c["class_id"], c["kind"]) for c in rep["classes"]} == {
        (1, "missing_coordinates"), (1, "clock_skew"), (1, "duplicate_event"),
        (1, "partial_roster"), (2, "site_without_coordinates"), (2, "clock_skew")}
    assert rep["classes_affected"] == 2 and rep["institutions_affected"] == 2
    assert rep["parameters"]["skew_hours"] == 3.0


def test_a_duplicate_without_a_session_counts_and_another_kind_is_no_duplicate() -> None:
    tables = dirty_tables()
    ev = tables["events"].to_pylist()
    base = dict(ev[-1], session_id=None, occurred_s=T0 + 500)  # class 2, no session
    ev += [dict(base, event_id=900), dict(base, event_id=901),  # the same, twice
           dict(base, event_id=902, kind=2)]  # a check-out in the same second: not the same
    tables["events"] = from_rows("events", ev)
    rep = _report(tables)
    assert rep["kinds"]["duplicate_event"] == 2  # class 1's and this one
    assert rep["institutions"]["2"]["duplicate_event"] == 1


def test_parameters_move_the_thresholds() -> None:
    con = ibis.duckdb.connect()
    try:
        rep = quality.report(load_snapshot(con, dirty_tables()),
                             {"skew_hours": 9, "roster_min_share": 0.2})
    finally:
        con.disconnect()
    assert rep["kinds"]["clock_skew"] == 0 and rep["kinds"]["partial_roster"] == 0


def test_the_rules_stay_quiet_on_data_quality_issues() -> None:
    """Missing coordinates, skewed clocks, duplicates and a partial roster are reported, and
    no rule raises an alert on them (nor crashes)."""
    con = ibis.duckdb.connect()
    try:
        alerts, _ = run_rules(load_snapshot(con, dirty_tables()), PARAMS)
    finally:
        con.disconnect()
    assert alerts.num_rows == 0


def test_the_hand_built_rule_cases_have_a_report_and_no_crash() -> None:
    tables, _ = build()
    rep = _report(tables)
    assert set(rep["kinds"]) == set(quality.KINDS)
    # person 4's third check-in (no coordinates, mobile) is a missing coordinate
    assert rep["kinds"]["missing_coordinates"] >= 1
    assert rep["kinds"]["site_without_coordinates"] == 0


def test_an_empty_snapshot_reports_zero() -> None:
    rep = _report({})
    assert rep["total"] == 0 and rep["classes"] == [] and rep["institutions"] == {}


def test_a_failing_report_is_recorded_and_does_not_fail_anything() -> None:
    rep = runs.data_quality({})  # no tables at all: the expressions cannot be built
    assert "error" in rep


@pytest.mark.django_db
def test_a_scan_stores_the_report_and_shows_it(client) -> None:
    from tests.supervision.test_scan import planted_class

    planted_class()
    run = runs.risk_scan_compute(RiskRun.objects.create())
    assert run.status == "succeeded", run.error
    rep = run.counts[runs.QUALITY_KEY]
    assert set(rep["kinds"]) == set(quality.KINDS) and "quality" in run.timings
    # the planted class: nine enrolled, eight checked in on one session, no check-out
    assert rep["kinds"]["duplicate_event"] == 0
    api = OpenApiClient(client).login(f.staff())
    got = api.call("supervision_run_get", path={"run_id": run.pk})
    assert got.status == 200
    assert got.body["data_quality"]["kinds"] == rep["kinds"]
    assert runs.QUALITY_KEY not in got.body["counts"] and got.body["counts"]["events"] == 8
    client.force_login(f.staff())
    page = client.get(reverse("supervision:run_detail", args=[run.pk])).content.decode()
    assert 'id="quality"' in page and 'data-kind="clock_skew"' in page

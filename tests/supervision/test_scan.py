"""The risk scan over the operational database: snapshot through the other apps' selectors,
rules on DuckDB, alerts stored once per dedup key (a rerun updates them), scoped reads, the
alert workflow, and a failed run recorded."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.supervision import selectors
from jineng.supervision.choices import AlertStatus, RunMode, RunStatus
from jineng.supervision.models import RiskAlert, RiskRun
from jineng.supervision.services import alerts as alert_services
from jineng.supervision.services import runs
from jineng.training.choices import AttendanceMethod, EventKind
from jineng.training.models import AttendanceEvent
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def planted_class():
    """An open class of nine trainees: eight check in within one second of the first session
    (R06), five of them from one phone (R07)."""
    w = h.world()
    cls = h.declare(w)
    from jineng.training import services

    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    trainees = [h.enroll(w, cls) for _ in range(9)]
    services.class_transition(actor=w.operator, training_class=cls, action="open")
    session = cls.sessions.order_by("seq").first()
    at = session.starts_at - dt.timedelta(minutes=5)
    events = [AttendanceEvent(
        institution_id=cls.institution_id, training_class=cls, session=session, enrollment=e,
        kind=EventKind.CHECK_IN, method=AttendanceMethod.MOBILE if k < 5
        else AttendanceMethod.TERMINAL, occurred_at=at, received_at=at,
        idempotency_key=f"plant-{k}", device="phone-1" if k < 5 else "term-1",
        latitude=26.57, longitude=106.71) for k, e in enumerate(trainees[:8])]
    AttendanceEvent.objects.bulk_create(events)
    return w, cls


def scan(actor=None, **kw) -> RiskRun:
    run = RiskRun.objects.create(**kw)
    return runs.risk_scan_compute(run, by_user=actor)


def test_scan_finds_planted_patterns_and_a_rerun_adds_nothing() -> None:
    _w, cls = planted_class()
    run = scan()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.counts["events"] == 8 and run.counts["enrollments"] == 9
    assert set(run.rule_versions) >= {"R01", "R06", "R07"}
    assert {"snapshot", "rules", "store"} <= set(run.timings)
    codes = sorted(RiskAlert.objects.values_list("rule_code", flat=True))
    assert codes == ["R06", "R07"]
    r06 = RiskAlert.objects.get(rule_code="R06")
    assert r06.training_class_id == cls.pk and r06.region_id == cls.region_id
    assert r06.evidence["people"] == 8 and r06.evidence["session"] == cls.sessions.order_by(
        "seq").first().pk
    r07 = RiskAlert.objects.get(rule_code="R07")
    assert r07.subject_ref == "phone-1" and r07.evidence["people"] == 5
    assert run.alerts_new == 2

    again = scan()
    assert again.alerts_new == 0 and again.alerts_found == 2
    assert RiskAlert.objects.count() == 2
    r06.refresh_from_db()
    assert r06.times_seen == 2 and r06.last_run_id == again.pk and r06.first_run_id == run.pk


def test_clean_class_stays_quiet() -> None:
    w = h.world()
    h.open_class(w)
    assert scan().alerts_found == 0


def test_alerts_are_scoped_and_worked_by_inspectors() -> None:
    w, _cls = planted_class()
    scan()
    alert = RiskAlert.objects.get(rule_code="R06")
    inspector = f.staff("inspector", f.COUNTY)
    outsider = f.staff("inspector", f.OTHER_COUNTY)
    assert list(selectors.alert_list(actor=inspector, rule="R06")) == [alert]
    assert not selectors.alert_list(actor=outsider).exists()
    assert not selectors.alert_list(actor=w.operator).exists()  # institutions see no alerts
    with pytest.raises(NotFound):
        selectors.alert_get(actor=outsider, pk=alert.pk)
    with pytest.raises(NotFound):
        alert_services.risk_alert_transition(actor=w.operator, alert=alert, action="confirm",
                                             reason="x")
    a = alert_services.risk_alert_transition(actor=inspector, alert=alert,
                                             action="acknowledge")
    assert a.status == AlertStatus.ACKNOWLEDGED
    with pytest.raises(DomainError):
        alert_services.risk_alert_transition(actor=inspector, alert=alert, action="confirm")
    a = alert_services.risk_alert_transition(actor=inspector, alert=alert, action="confirm",
                                             reason="八人同秒签到，现场核实为代签")
    assert a.status == AlertStatus.CONFIRMED and a.decided_by == inspector.username
    stats = {r["code"]: r for r in selectors.rule_list(actor=inspector)}
    assert stats["R06"]["confirmed"] == 1 and stats["R06"]["precision"] == 1.0
    # A rerun keeps the decision.
    scan()
    a.refresh_from_db()
    assert a.status == AlertStatus.CONFIRMED and a.times_seen == 2


def test_start_checks_the_actor_and_keeps_one_active_run() -> None:
    with pytest.raises(Forbidden):
        runs.risk_scan_start(actor=f.staff("county_staff", f.COUNTY))
    staff = f.staff()
    with mock.patch("jineng.jobs.services.job_start") as start:
        start.return_value = mock.Mock(pk=1)
        first = runs.risk_scan_start(actor=staff)
        second = runs.risk_scan_start(actor=f.staff("inspector", f.PROVINCE))
    assert first.pk == second.pk and first.status == RunStatus.QUEUED
    with pytest.raises(DomainError):
        RiskRun.objects.all().delete()
        runs.risk_scan_start(actor=staff, mode=RunMode.INCREMENTAL)


def test_incremental_scan_reads_events_since() -> None:
    _w, _cls = planted_class()
    later = timezone.now() + dt.timedelta(days=400)
    run = scan(mode=RunMode.INCREMENTAL, since=later)
    assert run.status == RunStatus.SUCCEEDED and run.counts["events"] == 0


def test_failed_scan_is_recorded() -> None:
    with mock.patch("jineng.supervision.services.snapshot.load_snapshot_into",
                    side_effect=RuntimeError("boom")):
        run = scan()
    assert run.status == RunStatus.FAILED and "boom" in run.error


def test_rule_parameters_are_dated() -> None:
    staff = f.staff()
    with pytest.raises(Forbidden):
        alert_services.risk_rule_parameters_set(actor=f.staff("inspector", f.COUNTY),
                                                code="R06", valid_from=dt.date(2024, 1, 1),
                                                parameters={"min_people": 20})
    with pytest.raises(DomainError):
        alert_services.risk_rule_parameters_set(actor=staff, code="R06",
                                                valid_from=dt.date(2024, 1, 1),
                                                parameters={"people": 20})
    alert_services.risk_rule_parameters_set(actor=staff, code="R06",
                                            valid_from=dt.date(2024, 1, 1),
                                            parameters={"min_people": 20})
    planted_class()
    run = scan()
    assert run.rule_versions["R06"]["parameters"]["min_people"] == 20
    assert not RiskAlert.objects.filter(rule_code="R06").exists()


def test_trainee_insured_by_the_institution_that_trains_them() -> None:
    """R09 from the outcomes app's social-insurance records: one trainee insured by the
    institution in the class's first month; another by a different employer."""
    from decimal import Decimal

    from jineng.outcomes.choices import ImportKind, ImportSource
    from jineng.outcomes.models import InsuranceImport, InsuranceRecord
    from jineng.training import services

    w = h.world()
    cls = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    a, b = h.enroll(w, cls), h.enroll(w, cls)
    source = InsuranceImport.objects.create(kind=ImportKind.RECORDS, source=ImportSource.FILE,
                                            filename="t.csv", content_sha256="r" * 64,
                                            region=f.region(f.PROVINCE))
    month = cls.start_date.replace(day=1)
    InsuranceRecord.objects.bulk_create([
        InsuranceRecord(id_hash=e.person.id_hash, person=e.person, employer_code=code,
                        employer_region=f.region(f.COUNTY), month=month, pension=True,
                        wage_base=Decimal(4000), source_import=source)
        for e, code in ((a, w.org.credit_code), (b, w.other_org.credit_code))])
    run = scan()
    assert run.status == RunStatus.SUCCEEDED, run.error
    (alert,) = RiskAlert.objects.filter(rule_code="R09")
    assert alert.subject_ref == str(a.person_id) and alert.training_class_id == cls.pk
    assert alert.evidence["enrollment"] == a.pk and alert.evidence["months_insured"] == 1

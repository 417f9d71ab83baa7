"""The oversight services on the real database: scores sort the queue and roll up; a confirmed
alert's paid claims are recovered (state, fund ledger `recover`); sanctions take effect in
the catalog listing, the subsidy rules and lift only by the province; spot checks store a
draw anyone can repeat; inspections with checked uploads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jineng.accounts.models import Role
from jineng.catalog import selectors as catalog
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.subsidy import evaluation
from jineng.subsidy.models import BudgetEntry
from jineng.supervision import selectors
from jineng.supervision.rules import sampling
from jineng.supervision.services import alerts as alert_services
from jineng.supervision.services import oversight as services
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.subsidy import helpers as sh
from tests.supervision import oversight_helpers as oh
from tests.training import helpers as th

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100
PDF = b"%PDF-1.4\n" + b"1" * 100


def test_queue_sorted_by_score_and_rolled_up():
    low = oh.alert(rule="R03", severity="medium", training_class_id=5, subject_ref="5")
    high = oh.alert(rule="R06", severity="high", training_class_id=5, subject_ref="5",
                    institution_id=9)
    other = oh.alert(rule="R06", severity="high", training_class_id=6, subject_ref="6",
                     status="dismissed", reason="批量补传")
    inspector = f.staff(Role.INSPECTOR, f.COUNTY)
    listed = list(selectors.alert_list(actor=inspector))
    assert [a.pk for a in listed] == [high.pk, low.pk, other.pk]
    # R06: one dismissed → (0 + 1) / (1 + 2) = 1/3; × 3 = 1.0.  R03 medium: 2 × 1/2 = 1.0
    assert [a.score for a in listed] == [1.0, 1.0, 0.0]
    classes = selectors.class_risk_list(actor=inspector)
    assert classes == [{"class_id": 5, "score": 2.0, "alerts": sorted([high.pk, low.pk])}]
    assert selectors.institution_risk_list(actor=inspector)[0]["institution_id"] == 9
    risk = selectors.risk_of(actor=inspector, class_id=5)
    assert risk["score"] == 2.0 and {a.pk for a in risk["alerts"]} == {high.pk, low.pk}
    with pytest.raises(NotFound):
        selectors.risk_of(actor=f.staff(Role.INSPECTOR, f.OTHER_COUNTY), class_id=5)


def test_confirmed_alert_recovers_paid_claims(monkeypatch):
    a, claims = oh.paid_claims(monkeypatch, trainees=2)
    alert = oh.alert(subject_ref=str(a.cls.pk), training_class_id=a.cls.pk)
    inspector = f.staff(Role.INSPECTOR, f.COUNTY)
    with pytest.raises(DomainError):
        services.alert_recovery_start(actor=oh.city(), alert=alert)  # not confirmed yet
    alert_services.risk_alert_transition(actor=inspector, alert=alert, action="confirm",
                                         reason="现场核实：学员未到场")
    with pytest.raises(Forbidden):
        services.alert_recovery_start(actor=inspector, alert=alert)
    result = services.alert_recovery_start(actor=oh.city(), alert=alert)
    assert sorted(result.recovered) == sorted(c.pk for c in claims)
    assert result.amount == sum((c.amount for c in claims), Decimal("0"))
    for c in claims:
        c.refresh_from_db()
        assert c.status == "recovered"
    entries = BudgetEntry.objects.filter(kind="recover", claim__in=claims)
    assert entries.count() == 2
    again = services.alert_recovery_start(actor=oh.city(), alert=alert)  # idempotent
    assert again.recovered == [] and sorted(again.already) == sorted(c.pk for c in claims)
    assert BudgetEntry.objects.filter(kind="recover", claim__in=claims).count() == 2


def test_suspension_unlists_and_only_the_province_lifts(monkeypatch):
    org = f.OrganizationFactory()
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    with pytest.raises(Forbidden):
        services.sanction_impose(actor=f.staff(Role.INSPECTOR, f.COUNTY), kind="suspend",
                                 organization_id=org.pk, reason="骗补")
    s = services.sanction_impose(actor=county, kind="suspend", organization_id=org.pk,
                                 reason="虚假培训，暂停目录资格")
    org.refresh_from_db()
    assert org.status == "suspended"
    today = dt.date.today()
    assert catalog.organization_status_on(org, today) == "suspended"
    assert not catalog.institution_listed_as_of(org, None, None, None, today)
    assert not catalog.evaluator_listed_as_of(org, None, None, today)
    with pytest.raises(Forbidden):
        services.sanction_lift(actor=county, sanction=s, reason="整改完成")
    with pytest.raises(Forbidden):
        services.sanction_lift(actor=oh.city(), sanction=s, reason="整改完成")
    services.sanction_lift(actor=f.staff(), sanction=s, reason="整改完成")
    org.refresh_from_db()
    assert org.status == "listed"
    s.refresh_from_db()
    assert s.status == "lifted"


def test_removal_is_final():
    org = f.OrganizationFactory()
    s = services.sanction_impose(actor=f.staff(), kind="remove", organization_id=org.pk,
                                 reason="严重骗补，清退出目录")
    org.refresh_from_db()
    assert org.status == "revoked"
    with pytest.raises(DomainError):
        services.sanction_lift(actor=f.staff(), sanction=s, reason="申诉")


def test_barred_person_is_refused_person_barred(monkeypatch):
    sh.use_params(monkeypatch)
    a = sh.assessed_class(2)
    person = a.enrollments[0].person
    s = services.sanction_impose(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY), kind="bar",
                                 person_id=person.pk, days=365, reason="冒名顶替参训",
                                 valid_from=dt.date(2026, 1, 1))
    assert s.valid_until == dt.date(2026, 12, 31)
    with pytest.raises(DomainError):  # twice in the same period
        services.sanction_impose(actor=f.staff(), kind="bar", person_id=person.pk, days=30,
                                 reason="重复", valid_from=dt.date(2026, 2, 1))
    result = sh.drafts(a)
    assert [(c.person_id, c.refusal_code) for c in result.refused] == [
        (person.pk, "person_barred")]
    assert [c.person_id for c in result.created] == [a.enrollments[1].person_id]
    assert evaluation.refusal_sentence(evaluation.refused("training", "person_barred",
                                                          until="2026-12-31"))


def test_spot_check_stores_a_draw_anyone_repeats():
    w = th.world()
    classes = [th.declare(w, name=f"第{k}期",
                          sessions=th.sessions(start=th.START + dt.timedelta(weeks=2 * k)))
               for k in range(4)]
    TrainingClass.objects.filter(pk__in=[c.pk for c in classes]).update(status="approved")
    oh.alert(training_class_id=classes[0].pk, subject_ref=str(classes[0].pk))
    inspector = f.staff(Role.INSPECTOR, f.CITY)
    with pytest.raises(Forbidden):
        services.spot_check_draw(actor=f.operator(w.org), population="class",
                                 region_code=f.CITY)
    with pytest.raises(DomainError):
        services.spot_check_draw(actor=inspector, population="class", region_code=f.CITY,
                                 confidence=1.5)
    with pytest.raises(NotFound):
        services.spot_check_draw(actor=inspector, population="class",
                                 region_code=f.OTHER_CITY)
    sc = services.spot_check_draw(actor=inspector, population="class", region_code=f.CITY,
                                  confidence=0.95, margin=0.05, seed="pub-2026-06")
    assert sc.population_size == 4 and sc.sample_size == 4
    frame = [tuple(x) for x in sc.parameters["frame"]]
    redrawn = sampling.draw(sc.seed, frame, sampling.sample_size(len(frame), 0.95, 0.05))
    assert [(it["id"], it["stratum"]) for it in sc.items] == redrawn
    assert sc.strata["high"][0] + sc.strata["none"][0] + sc.strata["low"][0] \
        + sc.strata["medium"][0] == 4
    with pytest.raises(NotFound):
        selectors.spot_check_get(actor=f.staff(Role.INSPECTOR, f.OTHER_CITY), pk=sc.pk)


def test_inspection_of_an_alert_with_files():
    alert = oh.alert()
    inspector = f.staff(Role.INSPECTOR, f.COUNTY)
    with pytest.raises(Forbidden):
        services.inspection_plan(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY), mode="onsite",
                                 planned_for=dt.date(2026, 7, 1), alert=alert)
    i = services.inspection_plan(actor=inspector, mode="onsite",
                                 planned_for=dt.date(2026, 7, 1), alert=alert)
    assert i.status == "planned" and i.region.code == f.COUNTY
    photo = services.inspection_attach(actor=inspector, inspection=i, name="现场.jpg",
                                       data=JPEG)
    assert photo.kind == "photo" and photo.content_type == "image/jpeg"
    same = services.inspection_attach(actor=inspector, inspection=i, name="现场.jpg", data=JPEG)
    assert same.pk == photo.pk
    for name, data in (("a.exe", b"MZ\x90\x00"), ("scan.pdf", JPEG), ("x.pdf", b""),
                       ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))):
        with pytest.raises(DomainError):
            services.inspection_attach(actor=inspector, inspection=i, name=name, data=data)
    assert i.files.count() == 1
    with pytest.raises(DomainError):
        services.inspection_transition(actor=inspector, inspection=i, action="record")
    services.inspection_transition(actor=inspector, inspection=i, action="record",
                                   findings="到场学员 3 人，签到 8 人")
    services.inspection_attach(actor=inspector, inspection=i, name="笔录.pdf", data=PDF)
    done = services.inspection_transition(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY),
                                          inspection=i, action="close")
    assert done.status == "closed" and done.closed_at
    with pytest.raises(DomainError):
        services.inspection_attach(actor=inspector, inspection=i, name="b.png",
                                   data=b"\x89PNG\r\n\x1a\nxx")
    with pytest.raises(NotFound):
        services.inspection_transition(actor=f.staff(Role.INSPECTOR, f.OTHER_COUNTY),
                                       inspection=i, action="close")


def test_suspended_institution_declares_no_class():
    w = th.world()
    services.sanction_impose(actor=f.staff(), kind="suspend", organization_id=w.org.pk,
                             reason="虚假培训，暂停")
    later = dt.date.today() + dt.timedelta(days=14)
    with pytest.raises(DomainError) as refused:
        th.declare(w, sessions=th.sessions(start=later))
    assert refused.value.code == "not_listed"

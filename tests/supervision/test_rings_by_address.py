"""R08 rings linked by a shared residence address (issue 13 rule 8): trainees of two classes of
two institutions who share nothing but an address — written apart (full-width digits, spaces,
punctuation) — are one ring on a full scan; four of them are none (five are the default), and
an address too short to mean anything (under six characters once normalised) links nobody."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from jineng.registry.models import Person
from jineng.supervision.choices import RunStatus
from jineng.supervision.models import RiskAlert, RiskRun
from jineng.supervision.services import runs
from jineng.training import services as training
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db

# One flat, as five people wrote it down.
SPELLINGS = (
    "南明区人民路12号3单元401室",
    "南明区人民路１２号３单元４０１室",
    "南明区 人民路12号 3单元 401室",
    "南明区人民路12号，3单元401室。",
    "南明区人民路12号-3单元-401室",
)


def scan() -> RiskRun:
    run = runs.risk_scan_compute(RiskRun.objects.create())
    assert run.status == RunStatus.SUCCEEDED, run.error
    return run


def _class_of(w, people: range, **overrides):
    cls = h.declare(w, **overrides)
    training.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    enrolled = [h.enroll(w, cls, n=n) for n in people]
    training.class_transition(actor=w.operator, training_class=cls, action="open")
    return cls, enrolled


def two_institutions():
    """An open class of three trainees at one institution and one of two at another, two
    months later; every trainee with a phone of their own."""
    w = h.world()
    first, a = _class_of(w, range(400, 403))
    teacher = training.teacher_create(actor=w.other_operator, name="李老师",
                                      id_number=f.id_number_for(birth=dt.date(1981, 2, 3)))
    other = dataclasses.replace(w, org=w.other_org, site=w.other_site,
                                operator=w.other_operator, teacher=teacher)
    second, b = _class_of(other, range(500, 502), site=w.other_site, teachers=(teacher,),
                          sessions=h.sessions(start=h.START + dt.timedelta(days=60)))
    people = [e.person_id for e in a + b]
    for i, pk in enumerate(people):
        Person.objects.filter(pk=pk).update(phone=f"1380000{i:04d}")
    return first, second, people


def test_a_ring_linked_only_by_an_address_across_classes_and_institutions() -> None:
    first, second, people = two_institutions()
    assert first.site.organization_id != second.site.organization_id
    for pk, spelling in zip(people, SPELLINGS, strict=True):
        Person.objects.filter(pk=pk).update(address=spelling)
    scan()
    ring = RiskAlert.objects.get(rule_code="R08")
    assert ring.subject_ref == str(min(people)) and ring.training_class_id == first.pk
    assert ring.evidence["people"] == 5 and ring.evidence["classes"] == 2
    assert ring.evidence["institutions"] == 2
    # One of them moves out (another flat of the same building): four are no ring.
    Person.objects.filter(pk=people[-1]).update(address="南明区人民路12号3单元402室")
    RiskAlert.objects.all().delete()
    scan()
    assert not RiskAlert.objects.filter(rule_code="R08").exists()


def test_an_address_too_short_to_mean_anything_links_nobody() -> None:
    _first, _second, people = two_institutions()
    Person.objects.filter(pk__in=people).update(address="南明区 1号")
    scan()
    assert not RiskAlert.objects.filter(rule_code="R08").exists()
    # The same five under a whole address are a ring (the scan above did find the trainees).
    Person.objects.filter(pk__in=people).update(address="南明区人民路1号")
    scan()
    assert RiskAlert.objects.filter(rule_code="R08").count() == 1

"""Certificates from outside recorded one by one (services.certificate_record_outside) and
marked verified: the holder registered, the number's layout, idempotence by number."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import Certificate
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.assessment import outside_helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    return f.staff("city_staff", f.CITY)


def test_record_then_same_again_answers_the_same_record(clerk):
    p = h.person()
    cert, created = services.certificate_record_outside(actor=clerk, data=h.data(p))
    assert created
    assert (cert.person, cert.origin, cert.verified, cert.region.code) == (
        p, "other_province", False, f.COUNTY)
    assert cert.fingerprint
    again, created = services.certificate_record_outside(actor=clerk, data=h.data(p))
    assert (again.pk, created) == (cert.pk, False)
    assert Certificate.objects.count() == 1
    assert AuditEvent.objects.filter(entity_type="assessment.certificate").count() == 1


def test_number_is_normalized_before_the_repeat_check(clerk):
    p = h.person()
    services.certificate_record_outside(actor=clerk, data=h.data(p))
    _again, created = services.certificate_record_outside(
        actor=clerk, data=h.data(p, number=" " + h.number().lower() + " "))
    assert not created


@pytest.mark.parametrize(("change", "field"), [
    ({"issuer_name": "另一机构"}, "issuer_name"),
    ({"issued_on": dt.date(2025, 7, 1)}, "issued_on"),
    ({"origin": "national"}, "origin"),
    ({"work_type": "失智照护"}, "work_type"),
])
def test_same_number_other_content_is_a_conflict_naming_the_field(clerk, change, field):
    p = h.person()
    services.certificate_record_outside(actor=clerk, data=h.data(p))
    with pytest.raises(Conflict) as caught:
        services.certificate_record_outside(actor=clerk, data=h.data(p, **change))
    assert caught.value.field == field
    assert Certificate.objects.count() == 1


def test_same_number_for_another_person_is_a_conflict(clerk):
    p, other = h.person(), h.person()
    services.certificate_record_outside(actor=clerk, data=h.data(p))
    with pytest.raises(Conflict) as caught:
        services.certificate_record_outside(actor=clerk, data=h.data(other))
    assert caught.value.field == "id_number"


def test_a_number_issued_here_is_a_conflict(clerk):
    p = h.person()
    services.certificate_record_outside(actor=clerk, data=h.data(p))
    Certificate.objects.update(origin="issued")
    with pytest.raises(Conflict) as caught:
        services.certificate_record_outside(actor=clerk, data=h.data(p))
    assert caught.value.code == "number_issued_here"


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"number": "S00005200000125500000"}, "number", "number_layout"),  # 21 characters
    ({"number": "X000052000001255000001"}, "number", "number_layout"),
    ({"number": "S000099000001255000001"}, "number", "number_layout"),  # no province 99
    ({"number": "S000052000001256000001"}, "number", "number_layout"),  # level 6
    ({"number": "S000052000001254000001"}, "level", "level_mismatch"),  # says 中级工
    ({"number": h.number(year="24")}, "issued_on", "year_mismatch"),
    ({"number": ""}, "number", "required"),
    ({"issued_on": timezone.localdate() + dt.timedelta(days=1)}, "issued_on", "future"),
    ({"level": None}, "level", "required"),
    ({"occupation": None}, "occupation", "required"),
    ({"holder_name": "别人"}, "holder_name", "name_mismatch"),
    ({"origin": "issued"}, "origin", "invalid"),
    ({"kind": "diploma"}, "kind", "invalid"),
    ({"issuer_name": " "}, "issuer_name", "required"),
    ({"kind": "training", "number": "PX20250001", "title": ""}, "title", "required"),
])
def test_bad_input_names_the_field_and_writes_nothing(clerk, change, field, code):
    p = h.person()
    with pytest.raises(DomainError) as caught:
        services.certificate_record_outside(actor=clerk, data=h.data(p, **change))
    assert (caught.value.field, caught.value.code) == (field, code)
    assert not Certificate.objects.exists()
    assert not AuditEvent.objects.filter(entity_type="assessment.certificate").exists()


def test_unregistered_or_out_of_scope_holder_is_refused(clerk):
    stranger = f.id_number_for(n=777)
    p = h.person()
    with pytest.raises(DomainError) as caught:
        services.certificate_record_outside(
            actor=clerk, data=h.data(p, id_number=stranger))
    assert caught.value.code == "unregistered"
    elsewhere = h.person(region=f.region(f.OTHER_CITY_COUNTY))
    with pytest.raises(DomainError) as caught:
        services.certificate_record_outside(actor=clerk, data=h.data(elsewhere))
    assert caught.value.code == "unregistered"


@pytest.mark.parametrize(("kind", "number", "extra"), [
    ("skill_level", "0852010210300001", {"level": "grade3"}),  # legacy, 三级
    ("qualification", "0852010210500001", {}),
    ("qualification", "1234567890123", {}),  # 13 digits
    ("special_operation", "T520102199001011234", {"occupation": None, "level": None,
                                                  "title": "低压电工作业"}),
    ("special_ability", "ZX4320250001", {"level": None, "special_ability_item": "手工刺绣"}),
    ("skill_level", h.number(level_digit="T"), {"level": "principal"}),  # 特级技师
])
def test_kinds_and_legacy_numbers(clerk, kind, number, extra):
    p = h.person()
    if isinstance(extra.get("level"), str):
        extra = {**extra, "level": h.level(extra["level"])}
    cert, created = services.certificate_record_outside(
        actor=clerk,
        data=h.data(p, kind=kind, number=number, origin="other_authority", **extra))
    assert created and cert.kind == kind


def test_legacy_number_of_another_level_is_refused(clerk):
    with pytest.raises(DomainError) as caught:
        services.certificate_record_outside(actor=clerk, data=h.data(
            h.person(), number="0852010210300001", level=h.level("grade5")))
    assert caught.value.field == "level"


def test_only_hrss_staff_record(clerk):
    p = h.person()
    evaluator = f.OrganizationFactory(kind="evaluation", institution_type="")
    with pytest.raises(Forbidden):
        services.certificate_record_outside(actor=f.operator(evaluator), data=h.data(p))


def test_recorded_verified_keeps_who_and_the_note(clerk):
    cert, _ = services.certificate_record_outside(
        actor=clerk, data=h.data(h.person(), verified=True, note="湖南省平台查询一致"))
    assert cert.verified and cert.verified_by == clerk.username and cert.verified_at
    assert cert.verified_note == "湖南省平台查询一致"


def test_mark_verified_and_back(clerk):
    cert, _ = services.certificate_record_outside(actor=clerk, data=h.data(h.person()))
    cert = services.certificate_mark_verified(actor=clerk, certificate=cert, verified=True,
                                              note="全国联网查询一致")
    cert.refresh_from_db()
    assert cert.verified and cert.verified_note == "全国联网查询一致"
    with pytest.raises(DomainError) as caught:
        services.certificate_mark_verified(actor=clerk, certificate=cert, verified=True)
    assert caught.value.code == "no_change"
    with pytest.raises(DomainError) as caught:  # withdrawing the mark needs a reason
        services.certificate_mark_verified(actor=clerk, certificate=cert, verified=False)
    assert caught.value.field == "note"
    services.certificate_mark_verified(actor=clerk, certificate=cert, verified=False,
                                       note="发证机构回函：查无此证")
    cert.refresh_from_db()
    assert not cert.verified
    events = AuditEvent.objects.filter(entity_type="assessment.certificate", action="update")
    assert events.count() == 2


def test_mark_verified_out_of_scope_is_not_found(clerk):
    cert, _ = services.certificate_record_outside(actor=clerk, data=h.data(h.person()))
    with pytest.raises(NotFound):
        services.certificate_mark_verified(actor=f.staff("city_staff", f.OTHER_CITY),
                                           certificate=cert, verified=True)


def test_a_certificate_issued_here_is_not_marked(clerk):
    cert, _ = services.certificate_record_outside(actor=clerk, data=h.data(h.person()))
    Certificate.objects.filter(pk=cert.pk).update(origin="issued")
    with pytest.raises(DomainError) as caught:
        services.certificate_mark_verified(actor=clerk, certificate=cert, verified=True)
    assert caught.value.code == "issued_here"

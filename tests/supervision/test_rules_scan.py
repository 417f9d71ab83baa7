"""The rules of the second round over the operational database: rings of trainees sharing a
phone (R08, hashed in the registry selector), trainees on an imported exclusion list (R16A),
subsidies imported from the previous system counted by R12 and R14B; and the exclusion-list
import through its API (row errors in Chinese naming row and field, idempotent, conflicts)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from jineng.accounts.models import Role
from jineng.core import pii
from jineng.registry.models import Person
from jineng.subsidy.models import HistoricSubsidy
from jineng.supervision.choices import RunStatus
from jineng.supervision.models import ExclusionListEntry, RiskAlert, RiskRun
from jineng.supervision.services import runs
from jineng.training import services as training
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


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


def two_classes():
    """Two open classes of one institution, three and two trainees, two months apart."""
    w = h.world()
    first, a = _class_of(w, range(400, 403))
    second, b = _class_of(w, range(500, 502),
                          sessions=h.sessions(start=h.START + dt.timedelta(days=60)))
    return w, first, second, a, b


def test_ring_of_trainees_sharing_a_phone_across_classes() -> None:
    _w, first, _second, a, b = two_classes()
    people = [e.person_id for e in a + b]
    Person.objects.filter(pk__in=people).update(phone="+86 138-0000-0000")
    scan()
    ring = RiskAlert.objects.get(rule_code="R08")
    assert ring.subject_ref == str(min(people)) and ring.training_class_id == first.pk
    assert ring.evidence["people"] == 5 and ring.evidence["classes"] == 2
    # Four sharing it are no ring (five are the default).
    Person.objects.filter(pk=people[0]).update(phone="13900000000")
    RiskAlert.objects.all().delete()
    scan()
    assert not RiskAlert.objects.filter(rule_code="R08").exists()


def test_trainee_on_an_imported_student_list(client) -> None:
    _w, first, _second, a, _b = two_classes()
    student = Person.objects.get(pk=a[0].person_id)
    api = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.CITY))
    body = {"list_kind": "student", "region": f.CITY,
            "rows": [{"id_number": pii.decrypt(student.id_encrypted), "name": student.name,
                      "valid_from": "2020-09-01"}]}
    assert api.call("supervision_exclusion_import_rows", json_body=body).body["created"] == 1
    scan()
    (alert,) = RiskAlert.objects.filter(rule_code="R16A")
    assert alert.subject_ref == str(student.pk) and alert.training_class_id == first.pk
    assert alert.evidence["enrollment"] == a[0].pk and alert.evidence["list"] == 2


def test_subsidies_paid_before_jineng_count(client) -> None:
    w, first, _second, a, _b = two_classes()
    person = Person.objects.get(pk=a[0].person_id)
    for number in ("OLD-1", "OLD-2"):
        HistoricSubsidy.objects.create(
            province_code="520000", claim_number=number, id_hash=person.id_hash,
            id_masked=person.id_masked, name=person.name, kind="training", status="paid",
            region=f.region(f.COUNTY), payee_kind="person", occupation=first.occupation,
            level=first.level, claim_date=dt.date(2023, 5, 1), amount="800.00",
            content_hash=number)
    scan()
    same = RiskAlert.objects.get(rule_code="R14B")
    assert same.subject_ref == str(person.pk) and same.evidence["claims"] == 2
    repeat = RiskAlert.objects.get(rule_code="R12")  # one class here, two before jineng
    assert repeat.subject_ref == str(person.pk) and repeat.evidence["classes"] == 3
    del w


def _csv(rows: list[str]) -> io.BytesIO:
    data = io.BytesIO(("\ufeff身份证号,姓名,起始日期,截止日期\n" + "\n".join(rows) + "\n")
                      .encode())
    data.name = "pension.csv"
    return data


def test_exclusion_file_import_errors_idempotence_and_conflict(client) -> None:
    f.region(f.CITY)
    api = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.CITY))
    good, other = f.id_number_for(n=1), f.id_number_for(n=2)
    form = {"list_kind": "pension", "region": f.CITY}
    bad = api.call("supervision_exclusion_import", form=form, files={"file": _csv(
        [f"{good},张三,2024-01-01,", f"{other[:-1]}0,李四,2024-13-01,"])})
    assert bad.status == 200 and bad.body["written"] is False
    errors = {(e["row"], e["field"]) for e in bad.body["errors"]}
    assert errors == {(3, "id_number"), (3, "valid_from")}
    assert ExclusionListEntry.objects.count() == 0
    rows = [f"{good},张三,2024-01-01,", f"{other},李四,2024-02-01,2025-01-31"]
    done = api.call("supervision_exclusion_import", form=form, files={"file": _csv(rows)})
    assert done.body["created"] == 2 and done.body["written"] is True
    entry = ExclusionListEntry.objects.get(id_masked=pii.mask_id_number(good))
    assert entry.id_hash == pii.keyed_hash(good) and good not in entry.id_encrypted
    assert pii.decrypt(entry.id_encrypted) == good
    again = api.call("supervision_exclusion_import", form=form, files={"file": _csv(rows)})
    assert again.body["created"] == 0 and again.body["unchanged"] == 2
    conflict = api.call("supervision_exclusion_import", form=form,
                        files={"file": _csv([f"{good},张三,2024-03-01,"])})
    assert conflict.body["written"] is False
    assert [(e["row"], e["field"]) for e in conflict.body["errors"]] == [(2, "valid_from")]
    listed = api.call("supervision_exclusion_list", query={"list_kind": "pension"})
    assert {e["id_masked"] for e in listed.body} == {pii.mask_id_number(good),
                                                     pii.mask_id_number(other)}
    assert all(good not in str(e) for e in listed.body)
    outsider = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.OTHER_CITY))
    assert outsider.call("supervision_exclusion_list").body == []
    assert outsider.call("supervision_exclusion_import", form=form,
                         files={"file": _csv(rows)}).status == 403


def test_online_learning_at_an_impossible_pace() -> None:
    """Twelve hours of xAPI learning time in one day (six two-hour segments) for one trainee;
    three hours for another."""
    from jineng.training.choices import AttendanceMethod, EventKind
    from jineng.training.models import AttendanceEvent

    _w, first, _second, a, _b = two_classes()
    day = dt.datetime.combine(h.START, dt.time(8), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    rows = []
    for enrollment, n in ((a[0], 6), (a[1], 1)):
        for k in range(n):
            at = day + dt.timedelta(hours=2 * k)
            rows.append(AttendanceEvent(
                institution_id=first.institution_id, training_class=first,
                enrollment=enrollment, kind=EventKind.ONLINE, method=AttendanceMethod.ONLINE,
                occurred_at=at, received_at=at, online_seconds=2 * 3600,
                idempotency_key=f"xapi:{enrollment.pk}-{k}"))
    AttendanceEvent.objects.bulk_create(rows)
    run = scan()
    assert run.counts["online"] == 7
    (alert,) = RiskAlert.objects.filter(rule_code="R17A")
    assert alert.subject_ref == str(a[0].person_id) and alert.evidence["hours"] == 12.0
    assert not RiskAlert.objects.filter(rule_code__in=["R17B", "R17C"]).exists()


def test_online_hours_with_hardly_any_interaction() -> None:
    """R17D through the xAPI ingestion: nine hours learned with one interaction (0.11 an
    hour) fires; nine hours with nine interactions does not; nine hours in a class whose
    platform sends no interactions at all are not judged."""
    import uuid
    from decimal import Decimal

    w = h.world()
    first, a = _class_of(w, range(400, 403), online_share=Decimal("0.5"))
    second, b = _class_of(w, range(500, 502), online_share=Decimal("0.5"),
                          sessions=h.sessions(start=h.START + dt.timedelta(days=60)))
    verbs = "http://adlnet.gov/expapi/verbs/"

    def statement(cls, enrollment, day, verb="completed", minutes=180):
        at = dt.datetime.combine(h.START + dt.timedelta(days=day), dt.time(9), tzinfo=h.TZ)
        return {"id": str(uuid.uuid4()), "actor": {"account": {"name": str(enrollment.pk)}},
                "verb": {"id": verbs + verb}, "object": {"id": f"urn:jineng:class:{cls.pk}"},
                "result": {"duration": f"PT{minutes}M"}, "timestamp": at.isoformat()}

    statements = []
    for cls, enrollment, n in ((first, a[0], 1), (first, a[1], 9), (second, b[0], 0)):
        statements += [statement(cls, enrollment, day) for day in range(3)]
        statements += [statement(cls, enrollment, k % 3, "answered") for k in range(n)]
    report = training.attendance_ingest_xapi(actor=w.operator, statements=statements)
    assert report.rejected == 0, [r.errors for r in report.results if r.errors]
    run = scan()
    assert (run.counts["online"], run.counts["interactions"]) == (9, 10)
    (alert,) = RiskAlert.objects.filter(rule_code="R17D")
    assert (alert.subject_ref, alert.training_class_id) == (str(a[0].person_id), first.pk)
    assert (alert.evidence["hours"], alert.evidence["interactions"]) == (9, 1)
    assert alert.evidence["interactions_per_hour"] == 0.11
    # a voided interaction is no interaction: the class then has none and is not judged
    from jineng.training.models import AttendanceEvent

    AttendanceEvent.objects.filter(kind=4).update(voided_at=dt.datetime.now(dt.UTC))
    again = scan()
    assert again.counts["interactions"] == 0
    alert.refresh_from_db()
    assert alert.last_run_id == run.pk and alert.times_seen == 1  # not raised again
    assert RiskAlert.objects.filter(rule_code="R17D").count() == 1


def test_trainee_insured_in_another_city_during_the_class() -> None:
    """R15 from the outcomes records: one trainee insured by an employer in Zunyi in the
    class's month while the site is in Guiyang; another by a Guiyang employer."""
    from decimal import Decimal

    from jineng.outcomes.choices import ImportKind, ImportSource
    from jineng.outcomes.models import InsuranceImport, InsuranceRecord

    _w, first, _second, a, _b = two_classes()
    assert first.site.region.code.startswith(f.CITY[:4])
    source = InsuranceImport.objects.create(kind=ImportKind.RECORDS, source=ImportSource.FILE,
                                            filename="t.csv", content_sha256="s" * 64,
                                            region=f.region(f.PROVINCE))
    month = first.start_date.replace(day=1)
    InsuranceRecord.objects.bulk_create([
        InsuranceRecord(id_hash=e.person.id_hash, person=e.person,
                        employer_code=f.credit_code_for(region), employer_region=f.region(region),
                        month=month, pension=True, wage_base=Decimal(4000),
                        source_import=source)
        for e, region in ((a[0], f.OTHER_CITY_COUNTY), (a[1], f.COUNTY))])
    scan()
    (alert,) = RiskAlert.objects.filter(rule_code="R15")
    assert alert.subject_ref == str(a[0].person_id) and alert.training_class_id == first.pk
    assert alert.evidence["employer_city"] == int(f.OTHER_CITY) and alert.evidence["months"] == 1

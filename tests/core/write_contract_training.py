"""Write-contract cases of the training app (see tests/core/write_contract.py). The services
are named as `jineng.training.services` publishes them (a package of sub-domain modules)."""

from __future__ import annotations

import datetime as dt
import uuid

from jineng.core import pii
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.training import services as training
from jineng.training.models import TrainingClass
from jineng.training.rules.xapi import VERB_COMPLETED
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.training import helpers as h

D = dt.date
CLASS = "training.trainingclass"


def _trainee(n: int = 951, **kw) -> training.EnrollmentInput:
    number = f.id_number_for(birth=h.BIRTH, n=n)
    return training.EnrollmentInput(id_number=number, name=kw.pop("name", "合约学员"), **kw)


def _open_with_trainee(w):
    cls = h.declare(w)
    training.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    enrollment = h.enroll(w, cls, n=961)
    cls = training.class_transition(actor=w.operator, training_class=cls, action="open")
    return cls, enrollment


@case("training.teacher_create", audit=[(A.CREATE, "training.teacher")])
def _teacher_create() -> Attempts:
    w = h.world()
    number = f.id_number_for(birth=D(1985, 3, 3), n=971)
    taken = f.id_number_for(birth=D(1985, 3, 3), n=972)
    training.teacher_create(actor=w.operator, name="赵老师", id_number=taken)
    ok = {"actor": w.operator, "name": "李老师", "id_number": number}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator, "organization": w.org}, Forbidden,
                "another institution"),
        Refused({**ok, "name": " "}, DomainError, "no name"),
        Refused({**ok, "id_number": taken}, Conflict, "registered already"),
    ])


def _declaring(service: str, **extra):
    @case(f"training.{service}", audit=[(A.CREATE, CLASS)])
    def build() -> Attempts:
        w = h.world()
        data = h.class_input(w, **extra)
        return Attempts(ok={"actor": w.operator, "data": data}, refused=[
            Refused({"actor": w.county_staff, "data": data}, Forbidden, "not an institution"),
            Refused({"actor": w.other_operator, "data": data}, DomainError,
                    "another institution's site"),
            Refused({"actor": w.operator, "data": h.class_input(w, planned_size=0, **extra)},
                    DomainError, "no trainees planned"),
        ])
    return build


_declaring("class_declare")
_declaring("class_declare_once", client_ref="contract-1")


@case("training.class_transition", audit=[(A.TRANSITION, CLASS)])
def _class_transition() -> Attempts:
    w = h.world()
    cls = h.declare(w)
    ok = {"actor": w.county_staff, "training_class": cls, "action": "approve"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another institution's class"),
        Refused({**ok, "actor": f.staff("county_staff", f.OTHER_COUNTY)}, NotFound,
                "out of scope"),
        Refused({**ok, "actor": w.operator}, Forbidden, "an institution approving itself"),
        Refused({**ok, "action": "finish"}, DomainError, "not a move from declared"),
    ])


@case("training.class_mark_assessed", audit=[(A.TRANSITION, CLASS)])
def _class_mark_assessed() -> Attempts:
    w = h.world()
    cls = h.declare(w)
    finished = h.declare(w, sessions=h.sessions(start=D(2026, 4, 6)))
    TrainingClass.objects.filter(pk=finished.pk).update(status="finished")
    ok = {"actor": w.county_staff, "training_class": finished, "reason": "评价结束"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "training_class": cls}, DomainError, "not finished yet"),
    ])


def _enrolling(service: str):
    # A newcomer is registered as a person on the way: two events.
    @case(f"training.{service}", audit=[(A.CREATE, "training.enrollment"),
                                        (A.CREATE, "registry.person")])
    def build() -> Attempts:
        w = h.world()
        cls = h.declare(w)
        ok = {"actor": w.operator, "training_class": cls, "data": _trainee()}
        return Attempts(ok=ok, refused=[
            Refused({**ok, "actor": w.other_operator}, NotFound, "another institution"),
            Refused({**ok, "actor": w.county_staff}, Forbidden, "staff do not enroll"),
            Refused({**ok, "data": _trainee(name=" ")}, DomainError, "no name"),
            Refused({**ok, "data": training.EnrollmentInput(
                id_number="520102199005171231", name="错号")}, DomainError, "wrong check digit"),
        ])
    return build


_enrolling("enrollment_create")
_enrolling("enrollment_create_once")


@case("training.enrollment_withdraw", audit=[(A.UPDATE, "training.enrollment")])
def _enrollment_withdraw() -> Attempts:
    w = h.world()
    cls = h.declare(w)
    enrollment = h.enroll(w, cls, n=962)
    ok = {"actor": w.operator, "enrollment": enrollment, "reason": "外出务工"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another institution"),
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
    ])


@case("training.eligibility_parameter_set", audit=[(A.CREATE, "training.eligibilityparameter")])
def _eligibility_parameter_set() -> Attempts:
    ok = {"actor": f.staff("county_staff", f.COUNTY), "region": f.region(f.COUNTY),
          "valid_from": D(2026, 7, 1), "source": "黔人社发〔2026〕1号"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff("county_staff", f.OTHER_COUNTY)}, Forbidden,
                "out of scope"),
        Refused({**ok, "region": None}, Forbidden, "the national parameter"),
        Refused({**ok, "female_basis": 60}, DomainError, "not 50 or 55"),
    ])


@case("training.attendance_ingest", audit=[(A.IMPORT, "training.attendanceevent")])
def _attendance_ingest() -> Attempts:
    w = h.world()
    cls, enrollment = _open_with_trainee(w)
    events = [{"idempotency_key": "contract-in", "class_id": cls.pk, "kind": "check_in",
               "method": "terminal", "id_number": pii.decrypt(enrollment.person.id_encrypted),
               "occurred_at": h.at(h.START, 8, 55).isoformat()}]
    ok = {"actor": w.operator, "events": events}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.county_staff}, Forbidden, "not an institution"),
        Refused({**ok, "events": [{}] * (training.MAX_BATCH + 1)}, DomainError,
                "batch too large"),
    ])


@case("training.attendance_ingest_xapi", audit=[(A.IMPORT, "training.attendanceevent")])
def _attendance_ingest_xapi() -> Attempts:
    w = h.world()
    cls, enrollment = _open_with_trainee(w)
    statement = {"id": str(uuid.uuid4()),
                 "actor": {"account": {"homePage": "https://lms.example",
                                       "name": str(enrollment.pk)}},
                 "verb": {"id": VERB_COMPLETED}, "object": {"id": f"urn:jineng:class:{cls.pk}"},
                 "result": {"duration": "PT90M"}, "timestamp": "2026-03-03T20:00:00+08:00"}
    ok = {"actor": w.operator, "statements": [statement]}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.county_staff}, Forbidden, "not an institution"),
        Refused({**ok, "statements": [statement] * (training.MAX_BATCH + 1)}, DomainError,
                "batch too large"),
    ])


@case("training.class_revise", audit=[(A.UPDATE, CLASS)])
def _class_revise() -> Attempts:
    w = h.world()
    cls = h.declare(w)
    training.class_transition(actor=w.county_staff, training_class=cls, action="return",
                              reason="材料不全")
    still_declared = h.declare(w, site=w.site, sessions=h.sessions(start=D(2026, 4, 6)))
    ok = {"actor": w.operator, "training_class": cls, "data": h.class_input(w, planned_size=25),
          "note": "已补齐材料"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another institution's class"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "staff do not revise"),
        Refused({**ok, "training_class": still_declared}, DomainError, "not returned"),
        Refused({**ok, "data": h.class_input(w, planned_size=0)}, DomainError,
                "no trainees planned"),
    ])


# --- data in and out: attendance by hand, voiding, past classes, teachers by API --------------

def _manual(w, cls, enrollment, **kw):
    from jineng.training.models import ClassSession

    session = ClassSession.objects.filter(training_class=cls).order_by("seq").first()
    return {"actor": w.operator, "enrollment": enrollment, "session": session,
            "check_in": h.at(session.date, 9), "check_out": h.at(session.date, 16),
            "reason": "考勤机故障", **kw}


@case("training.attendance_record_manual", audit=[(A.CREATE, "training.attendanceevent")])
def _attendance_record_manual() -> Attempts:
    w = h.world()
    cls, enrollment = _open_with_trainee(w)
    ok = _manual(w, cls, enrollment)
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, NotFound, "another institution"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "staff do not enter sheets"),
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
        Refused({**ok, "check_out": ok["check_in"]}, DomainError, "out not after in"),
    ])


@case("training.attendance_void", audit=[(A.UPDATE, "training.attendanceevent")])
def _attendance_void() -> Attempts:
    w = h.world()
    cls, enrollment = _open_with_trainee(w)
    events, _created = training.attendance_record_manual(**_manual(w, cls, enrollment))
    ok = {"actor": w.county_staff, "event": events[0], "reason": "冒名签到"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.operator}, Forbidden, "institutions do not void"),
        Refused({**ok, "actor": f.staff("county_staff", f.OTHER_COUNTY)}, NotFound,
                "out of scope"),
        Refused({**ok, "reason": ""}, DomainError, "no reason"),
    ])


def _past(w, ref: str, n: int = 981, name: str = "往期学员") -> training.PastClass:
    number = f.id_number_for(birth=h.BIRTH, n=n)
    sessions = h.sessions(start=D(2025, 6, 2))
    return training.PastClass(
        institution=w.org, source="旧系统",
        klass=h.class_input(w, sessions=sessions, teachers=(), client_ref=ref),
        trainees=(training.PastTrainee(id_number=number, name=name),),
        events=tuple(training.PastEvent(id_number=number, kind=kind, occurred_at=at)
                     for s in sessions for kind, at in (("check_in", s.starts_at),
                                                        ("check_out", s.ends_at))))


@case("training.class_history_import", audit=[(A.IMPORT, CLASS), (A.CREATE, "registry.person")])
def _class_history_import() -> Attempts:
    w = h.world()
    training.class_history_import(actor=w.operator, data=_past(w, "taken", n=982))
    ok = {"actor": w.operator, "data": _past(w, "contract-past")}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator}, Forbidden, "another institution"),
        Refused({**ok, "actor": w.county_staff}, Forbidden, "county staff"),
        Refused({**ok, "data": _past(w, "")}, DomainError, "no reference"),
        Refused({**ok, "data": _past(w, "taken", n=983)}, Conflict, "reference reused"),
        Refused({**ok, "data": _past(w, "late", n=984, name=" ")}, DomainError, "no name"),
    ])


@case("training.teacher_create_once", audit=[(A.CREATE, "training.teacher")])
def _teacher_create_once() -> Attempts:
    w = h.world()
    taken = f.id_number_for(birth=D(1985, 3, 3), n=991)
    training.teacher_create(actor=w.operator, name="赵老师", id_number=taken)
    ok = {"actor": w.operator, "name": "钱老师",
          "id_number": f.id_number_for(birth=D(1985, 3, 3), n=992)}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": w.other_operator, "organization": w.org}, Forbidden,
                "another institution"),
        Refused({**ok, "id_number": taken}, Conflict, "number under another name"),
        Refused({**ok, "id_number": " "}, DomainError, "no ID number"),
    ])

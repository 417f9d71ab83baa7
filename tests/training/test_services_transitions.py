"""Every transition for every kind of user: allowed ones change the state, write the history
and the audit; refused ones change nothing."""

import pytest

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.registry import services as registry_services
from jineng.training import services
from jineng.training.models import ClassStatusChange, Enrollment, TrainingClass
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db

# "assess" is not taken by hand: the assessment app takes it (class_mark_assessed, below).
SOURCES = {
    "approve": ["declared"], "reject": ["declared"], "open": ["approved"], "finish": ["open"],
    "settle": ["assessed"],
    "cancel": ["declared", "approved", "suspended"], "suspend": ["approved", "open"],
    "resume": ["suspended"],
}
TARGET = {"approve": "approved", "reject": "rejected", "open": "open", "finish": "finished",
          "settle": "settled", "cancel": "cancelled",
          "suspend": "suspended", "resume": "open"}
INSTITUTION_MAY = {"open", "finish", "cancel"}


def actors(w):
    """name → (user, what the user is to the class)."""
    return {
        "operator": (w.operator, "institution"),
        "other_operator": (w.other_operator, "hidden"),
        "county_staff": (w.county_staff, "hrss"),
        "city_staff": (f.staff("city_staff", f.CITY), "hrss"),
        "province_staff": (f.staff(), "hrss"),
        "other_county_staff": (f.staff("county_staff", f.OTHER_COUNTY), "hidden"),
        "industry_staff": (f.staff("industry_staff", f.CITY), "visible"),
        "inspector": (f.staff("inspector", f.PROVINCE), "visible"),
    }


CASES = [(action, source, who) for action, sources in SOURCES.items() for source in sources
         for who in ("operator", "other_operator", "county_staff", "city_staff",
                     "province_staff", "other_county_staff", "industry_staff", "inspector")]


@pytest.mark.parametrize(("action", "source", "who"), CASES)
def test_transition_matrix(action, source, who):
    w = h.world()
    cls = h.declare(w)
    TrainingClass.objects.filter(pk=cls.pk).update(
        status=source, status_before_suspension="open" if source == "suspended" else "")
    user, relation = actors(w)[who]
    allowed = relation == "hrss" or (relation == "institution" and action in INSTITUTION_MAY
                                     and source != "suspended")
    history = ClassStatusChange.objects.count()
    audits = AuditEvent.objects.count()
    if not allowed:
        expected = NotFound if relation == "hidden" else Forbidden
        with pytest.raises(expected):
            services.class_transition(actor=user, training_class=cls, action=action,
                                      reason="理由")
        cls.refresh_from_db()
        assert cls.status == source
        assert ClassStatusChange.objects.count() == history
        assert AuditEvent.objects.count() == audits
        return
    done = services.class_transition(actor=user, training_class=cls, action=action,
                                     reason="理由")
    assert done.status == TARGET[action]
    change = ClassStatusChange.objects.filter(training_class=cls).latest("id")
    assert (change.from_status, change.to_status, change.reason, change.action) == (
        source, TARGET[action], "理由", action)
    assert change.actor_username == user.username
    audit = AuditEvent.objects.filter(entity_id=str(cls.pk), action="transition").latest("id")
    assert audit.before == {"status": source} and audit.reason == "理由"


@pytest.mark.parametrize("action", sorted(SOURCES))
def test_from_every_other_state_the_action_is_refused(action):
    w = h.world()
    cls = h.declare(w)
    for status in ("declared", "approved", "rejected", "open", "finished", "assessed",
                   "settled", "cancelled", "suspended"):
        if status in SOURCES[action]:
            continue
        TrainingClass.objects.filter(pk=cls.pk).update(status=status)
        with pytest.raises(DomainError) as bad:
            services.class_transition(actor=w.county_staff, training_class=cls,
                                      action=action, reason="理由")
        assert bad.value.code == "not_allowed_from"
        cls.refresh_from_db()
        assert cls.status == status


@pytest.mark.parametrize("action", ["reject", "cancel", "suspend", "resume"])
def test_reason_required(action):
    w = h.world()
    cls = h.declare(w)
    TrainingClass.objects.filter(pk=cls.pk).update(status=SOURCES[action][0])
    with pytest.raises(DomainError) as bad:
        services.class_transition(actor=w.county_staff, training_class=cls, action=action)
    assert bad.value.field == "reason"


def test_suspend_and_resume_returns_to_the_previous_state():
    w = h.world()
    cls = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    services.class_transition(actor=w.county_staff, training_class=cls, action="suspend",
                              reason="举报核查")
    back = services.class_transition(actor=w.county_staff, training_class=cls,
                                     action="resume", reason="核查无问题")
    assert back.status == "approved" and back.status_before_suspension == ""


def test_a_suspended_institution_cannot_open_its_class():
    w = h.world()
    cls = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    registry_services.organization_change_status(actor=f.staff(), organization=w.org,
                                                 status="suspended", reason="违规")
    with pytest.raises(DomainError) as bad:
        services.class_transition(actor=w.operator, training_class=cls, action="open")
    assert bad.value.code == "institution_status"


def test_finishing_freezes_hours_and_completion():
    w = h.world()
    cls = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    attended, absent = h.enroll(w, cls), h.enroll(w, cls)
    services.class_transition(actor=w.operator, training_class=cls, action="open")
    events = []
    for s in cls.sessions.all():
        for kind, hour in (("check_in", 8), ("check_out", 16)):
            events.append({"idempotency_key": f"{s.pk}-{kind}", "class_id": cls.pk,
                           "kind": kind, "method": "terminal", "enrollment_id": attended.pk,
                           "occurred_at": h.at(s.date, hour, 50).isoformat()})
    assert services.attendance_ingest(actor=w.operator, events=events).accepted == 10
    services.class_transition(actor=w.operator, training_class=cls, action="finish")
    attended.refresh_from_db()
    absent.refresh_from_db()
    assert (attended.attended_hours, attended.completed) == (30, True)
    assert (absent.attended_hours, absent.completed) == (0, False)
    assert "30.00 ≥ 30.0 × 0.800 = 24.00" in attended.completion_rule
    assert Enrollment.objects.filter(completed=True).count() == 1


def test_class_history_has_cores_shape_and_refuses_a_no_op():
    """Class history is a core.history.StatusHistoryEntry: each step from → to, by whom, why;
    written by record_transition, which refuses a step that changes nothing."""
    from jineng.core.errors import DomainError
    from jineng.core.history import StatusHistoryEntry, record_transition
    from jineng.training.models import ClassStatusChange

    assert issubclass(ClassStatusChange, StatusHistoryEntry)
    w = h.world()
    cls = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    steps = list(cls.status_history.order_by("at", "id"))
    assert [(s.action, s.from_status, s.to_status, s.actor_username, s.note)
            for s in steps] == [("declare", "", "declared", w.operator.username, {}),
                                ("approve", "declared", "approved", w.county_staff.username,
                                 {})]
    with pytest.raises(DomainError):
        record_transition(ClassStatusChange, subject_field="training_class", subject=cls,
                          actor=w.county_staff, from_status="approved", to_status="approved")


@pytest.mark.parametrize("who", ["operator", "county_staff", "province_staff"])
def test_nobody_marks_a_class_assessed_by_hand(who):
    w = h.world()
    cls = h.declare(w)
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    user = actors(w)[who][0]
    audits = AuditEvent.objects.count()
    with pytest.raises(Forbidden) as refused:
        services.class_transition(actor=user, training_class=cls, action="assess")
    assert "not by hand" in str(refused.value)
    cls.refresh_from_db()
    assert cls.status == "finished" and AuditEvent.objects.count() == audits


def _class_transitions(cls) -> int:
    return AuditEvent.objects.filter(entity_type="training.trainingclass",
                                     entity_id=str(cls.pk), action="transition").count()


def test_the_assessment_app_marks_a_finished_class_assessed():
    w = h.world()
    cls = h.declare(w)
    TrainingClass.objects.filter(pk=cls.pk).update(status="finished")
    evaluator = f.operator(f.OrganizationFactory(kind="evaluation", institution_type=""))
    done = services.class_mark_assessed(actor=evaluator, training_class=cls,
                                        reason="评价结束：证书已发")
    assert done.status == "assessed"
    change = ClassStatusChange.objects.filter(training_class=cls).latest("id")
    assert (change.action, change.from_status, change.to_status, change.actor_username,
            change.reason) == ("assess", "finished", "assessed", evaluator.username,
                               "评价结束：证书已发")
    assert _class_transitions(cls) == 1
    # Asked again: the class is as it was, nothing new written.
    again = services.class_mark_assessed(actor=evaluator, training_class=cls)
    assert again.status == "assessed"
    assert _class_transitions(cls) == 1


@pytest.mark.parametrize("status", ["declared", "approved", "open", "suspended", "settled"])
def test_only_a_finished_class_is_marked_assessed(status):
    w = h.world()
    cls = h.declare(w)
    TrainingClass.objects.filter(pk=cls.pk).update(status=status)
    with pytest.raises(DomainError) as refused:
        services.class_mark_assessed(actor=w.county_staff, training_class=cls)
    cls.refresh_from_db()
    assert cls.status == status
    assert (refused.value.status, refused.value.code) == (400, "not_allowed_from")

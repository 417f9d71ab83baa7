"""Training pages: what an institution and HRSS staff see and do, scope, query budgets."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jineng.training import services
from jineng.training.models import Enrollment, Teacher, TrainingClass
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_institution_declares_through_the_form():
    w = h.world()
    c = client_for(w.operator)
    page = c.get(reverse("training:class_declare"))
    assert page.status_code == 200 and "养老护理员" in page.content.decode()
    form = {
        "name": "养老护理员初级班", "site": w.site.pk, "occupation": h.occupation().pk,
        "level": h.level().pk, "training_type": "employment", "order_form": "",
        "sector": "elderly_child_care", "target_group": "", "planned_size": 20,
        "funding_source": "employment_subsidy", "online_share": "0", "teachers": [w.teacher.pk],
        "first_date": "2026-03-02", "session_count": 5, "daily_start": "09:00",
        "daily_end": "16:00", "hours_per_session": "6", "weekdays_only": "on",
        "late_reason": h.LATE,
    }
    response = c.post(reverse("training:class_declare"), form)
    cls = TrainingClass.objects.get()
    assert response.status_code == 302 and response.url == reverse("training:class_detail",
                                                                   args=[cls.pk])
    assert cls.sessions.count() == 5 and cls.end_date == dt.date(2026, 3, 6)
    # a catalog problem comes back on the form, naming the field
    bad = c.post(reverse("training:class_declare"), {**form, "level": h.level("grade2").pk})
    assert bad.status_code == 200 and "not listed" in bad.content.decode()
    assert TrainingClass.objects.count() == 1


def test_staff_cannot_open_the_declaration_form():
    w = h.world()
    assert client_for(w.county_staff).get(reverse("training:class_declare")).status_code == 404


def test_detail_enroll_and_ineligible_explanation():
    w = h.world()
    cls = h.declare(w)
    c = client_for(w.operator)
    page = c.get(reverse("training:class_detail", args=[cls.pk]))
    assert page.status_code == 200 and 'id="enroll-form"' in page.content.decode()
    ok = c.post(reverse("training:class_enroll", args=[cls.pk]),
                {"id_number": f.id_number_for(), "name": "周一"})
    assert ok.status_code == 302 and Enrollment.objects.count() == 1
    young = c.post(reverse("training:class_enroll", args=[cls.pk]),
                   {"id_number": f.id_number_for(birth=dt.date(2011, 1, 1)), "name": "小二"})
    text = young.content.decode()
    assert young.status_code == 400 and 'id="eligibility"' in text
    assert "below the minimum age" in text or "未满" in text or "16" in text
    assert Enrollment.objects.count() == 1
    roster = c.get(reverse("training:class_detail", args=[cls.pk])).content.decode()
    assert "周一" in roster and "********" in roster


def test_transitions_from_the_page():
    w = h.world()
    cls = h.declare(w)
    staff = client_for(w.county_staff)
    queue = staff.get(reverse("training:review_queue")).content.decode()
    assert cls.name in queue
    staff.post(reverse("training:class_transition", args=[cls.pk]), {"action": "approve"})
    cls.refresh_from_db()
    assert cls.status == "approved"
    # a refused action says why and changes nothing
    response = client_for(w.operator).post(
        reverse("training:class_transition", args=[cls.pk]), {"action": "approve"},
        follow=True)
    assert "may not" in response.content.decode() or "不能" in response.content.decode()
    cls.refresh_from_db()
    assert cls.status == "approved"


def test_out_of_scope_pages_are_404():
    w = h.world()
    cls = h.declare(w)
    other = client_for(w.other_operator)
    for name in ("class_detail", "class_attendance"):
        assert other.get(reverse(f"training:{name}", args=[cls.pk])).status_code == 404
    assert other.post(reverse("training:class_transition", args=[cls.pk]),
                      {"action": "cancel", "reason": "x"}).status_code == 404
    cls.refresh_from_db()
    assert cls.status == "declared"


def test_attendance_page_shows_flags():
    w = h.world()
    cls = h.declare(w)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    e = h.enroll(w, cls)
    services.class_transition(actor=w.operator, training_class=cls, action="open")
    services.attendance_ingest(actor=w.operator, events=[
        {"idempotency_key": "1", "class_id": cls.pk, "kind": "check_in", "method": "mobile",
         "enrollment_id": e.pk, "occurred_at": h.at(h.START, 8, 55).isoformat(),
         "latitude": 26.70, "longitude": 106.71}])
    page = client_for(w.operator).get(reverse("training:class_attendance", args=[cls.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and e.person.name in text
    assert "too far" in text or "距离" in text


def test_today_page_and_htmx_rows():
    w = h.world(required_hours=6)
    today = timezone.localdate()
    cls = h.declare(w, sessions=(services.SessionInput(h.at(today, 0), h.at(today, 23),
                                                       h.Decimal(6)),))
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    services.class_transition(actor=w.operator, training_class=cls, action="open")
    staff = client_for(w.county_staff)
    page = staff.get(reverse("training:today"))
    assert page.status_code == 200 and cls.name in page.content.decode()
    assert 'hx-trigger="every 30s"' in page.content.decode()
    rows = staff.get(reverse("training:today"), HTTP_HX_REQUEST="true")
    assert "<html" not in rows.content.decode() and cls.name in rows.content.decode()


def test_teachers_page():
    w = h.world()
    c = client_for(w.operator)
    c.post(reverse("training:teacher_list"), {"name": "陈老师", "qualification": "高级技师"})
    assert Teacher.objects.filter(name="陈老师", organization=w.org).exists()
    assert "陈老师" in c.get(reverse("training:teacher_list")).content.decode()


def test_withdraw_from_the_page():
    w = h.world()
    cls = h.declare(w)
    e = h.enroll(w, cls)
    c = client_for(w.operator)
    assert c.get(reverse("training:enrollment_detail", args=[e.pk])).status_code == 200
    c.post(reverse("training:enrollment_withdraw", args=[e.pk]), {"reason": "外出务工"})
    e.refresh_from_db()
    assert e.status == "withdrawn"


def test_list_pages_have_query_budgets(django_assert_max_num_queries):
    w = h.world()
    for n in range(6):
        cls = h.declare(w, teachers=(), planned_size=5,
                        sessions=h.sessions(h.START + dt.timedelta(days=7 * n)))
        h.enroll(w, cls)
    staff = client_for(w.county_staff)
    operator = client_for(w.operator)
    with django_assert_max_num_queries(12):
        assert staff.get(reverse("training:class_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert operator.get(reverse("training:class_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert staff.get(reverse("training:review_queue")).status_code == 200
    with django_assert_max_num_queries(20):
        assert operator.get(reverse("training:class_detail", args=[cls.pk])).status_code == 200

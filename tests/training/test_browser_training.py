"""In a real browser: a training institution declares a class, enrolls trainees by ID number
(one refused with the reason shown), opens the class once approved, and sees the attendance
its terminal sent."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.core import pii
from jineng.training import services
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.browser import login
from tests.training import helpers as h

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_institution_declares_enrolls_and_sees_attendance(page, live_server):
    w = h.world()
    login(page, live_server, w.operator)
    page.goto(f"{live_server.url}/training/")
    page.click("#declare-class")
    page.wait_for_url("**/training/declare/")
    form = page.locator("#declare-form")
    form.locator("input[name=name]").fill("养老护理员（初级）就业技能培训第8期")
    form.locator("select[name=site]").select_option(str(w.site.pk))
    form.locator("select[name=occupation]").select_option(str(h.occupation().pk))
    form.locator("select[name=level]").select_option(str(h.level().pk))
    form.locator("select[name=training_type]").select_option("employment")
    form.locator("select[name=sector]").select_option("elderly_child_care")
    form.locator("input[name=planned_size]").fill("20")
    form.locator("select[name=funding_source]").select_option("employment_subsidy")
    form.locator("select[name=teachers]").select_option(str(w.teacher.pk))
    form.locator("input[name=first_date]").fill("2026-03-02")
    form.locator("input[name=session_count]").fill("5")
    form.locator("input[name=daily_start]").fill("09:00")
    form.locator("input[name=daily_end]").fill("16:00")
    form.locator("input[name=hours_per_session]").fill("6")
    form.locator("textarea[name=late_reason]").fill(h.LATE)  # 2026-03-02 is past
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    cls = TrainingClass.objects.get()
    assert page.url.endswith(f"/training/{cls.pk}/")
    assert page.locator("#class-status").inner_text().strip() in ("已申报", "Declared")
    assert page.locator("#sessions tbody tr").count() == 5

    numbers = [f.id_number_for(birth=dt.date(1988, 4, 2)),
               f.id_number_for(birth=dt.date(1995, 9, 9))]
    for number, name in zip(numbers, ("吴一", "郑二"), strict=True):
        page.fill("#enroll-form input[name=id_number]", number)
        page.fill("#enroll-form input[name=name]", name)
        with page.expect_navigation():
            page.click("#enroll-form button[type=submit]")
    assert page.locator("#roster tbody tr[data-pk]").count() == 2
    assert numbers[0] not in page.content()  # masked

    page.fill("#enroll-form input[name=id_number]",
              f.id_number_for(birth=dt.date(2012, 1, 1)))
    page.fill("#enroll-form input[name=name]", "小三")
    with page.expect_navigation():
        page.click("#enroll-form button[type=submit]")
    assert page.locator("#eligibility li").count() >= 4
    assert "16" in page.locator("#eligibility").inner_text()
    page.goto(f"{live_server.url}/training/{cls.pk}/")
    assert page.locator("#roster tbody tr[data-pk]").count() == 2

    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    page.reload()
    with page.expect_navigation():
        page.click("form.action-open button[type=submit]")
    assert page.locator("#class-status").inner_text().strip() in ("开班", "Open", "已开班")

    trainee = cls.enrollments.order_by("id").first()
    number = pii.decrypt(trainee.person.id_encrypted)
    first = cls.sessions.order_by("seq").first()
    report = services.attendance_ingest(actor=w.operator, events=[
        {"idempotency_key": f"t-{k}", "class_id": cls.pk, "kind": k, "method": "terminal",
         "id_number": number, "occurred_at": h.at(first.date, hr, 55).isoformat()}
        for k, hr in (("check_in", 8), ("check_out", 15))])
    assert report.accepted == 2
    page.click("#attendance-link")
    page.wait_for_url(f"**/training/{cls.pk}/attendance/")
    summary = page.locator(f"#session-summary tr[data-session='{first.pk}'] td")
    assert summary.nth(3).inner_text() == "1" and summary.nth(4).inner_text() == "1"
    assert page.locator("#events tbody tr").count() == 2
    assert trainee.person.name in page.locator("#events").inner_text()
    page.goto(f"{live_server.url}/training/{cls.pk}/")
    assert "6.00" in page.locator(f"#roster tr[data-pk='{trainee.pk}']").inner_text()

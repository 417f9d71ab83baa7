"""In a real browser: county staff return a declaration for correction, the institution edits
and resubmits it, staff see both rounds; the enrollment form says beside the field what is
wrong with a check digit, a name or a duplicate."""

from __future__ import annotations

import pytest

from jineng.core import pii
from jineng.training.models import ClassStatusChange, TrainingClass
from tests import factories as f
from tests.browser import login
from tests.training import helpers as h

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _act(page, action: str, reason: str = "") -> None:
    form = page.locator(f"form.action-{action}")
    if reason:
        form.locator("input[name=reason]").fill(reason)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_return_for_correction_two_rounds(page, live_server, browser):
    w = h.world()
    cls = h.declare(w, planned_size=30)
    detail = f"{live_server.url}/training/{cls.pk}/"

    login(page, live_server, w.county_staff)
    page.goto(detail)
    _act(page, "return", "场地证明缺失")
    assert TrainingClass.objects.get(pk=cls.pk).status == "returned"
    assert page.locator("#revise-link").count() == 0

    inst = browser.new_page()
    login(inst, live_server, w.operator)
    inst.goto(detail)
    with inst.expect_navigation():
        inst.click("#revise-link")
    assert "场地证明缺失" in inst.locator("#returned-reason").inner_text()
    form = inst.locator("#declare-form")
    form.locator("input[name=planned_size]").fill("24")
    form.locator("textarea[name=note]").fill("补交场地证明")
    with inst.expect_navigation():
        form.locator("button[type=submit]").click()
    assert inst.url == detail
    assert TrainingClass.objects.get(pk=cls.pk).planned_size == 24

    page.reload()
    _act(page, "return", "课时安排需调整")
    inst.goto(detail)
    with inst.expect_navigation():
        inst.click("#revise-link")
    inst.locator("#declare-form textarea[name=note]").fill("已调整课时")
    with inst.expect_navigation():
        inst.locator("#declare-form button[type=submit]").click()
    inst.close()

    page.reload()
    history = page.locator("#history")
    assert history.locator("li[data-action=return]").count() == 2
    assert history.locator("li[data-action=resubmit]").count() == 2
    text = history.inner_text()
    for words in ("场地证明缺失", "补交场地证明", "课时安排需调整", "已调整课时"):
        assert words in text
    assert page.locator("form.action-approve").count() == 1  # waits for review again
    assert list(ClassStatusChange.objects.filter(training_class=cls)
                .values_list("action", flat=True)) == [
        "declare", "return", "resubmit", "return", "resubmit"]


def test_enrollment_form_messages_beside_the_fields(page, live_server):
    w = h.world()
    cls = h.declare(w)
    known = h.enroll(w, cls, name="张三")
    number = pii.decrypt(known.person.id_encrypted)
    login(page, live_server, w.operator)
    page.goto(f"{live_server.url}/training/{cls.pk}/")
    fresh = f.id_number_for()
    bad_digit = fresh[:17] + ("0" if fresh[17] != "0" else "1")
    for id_number, name, field, words in (
            (bad_digit, "李四", "id_number", "校验码"),
            (number, "张叁", "name", "登记的姓名不一致"),
            (number, "张三", "id_number", "已报名本班")):
        page.fill("#enroll-form input[name=id_number]", id_number)
        page.fill("#enroll-form input[name=name]", name)
        with page.expect_navigation():
            page.click("#enroll-form button[type=submit]")
        message = page.locator(f"#enroll-form #error-{field}")
        assert message.is_visible()
        assert words in message.inner_text()  # the page is in Chinese
        label = page.locator(f"#enroll-form label[data-field={field}]")
        assert "has-error" in (label.get_attribute("class") or "")
    assert cls.enrollments.count() == 1

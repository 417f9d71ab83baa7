"""In a real browser: a province staff member finds a person, sees the masked ID number, asks
for the whole number with a reason, sees it, and finds that viewing in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from jineng.core.models import AuditAction, AuditEvent
from jineng.registry.models import Region
from tests import factories as f
from tests.browser import login

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_unmasks_an_id_number_and_finds_it_in_the_audit_trail(page, live_server):
    staff = f.staff(username="province_clerk")
    staff.user_permissions.add(Permission.objects.get(codename="unmask_id_number"))
    number = f.id_number_for(f.COUNTY, dt.date(1992, 3, 14), n=88)
    person = f.PersonFactory(plain_id=number, name="欧阳浏览")
    f.PersonFactory(name="司马其他")

    login(page, live_server, staff)
    page.goto(f"{live_server.url}/registry/persons/")
    page.fill("form[role=search] input[name=q]", "欧阳")
    page.press("form[role=search] input[name=q]", "Enter")
    page.wait_for_url("**/registry/persons/?*q=*")
    rows = page.locator("tbody tr[data-pk]")
    assert rows.count() == 1
    assert number not in page.content()

    rows.first.locator("a").click()
    page.wait_for_url(f"**/registry/persons/{person.pk}/")
    masked = page.locator("#id-number code.masked-id")
    assert masked.inner_text() == person.id_masked == f"{number[:6]}********{number[-4:]}"
    assert number not in page.content()

    page.click("details.unmask summary")
    page.fill("#id-number input[name=reason]", "核对培训补贴申领材料")
    page.click("#id-number form button[type=submit]")
    whole = page.locator("[data-whole-id]")
    whole.wait_for()
    assert whole.inner_text() == number
    assert page.url.endswith(f"/registry/persons/{person.pk}/")  # htmx swapped the fragment
    event = AuditEvent.objects.get(action=AuditAction.UNMASK)
    assert event.entity_id == str(person.pk) and event.actor_id == staff.pk

    page.click("#person-audit-link")
    page.wait_for_url("**/audit/?*entity_id=*")
    unmask_rows = page.locator("tr[data-action=unmask]")
    assert unmask_rows.count() == 1
    row_text = unmask_rows.first.inner_text()
    assert "province_clerk" in row_text and "核对培训补贴申领材料" in row_text
    assert number not in page.content()


def test_migrated_reference_data_survives_browser_tests(page):
    # Runs after the test above flushed its database: regions are restored.
    assert Region.objects.filter(code=f.PROVINCE).exists()
    assert Region.objects.count() > 3000


def test_staff_correct_a_person_then_merge_a_duplicate_into_them(page, live_server):
    staff = f.staff("county_staff", f.COUNTY, username="county_clerk")
    survivor_number = f.id_number_for(f.COUNTY, dt.date(1985, 6, 1), n=61)
    survivor = f.PersonFactory(plain_id=survivor_number, name="上官正")
    duplicate = f.PersonFactory(name="上官政")  # a typo, registered under a wrong number
    from jineng.registry.models import KeyGroupMembership, PersonMerge

    KeyGroupMembership.objects.create(person=duplicate, group="veteran",
                                      start_date=dt.date(2020, 1, 1))

    login(page, live_server, staff)
    page.goto(f"{live_server.url}/registry/persons/{survivor.pk}/")
    page.click("#person-edit-link")
    page.fill("#person-edit-form input[name=phone]", "13912345678")
    page.fill("#person-edit-form textarea[name=reason]", "本人来电更新号码")
    page.click("#person-edit-form button[type=submit]")
    page.wait_for_url(f"**/registry/persons/{survivor.pk}/")
    assert "13912345678" in page.content()

    page.goto(f"{live_server.url}/registry/persons/{duplicate.pk}/")
    page.click("#person-merge-link")
    page.fill("#person-merge-form input[name=survivor_id_number]", survivor_number)
    page.fill("#person-merge-form textarea[name=reason]", "同一人两次登记，姓名录入错误")
    page.click("#person-merge-form button[type=submit]")
    page.wait_for_url("**/registry/persons/merges/*/")
    moved = page.locator("#merge-moved").inner_text()
    assert "registry.key_group_membership: 1" in moved
    assert survivor_number not in page.content()
    merge = PersonMerge.objects.get()
    assert (merge.duplicate_id, merge.survivor_id) == (duplicate.pk, survivor.pk)
    assert KeyGroupMembership.objects.get().person_id == survivor.pk
    assert {e.action for e in AuditEvent.objects.filter(entity_type="registry.person")} >= {
        AuditAction.UPDATE, AuditAction.TRANSITION}

"""Issue 9 in the registry: staff correct details and merge a person registered twice (pages,
API, services), old 15-digit ID numbers, audited refusals and whole-number searches, and the
lengths every entry point enforces. Real database, real pages, the API through its document."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction, AuditEvent
from jineng.registry import selectors, services
from jineng.registry.models import KeyGroupMembership, Organization, Person, PersonMerge
from jineng.training.models import Enrollment
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.training import helpers as t

pytestmark = pytest.mark.django_db
D = dt.date


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api_for(user) -> OpenApiClient:
    return OpenApiClient(client_for(user))


def county():
    return f.staff("county_staff", f.COUNTY)


def outsider():
    return f.staff("county_staff", f.OTHER_CITY_COUNTY)


def person(number: str | None = None, **kw) -> Person:
    number = number or f.id_number_for()
    p = f.PersonFactory(plain_id=number, **kw)
    p.plain_id = number
    return p


def next_monday() -> dt.date:
    """Classes are declared before they start (training refuses a late declaration)."""
    today = dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday() + 7)


def events():
    return AuditEvent.objects.exclude(action__in=[AuditAction.LOGIN, AuditAction.LOGIN_FAILED])


def state(p: Person) -> tuple:
    p = Person.objects.get(pk=p.pk)
    return (p.name, p.phone, p.region_id, p.merged_into_id,
            sorted(KeyGroupMembership.objects.filter(person=p).values_list("group", flat=True)))


# --- 15-digit ID numbers become 18 on entry ---------------------------------------------------

OLD = "520102900517123"  # born 1990-05-17
NEW = "520102199005171230"


def test_the_api_registers_an_old_number_under_its_18_character_form():
    api = api_for(county())
    created = api.call("registry_person_register",
                       json_body={"id_number": OLD, "name": "王老五", "region_code": f.COUNTY})
    assert created.status == 201
    assert created.body["id_masked"] == "520102********1230"
    again = api.call("registry_person_register",
                     json_body={"id_number": NEW, "name": "王老五", "region_code": f.COUNTY})
    assert again.status == 409 and again.error_fields() == ["id_number"]
    found = api.call("registry_person_search", json_body={"id_number": OLD})
    assert [p["id"] for p in found.body] == [created.body["id"]]


def test_the_register_page_and_the_id_search_accept_an_old_number():
    client = client_for(county())
    response = client.post(reverse("registry:person_register"),
                           {"id_number": OLD, "name": "王老五", "region": f.region(f.COUNTY).pk})
    assert response.status_code == 302
    stored = Person.objects.get()
    assert stored.birth_date == D(1990, 5, 17) and stored.id_masked == "520102********1230"
    found = client.post(reverse("registry:person_find"), {"id_number": OLD})
    assert found.status_code == 302 and found["Location"].endswith(f"/{stored.pk}/")


def test_the_importer_converts_old_numbers():
    from jineng.registry.importers import run

    data = f"身份证号码,姓名,所在地区代码\n{OLD},王老五,{f.COUNTY}\n".encode()
    report = run(actor=county(), kind="persons", data=data, filename="p.csv")
    assert report.ok and report.created == 1
    assert Person.objects.get().id_masked == "520102********1230"
    # The same person written with the new number is the same record.
    data = f"身份证号码,姓名,所在地区代码\n{NEW},王老五,{f.COUNTY}\n".encode()
    assert run(actor=county(), kind="persons", data=data, filename="p.csv").unchanged == 1


# --- searches by whole number and refused unmasks are audited --------------------------------

def test_a_search_by_whole_number_is_audited_found_or_not():
    p = person()
    api = api_for(county())
    assert len(api.call("registry_person_search", json_body={"id_number": p.plain_id}).body) == 1
    missing = f.id_number_for(n=977)
    assert api.call("registry_person_search", json_body={"id_number": missing}).body == []
    found, not_found = events().order_by("id")
    assert (found.action, found.entity_id, found.after) == (
        AuditAction.UNMASK, str(p.pk), {"outcome": "search", "found": 1})
    assert not_found.after == {"outcome": "search", "found": 0}
    assert not_found.entity_label == missing[:6] + "********" + missing[-4:]
    for e in (found, not_found):
        assert p.plain_id not in f"{e.entity_label}{e.reason}{e.after}"
        assert missing not in f"{e.entity_label}{e.reason}{e.after}"


def test_the_persons_page_audits_a_whole_number_typed_in_the_name_box():
    p = person()
    response = client_for(county()).get(reverse("registry:person_list"), {"q": p.plain_id})
    assert response.status_code == 200 and p.id_masked in response.content.decode()
    assert events().get().after == {"outcome": "search", "found": 1}


def test_a_name_search_is_not_audited():
    person(name="王小明")
    client_for(county()).get(reverse("registry:person_list"), {"q": "王小"})
    assert not events().exists()


# --- correcting a person ----------------------------------------------------------------------

def test_staff_correct_a_person_and_the_trail_keeps_only_the_changed_fields():
    p = person(name="王小名", phone="13800000000")
    services.person_update(actor=county(), person=p, reason="户籍信息更正",
                           changes=services.PersonChanges(name="王小明", phone="13800000000",
                                                          region=f.region(f.COUNTY)))
    assert state(p)[:2] == ("王小明", "13800000000")
    event = events().get()
    assert event.action == AuditAction.UPDATE and event.reason == "户籍信息更正"
    assert event.before == {"name": "王小名"} and event.after == {"name": "王小明"}
    assert p.plain_id not in str(event.before) + str(event.after) + event.entity_label
    # The same again changes nothing and records nothing (sent twice counts once).
    services.person_update(actor=county(), person=p, reason="重复提交",
                           changes=services.PersonChanges(name="王小明"))
    assert events().count() == 1


@pytest.mark.parametrize(("actor", "changes", "reason", "error", "field"), [
    (lambda p: county(), {"name": "王"}, " ", DomainError, "reason"),
    (lambda p: county(), {"name": "张" * 51}, "更正", DomainError, "name"),
    (lambda p: county(), {"phone": "打电话"}, "更正", DomainError, "phone"),
    (lambda p: county(), {"region": "far"}, "迁出", Forbidden, ""),
    (lambda p: f.staff("city_staff", f.OTHER_CITY), {"name": "王"}, "更正", NotFound, ""),
    (lambda p: f.operator(p.registered_by), {"name": "王"}, "更正", Forbidden, ""),
])
def test_refused_corrections_change_nothing_and_record_nothing(actor, changes, reason, error,
                                                               field):
    p = person(registered_by=f.OrganizationFactory())
    if "region" in changes:
        changes = {"region": f.region(f.OTHER_CITY_COUNTY)}
    before = state(p)
    with pytest.raises(error) as refused:
        services.person_update(actor=actor(p), person=p, reason=reason,
                               changes=services.PersonChanges(**changes))
    assert refused.value.field == field or not field
    assert state(p) == before and not events().exists()


def test_the_person_page_offers_corrections_only_to_those_who_may_make_them():
    org = f.OrganizationFactory()
    p = person(registered_by=org)
    url = reverse("registry:person_detail", args=[p.pk])
    staff_page = client_for(county()).get(url).content.decode()
    assert 'id="person-edit-link"' in staff_page and 'id="person-merge-link"' in staff_page
    operator = client_for(f.operator(org))
    operator_page = operator.get(url).content.decode()
    assert 'id="person-edit-link"' not in operator_page
    assert 'id="person-merge-link"' not in operator_page
    assert operator.get(reverse("registry:person_edit", args=[p.pk])).status_code == 403
    assert operator.get(reverse("registry:person_merge", args=[p.pk])).status_code == 403
    far = client_for(outsider())
    assert far.get(reverse("registry:person_edit", args=[p.pk])).status_code == 404


def test_the_correction_page_saves_with_a_reason():
    p = person(name="王小名")
    client = client_for(county())
    url = reverse("registry:person_edit", args=[p.pk])
    form = {"name": "王小明", "phone": "", "region": f.region(f.COUNTY).pk}
    missing_reason = client.post(url, form)
    assert missing_reason.status_code == 400 and state(p)[0] == "王小名"
    assert client.post(url, {**form, "reason": "更正错字"}).status_code == 302
    assert state(p)[0] == "王小明" and events().get().reason == "更正错字"


def test_the_api_corrects_a_person_and_refuses_as_documented():
    p = person(registered_by=f.OrganizationFactory())
    ok = api_for(county()).call("registry_person_update", path={"person_id": p.pk},
                                json_body={"phone": "13900000000", "reason": "本人来电更正"})
    assert ok.status == 200 and ok.body["phone"] == "13900000000"
    before = state(p)
    for user, body, status in (
        (f.operator(p.registered_by), {"phone": "1", "reason": "x"}, 403),
        (outsider(), {"phone": "1", "reason": "x"}, 404),
        (county(), {"phone": "13900000001"}, 422),  # no reason
        (county(), {"name": "张" * 200, "reason": "x"}, 422),  # longer than the column
        (county(), {"region_code": "999999", "reason": "x"}, 400),
    ):
        result = api_for(user).call("registry_person_update", path={"person_id": p.pk},
                                    json_body=body)
        assert result.status == status, (body, result.body)
    assert state(p) == before and events().count() == 1


# --- correcting an organization ---------------------------------------------------------------

def test_staff_correct_an_organization_by_page_and_api():
    org = f.OrganizationFactory(legal_representative="张三")
    page = client_for(county()).get(reverse("registry:organization_detail", args=[org.pk]))
    assert 'id="organization-edit-link"' in page.content.decode()
    operator = client_for(f.operator(org))
    assert 'id="organization-edit-link"' not in operator.get(
        reverse("registry:organization_detail", args=[org.pk])).content.decode()
    assert operator.get(reverse("registry:organization_edit", args=[org.pk])).status_code == 403
    response = client_for(county()).post(reverse("registry:organization_edit", args=[org.pk]), {
        "name": org.name, "institution_type": org.institution_type,
        "region": f.region(f.COUNTY).pk, "address": "新华路8号", "legal_representative": "李四",
        "contact_phone": "0851-1234567", "sector": "", "reason": "法定代表人变更"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.address, org.legal_representative) == ("新华路8号", "李四")
    event = events().get()
    assert event.after == {"address": "新华路8号", "legal_representative": "李四",
                           "contact_phone": "0851-1234567"}
    assert event.before == {"address": "", "legal_representative": "张三", "contact_phone": ""}
    result = api_for(county()).call("registry_organization_update",
                                    path={"organization_id": org.pk},
                                    json_body={"contact_phone": "0851-7654321", "reason": "换号"})
    assert result.status == 200 and result.body["contact_phone"] == "0851-7654321"
    for user, body, status in ((f.operator(org), {"sector": "x", "reason": "x"}, 403),
                               (outsider(), {"sector": "x", "reason": "x"}, 404),
                               (county(), {"name": "学" * 300, "reason": "x"}, 422),
                               (county(), {"institution_type": "club", "reason": "x"}, 400)):
        refused = api_for(user).call("registry_organization_update",
                                     path={"organization_id": org.pk}, json_body=body)
        assert refused.status == status, (body, refused.body)
    assert events().count() == 2 and Organization.objects.get(pk=org.pk).sector == ""


# --- lengths and ranges at every entry point ------------------------------------------------

def test_the_api_refuses_names_longer_than_the_columns():
    api = api_for(f.staff())
    person_result = api.call("registry_person_register", json_body={
        "id_number": f.id_number_for(), "name": "张" * 200, "region_code": f.COUNTY})
    assert person_result.status == 422 and person_result.error_fields() == ["name"]
    org_result = api.call("registry_organization_create", json_body={
        "kind": "enterprise", "name": "学" * 300, "credit_code": f.credit_code_for(f.COUNTY),
        "region_code": f.COUNTY})
    assert org_result.status == 422 and org_result.error_fields() == ["name"]
    assert not Person.objects.exists() and not Organization.objects.exists()


def test_services_check_lengths_too():
    with pytest.raises(DomainError) as bad:
        services.person_register(actor=f.staff(), data=services.PersonInput(
            id_number=f.id_number_for(), name="张" * 51, region=f.region(f.COUNTY)))
    assert bad.value.field == "name" and not Person.objects.exists()


def test_an_api_import_larger_than_the_limit_is_413_before_reading(settings, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jineng.core import tabular

    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 100)
    data = ("身份证号码,姓名,所在地区代码\n" + "x" * 200).encode()
    result = api_for(f.staff()).call("registry_import", path={"kind": "persons"}, files={
        "file": SimpleUploadedFile("p.csv", data, content_type="text/csv")})
    assert result.status == 413 and result.error_fields() == ["file"]


# --- the credit-code exception reason can be given on the page -----------------------------

def test_the_organization_form_asks_for_the_exception_reason_it_can_take():
    code = f.credit_code_for(f.COUNTY)
    failing = code[:17] + ("0" if code[17] != "0" else "1")
    client = client_for(f.staff())
    form = {"kind": "enterprise", "name": "早期试点企业", "credit_code": failing,
            "region": f.region(f.COUNTY).pk}
    first = client.post(reverse("registry:organization_create"), form)
    assert first.status_code == 400
    assert 'name="credit_code_override"' in first.content.decode()
    second = client.post(reverse("registry:organization_create"),
                         {**form, "credit_code_override": "2015年试点代码，工商局出具证明"})
    assert second.status_code == 302
    assert Organization.objects.get().credit_code_override.startswith("2015年")


# --- import forms only for those who may import ----------------------------------------------

def test_import_forms_are_shown_only_to_roles_that_may_import():
    org = f.OrganizationFactory()
    operator = client_for(f.operator(org))
    orgs_page = operator.get(reverse("registry:organization_list")).content.decode()
    assert reverse("registry:import", args=["organizations"]) not in orgs_page
    assert operator.get(reverse("registry:import", args=["organizations"])).status_code == 403
    assert operator.get(reverse("registry:import", args=["regions"])).status_code == 403
    persons_form = operator.get(reverse("registry:import", args=["persons"]))
    assert persons_form.status_code == 200
    assert reverse("registry:import", args=["regions"]) not in persons_form.content.decode()
    staff_page = client_for(f.staff()).get(reverse("registry:organization_list"))
    assert reverse("registry:import", args=["organizations"]) in staff_page.content.decode()


# --- merging a person registered twice -------------------------------------------------------

def test_a_merge_moves_key_groups_and_training_enrollments_and_can_be_read_back():
    w = t.world()
    cls = t.open_class(w, sessions=t.sessions(start=next_monday()))
    enrollment = t.enroll(w, cls, late_reason="补录")
    duplicate = enrollment.person
    survivor = person(birth_date=duplicate.birth_date)
    KeyGroupMembership.objects.create(person=duplicate, group="veteran", start_date=D(2020, 1, 1))
    KeyGroupMembership.objects.create(person=duplicate, group="graduate",
                                      start_date=D(2019, 7, 1))
    KeyGroupMembership.objects.create(person=survivor, group="graduate", start_date=D(2019, 7, 1))
    staff = county()
    merge = services.person_merge(actor=staff, duplicate=duplicate, survivor=survivor,
                                  reason="同一人登记两次（旧号码）")
    assert Enrollment.objects.get(pk=enrollment.pk).person_id == survivor.pk
    assert sorted(KeyGroupMembership.objects.filter(person=survivor)
                  .values_list("group", flat=True)) == ["graduate", "veteran"]
    assert not KeyGroupMembership.objects.filter(person=duplicate).exists()
    assert merge.moved == {"registry.key_group_membership": 1, "training.enrollment": 1}
    assert Person.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk  # kept
    read = selectors.person_merge_get(actor=staff, pk=merge.pk)
    assert (read.duplicate_id, read.survivor_id, read.merged_by) == (
        duplicate.pk, survivor.pk, staff.username)
    event = events().filter(action=AuditAction.TRANSITION, entity_type="registry.person").get()
    assert event.entity_id == str(duplicate.pk) and event.after["moved"] == merge.moved
    # The duplicate's number now finds the survivor; lists show the survivor only.
    number = selectors.person_list(actor=staff).filter(pk=duplicate.pk)
    assert not number.exists()


def test_the_duplicates_number_finds_the_survivor():
    duplicate, survivor = person(), person()
    services.person_merge(actor=county(), duplicate=duplicate, survivor=survivor, reason="重复")
    assert selectors.person_find_by_id_number(actor=county(),
                                              id_number=duplicate.plain_id).pk == survivor.pk
    page = client_for(county()).get(reverse("registry:person_detail", args=[duplicate.pk]))
    text = page.content.decode()
    assert 'id="merged-note"' in text and 'id="person-edit-link"' not in text


def test_refused_merges_change_nothing():
    w = t.world()
    cls = t.open_class(w, sessions=t.sessions(start=next_monday()))
    # Both in the same class:
    a = t.enroll(w, cls, late_reason="补录").person
    b = t.enroll(w, cls, late_reason="补录").person
    KeyGroupMembership.objects.create(person=a, group="veteran", start_date=D(2020, 1, 1))
    far = person(region=f.region(f.OTHER_CITY_COUNTY))
    before = (state(a), state(b), state(far), list(Enrollment.objects.values_list("pk",
                                                                                  "person_id")))
    event_count = events().count()
    for actor, dup, surv, reason, error in (
        (county(), a, b, "重复", Conflict),  # both enrolled in one class
        (county(), a, a, "重复", DomainError),
        (county(), a, b, " ", DomainError),
        (f.operator(w.org), a, b, "重复", Forbidden),
        (outsider(), a, b, "重复", NotFound),
        (county(), a, far, "重复", DomainError),  # survivor out of scope: unknown
        (county(), far, a, "重复", NotFound),  # duplicate out of scope
    ):
        with pytest.raises(error):
            services.person_merge(actor=actor, duplicate=dup, survivor=surv, reason=reason)
    after = (state(a), state(b), state(far), list(Enrollment.objects.values_list("pk",
                                                                                 "person_id")))
    assert after == before and events().count() == event_count
    assert not PersonMerge.objects.exists()


def test_merging_twice_is_a_conflict():
    a, b, c = person(), person(), person()
    services.person_merge(actor=county(), duplicate=a, survivor=b, reason="重复")
    with pytest.raises(Conflict):
        services.person_merge(actor=county(), duplicate=a, survivor=c, reason="重复")
    with pytest.raises(Conflict):
        services.person_merge(actor=county(), duplicate=c, survivor=a, reason="重复")
    assert PersonMerge.objects.count() == 1


def test_the_merge_page_takes_the_survivors_number_and_shows_what_moved():
    duplicate, survivor = person(), person()
    KeyGroupMembership.objects.create(person=duplicate, group="veteran", start_date=D(2020, 1, 1))
    client = client_for(county())
    url = reverse("registry:person_merge", args=[duplicate.pk])
    wrong = client.post(url, {"survivor_id_number": f.id_number_for(n=988), "reason": "重复"})
    assert wrong.status_code == 400 and state(duplicate)[3] is None
    done = client.post(url, {"survivor_id_number": survivor.plain_id, "reason": "重复登记"})
    assert done.status_code == 302
    merge = PersonMerge.objects.get()
    page = client.get(done["Location"]).content.decode()
    assert "registry.key_group_membership" in page and "重复登记" in page
    assert survivor.plain_id not in page and duplicate.plain_id not in page
    survivor_page = client.get(reverse("registry:person_detail", args=[survivor.pk]))
    assert reverse("registry:person_merge_detail", args=[merge.pk]) in (
        survivor_page.content.decode())


def test_the_merge_api_and_its_documented_refusals():
    duplicate, survivor = person(), person()
    far = person(region=f.region(f.OTHER_CITY_COUNTY))
    api = api_for(county())
    refused = [
        (api, duplicate.pk, {"survivor_id": far.pk, "reason": "x"}, 400),
        (api, far.pk, {"survivor_id": survivor.pk, "reason": "x"}, 404),
        (api, duplicate.pk, {"survivor_id": survivor.pk, "reason": ""}, 422),
        (api_for(f.operator(f.OrganizationFactory())), duplicate.pk,
         {"survivor_id": survivor.pk, "reason": "x"}, 404),  # an institution sees neither
    ]
    for client, pk, body, status in refused:
        result = client.call("registry_person_merge", path={"person_id": pk}, json_body=body)
        assert result.status == status, (body, result.body)
    assert not PersonMerge.objects.exists() and not events().exists()
    ok = api.call("registry_person_merge", path={"person_id": duplicate.pk},
                  json_body={"survivor_id": survivor.pk, "reason": "同一人"})
    assert ok.status == 201 and ok.body["survivor_id"] == survivor.pk
    again = api.call("registry_person_merge", path={"person_id": duplicate.pk},
                     json_body={"survivor_id": survivor.pk, "reason": "同一人"})
    assert again.status == 409
    listed = api.call("registry_person_merge_list", path={"person_id": survivor.pk})
    assert [m["duplicate_id"] for m in listed.body] == [duplicate.pk]
    read = api.call("registry_person_get", path={"person_id": duplicate.pk})
    assert read.body["merged_into_id"] == survivor.pk


def test_a_number_lookup_for_other_apps_answers_the_survivor():
    duplicate, survivor = person(), person(region=f.region(f.OTHER_CITY_COUNTY))
    assert selectors.person_holding_number(duplicate.plain_id).pk == duplicate.pk
    services.person_merge(actor=f.staff(), duplicate=duplicate, survivor=survivor, reason="重复")
    assert selectors.person_holding_number(duplicate.plain_id).pk == survivor.pk
    assert selectors.person_holding_number(survivor.plain_id).pk == survivor.pk
    old = survivor.plain_id[:6] + survivor.plain_id[8:17]
    assert selectors.person_holding_number(old).pk == survivor.pk  # 15 digits
    assert selectors.person_holding_number("123") is None


def test_enrolling_with_a_merged_duplicates_number_enrolls_the_survivor_once():
    from jineng.training import services as training

    w = t.world()
    cls = t.open_class(w, sessions=t.sessions(start=next_monday()))
    duplicate = person(name="王五")
    survivor = person(name="王五", birth_date=duplicate.birth_date)
    services.person_merge(actor=county(), duplicate=duplicate, survivor=survivor, reason="重复")
    data = training.EnrollmentInput(id_number=duplicate.plain_id, name="王五",
                                    late_reason="补录")
    first, created = training.enrollment_create_once(actor=w.operator, training_class=cls,
                                                     data=data)
    again, created_again = training.enrollment_create_once(actor=w.operator,
                                                           training_class=cls, data=data)
    assert first.person_id == survivor.pk and created and not created_again
    assert again.pk == first.pk
    assert not Enrollment.objects.filter(person=duplicate).exists()

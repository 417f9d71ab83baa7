"""Registry API, called only through the OpenAPI document (tests/openapi.py): every answer is
validated against the schema the document declares for its status code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.accounts.models import ApiToken, Role
from jineng.core.models import AuditAction, AuditEvent
from jineng.core.validators import make_credit_code, make_resident_id
from jineng.registry.choices import OrganizationKind, OrganizationStatus
from jineng.registry.models import (
    KeyGroupMembership,
    Occupation,
    Organization,
    Person,
    TrainingSite,
)
from tests import factories as f
from tests.openapi import OpenApiClient, document, operations
from tests.registry.test_services import zh

pytestmark = pytest.mark.django_db

PUBLIC_OPS = {
    "registry_region_list", "registry_region_get", "registry_skill_level_list",
    "registry_skill_level_get", "registry_occupation_list", "registry_occupation_get",
    "registry_organization_list", "registry_site_list",
}


@pytest.fixture
def anon(client):
    return OpenApiClient(client)


def as_user(client, user) -> OpenApiClient:
    return OpenApiClient(client).login(user)


def with_unmask_permission(user):
    user.user_permissions.add(Permission.objects.get(codename="unmask_id_number"))
    return user


# --- the document ---------------------------------------------------------------------------

def test_openapi_document_is_valid_and_every_operation_is_named_and_tagged(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    ids = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert op.get("operationId"), f"{method} {path} has no operationId"
            assert op.get("tags"), f"{method} {path} has no tags"
            assert op.get("responses"), f"{method} {path} declares no responses"
            ids.append(op["operationId"])
    assert len(ids) == len(set(ids)), "operationIds must be unique"
    registry = {i for i in ids if i.startswith("registry_")}
    assert registry >= PUBLIC_OPS


def test_only_reference_data_and_public_lists_accept_anonymous_callers():
    for op_id, (_method, _path, op) in operations().items():
        if not op_id.startswith("registry_"):
            continue
        anonymous_ok = {} in op.get("security", [])
        assert anonymous_ok == (op_id in PUBLIC_OPS), op_id
    # Every $ref resolves.
    schemas = document()["components"]["schemas"]
    assert {"PersonOut", "ErrorOut", "ImportReportOut"} <= set(schemas)
    assert "id_number" not in schemas["PersonOut"]["properties"]


def test_anonymous_callers_get_401_elsewhere(anon):
    assert anon.call("registry_person_list").status == 401
    assert anon.call("registry_organization_get", path={"organization_id": 1}).status == 401


# --- reference data -------------------------------------------------------------------------

def test_regions_filter_by_parent_level_and_text(anon):
    result = anon.call("registry_region_list", query={"parent_code": f.CITY, "limit": 100})
    codes = {r["code"] for r in result.body["items"]}
    assert f.COUNTY in codes and f.OTHER_COUNTY in codes and f.OTHER_CITY not in codes
    assert all(r["parent_code"] == f.CITY for r in result.body["items"])
    provinces = anon.call("registry_region_list", query={"level": "province", "limit": 100})
    assert provinces.body["count"] >= 31
    named = anon.call("registry_region_list", query={"q": "南明"})
    assert f.COUNTY in {r["code"] for r in named.body["items"]}
    one = anon.call("registry_region_get", path={"code": f.COUNTY})
    assert one.body["name"] == "南明区" and one.body["level"] == "county"


def test_missing_region_is_404_with_the_error_body(anon):
    result = anon.call("registry_region_get", path={"code": "999999"})
    assert result.status == 404 and result.error_codes() == ["not_found"]


def test_skill_levels_are_the_eight_rungs(anon):
    result = anon.call("registry_skill_level_list")
    assert result.body["count"] == 8
    grade3 = anon.call("registry_skill_level_get", path={"code": "grade3"})
    assert grade3.body["name"] == "高级工" and grade3.body["is_high_skilled"] is True
    assert anon.call("registry_skill_level_get", path={"code": "nope"}).status == 404


def test_occupations_filter_by_text_rank_and_missing_code(anon):
    coded = Occupation.objects.create(code="9-99-99-91", name="测试职业甲", rank="occupation")
    Occupation.objects.create(code=None, name="测试职业乙（待定）", needs_code=True,
                              rank="occupation")
    result = anon.call("registry_occupation_list", query={"q": "测试职业"})
    assert {o["name"] for o in result.body["items"]} == {"测试职业甲", "测试职业乙（待定）"}
    pending = anon.call("registry_occupation_list", query={"q": "测试职业", "needs_code": True})
    assert [o["code"] for o in pending.body["items"]] == [None]
    by_rank = anon.call("registry_occupation_list", query={"q": "测试", "rank": "work_type"})
    assert by_rank.body["count"] == 0
    one = anon.call("registry_occupation_get", path={"occupation_id": coded.pk})
    assert one.body["code"] == "9-99-99-91"


# --- organizations --------------------------------------------------------------------------

def org_payload(**overrides):
    data = {"kind": "training", "institution_type": "private_training", "name": "南明职业培训学校",
            "credit_code": f.credit_code_for(f.COUNTY), "region_code": f.COUNTY}
    return {**data, **overrides}


def test_anonymous_list_shows_only_listed_institutions(anon):
    listed = f.OrganizationFactory()
    f.OrganizationFactory(status=OrganizationStatus.SUSPENDED)
    f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")
    result = anon.call("registry_organization_list", query={"limit": 100})
    assert [o["id"] for o in result.body["items"]] == [listed.pk]


def test_anonymous_list_hides_the_representative_and_phone(anon, client):
    """Public data (docs/adr/0005-public-data.md): no legal representative's name or mobile
    number, no internal override note, for a caller without credentials; staff still see
    them."""
    listed = f.OrganizationFactory(legal_representative="王某某", contact_phone="13800001234",
                                   credit_code_override="核对过营业执照")
    result = anon.call("registry_organization_list", query={"limit": 100})
    item = next(o for o in result.body["items"] if o["id"] == listed.pk)
    assert item["legal_representative"] == item["contact_phone"] == ""
    assert item["credit_code_override"] == ""
    assert "13800001234" not in result.response.content.decode()
    assert item["name"] == listed.name and item["credit_code"] == listed.credit_code
    staff = as_user(client, f.staff())
    seen = next(o for o in staff.call("registry_organization_list", query={
        "limit": 100}).body["items"] if o["id"] == listed.pk)
    assert seen["contact_phone"] == "13800001234" and seen["legal_representative"] == "王某某"


def test_staff_list_is_scoped_and_filtered(client):
    mine = f.OrganizationFactory(name="南明甲校")
    other = f.OrganizationFactory(name="云岩乙校", region=f.region(f.OTHER_COUNTY))
    enterprise = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    ids = {o["id"] for o in api.call("registry_organization_list").body["items"]}
    assert ids == {mine.pk, enterprise.pk}
    city = as_user(client, f.staff(Role.CITY_STAFF, f.CITY))
    assert {o["id"] for o in city.call("registry_organization_list", query={
        "region_code": f.OTHER_COUNTY}).body["items"]} == {other.pk}
    assert [o["id"] for o in city.call("registry_organization_list", query={
        "kind": "enterprise"}).body["items"]] == [enterprise.pk]
    assert [o["id"] for o in city.call("registry_organization_list", query={
        "q": other.credit_code}).body["items"]] == [other.pk]


def test_out_of_scope_organization_is_404_like_a_missing_one(client):
    other = f.OrganizationFactory(region=f.region(f.OTHER_COUNTY))
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    hidden = api.call("registry_organization_get", path={"organization_id": other.pk})
    missing = api.call("registry_organization_get", path={"organization_id": 999999})
    assert hidden.status == missing.status == 404
    assert hidden.body == missing.body


def test_create_organization(client):
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    result = api.call("registry_organization_create", json_body=org_payload())
    assert result.status == 201
    assert result.body["status"] == "listed" and result.body["region_code"] == f.COUNTY
    history = api.call("registry_organization_status_history",
                       path={"organization_id": result.body["id"]})
    assert [h["status"] for h in history.body] == ["listed"]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE,
                                     entity_type="registry.organization").count() == 1


@pytest.mark.parametrize(("overrides", "field", "code"), [
    ({"credit_code": "91520102MA6H0001I1"}, "credit_code", "characters"),
    ({"credit_code": "9152010"}, "credit_code", "length"),
    ({"region_code": "529999"}, "region_code", "invalid"),
    ({"kind": "club"}, "kind", "invalid"),
    ({"institution_type": ""}, "institution_type", "invalid"),
])
def test_create_organization_bad_input_names_the_field(client, overrides, field, code):
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    result = api.call("registry_organization_create", json_body=org_payload(**overrides))
    assert result.status == 400
    assert result.error_fields() == [field] and result.error_codes() == [code]
    assert not Organization.objects.exists()


def test_failed_check_character_needs_a_reason(client):
    good = f.credit_code_for(f.COUNTY)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    refused = api.call("registry_organization_create", json_body=org_payload(credit_code=bad))
    assert refused.status == 400 and refused.error_codes() == ["check_character"]
    assert refused.error_fields() == ["credit_code"]
    accepted = api.call("registry_organization_create", json_body=org_payload(
        credit_code=bad, credit_code_override="早期试点代码，经市场监管部门核实"))
    assert accepted.status == 201
    assert accepted.body["credit_code_override"] == "早期试点代码，经市场监管部门核实"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, entity_type="registry.organization")
    assert event.reason == "早期试点代码，经市场监管部门核实"


def test_duplicate_credit_code_is_409(client):
    existing = f.OrganizationFactory()
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    result = api.call("registry_organization_create",
                      json_body=org_payload(credit_code=existing.credit_code))
    assert result.status == 409 and result.error_fields() == ["credit_code"]


def test_create_outside_jurisdiction_is_403(client):
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    result = api.call("registry_organization_create",
                      json_body=org_payload(region_code=f.OTHER_COUNTY))
    assert result.status == 403 and not Organization.objects.exists()


def test_status_change_and_history(client):
    org = f.OrganizationFactory()
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    no_reason = api.call("registry_organization_change_status",
                         path={"organization_id": org.pk},
                         json_body={"status": "suspended", "reason": " "})
    assert no_reason.status == 400 and no_reason.error_fields() == ["reason"]
    done = api.call("registry_organization_change_status", path={"organization_id": org.pk},
                    json_body={"status": "suspended", "reason": "抽查发现虚假培训"})
    assert done.status == 200 and done.body["status"] == "suspended"
    history = api.call("registry_organization_status_history",
                       path={"organization_id": org.pk})
    assert [h["reason"] for h in history.body] == ["抽查发现虚假培训"]
    operator = as_user(client, f.operator(org))
    denied = operator.call("registry_organization_change_status",
                           path={"organization_id": org.pk},
                           json_body={"status": "listed", "reason": "自行恢复"})
    assert denied.status == 403
    org.refresh_from_db()
    assert org.status == OrganizationStatus.SUSPENDED


# --- sites ----------------------------------------------------------------------------------

def site_payload(org, **overrides):
    data = {"organization_id": org.pk, "name": "一号实训楼", "address": "中华北路1号",
            "region_code": f.COUNTY, "longitude": "106.71", "latitude": "26.57", "capacity": 40}
    return {**data, **overrides}


def test_create_site_and_read_it(client):
    org = f.OrganizationFactory()
    api = as_user(client, f.operator(org))
    created = api.call("registry_site_create", json_body=site_payload(org))
    assert created.status == 201 and created.body["organization_name"] == org.name
    one = api.call("registry_site_get", path={"site_id": created.body["id"]})
    assert one.body["capacity"] == 40
    again = api.call("registry_site_create", json_body=site_payload(org))
    assert again.status == 409 and again.error_fields() == ["name"]


@pytest.mark.parametrize(("overrides", "field", "status"), [
    ({"capacity": 0}, "capacity", 422),  # the schema's range (documented)
    ({"capacity": 3_000_000_000}, "capacity", 422),  # beyond the column (int4)
    ({"longitude": "10.5"}, "longitude", 400),
    ({"longitude": "106.1234567"}, "longitude", 422),  # more decimals than the column
    ({"region_code": "000000"}, "region_code", 400),
    ({"organization_id": 999999}, "organization_id", 400),
])
def test_create_site_bad_input_names_the_field(client, overrides, field, status):
    org = f.OrganizationFactory()
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    result = api.call("registry_site_create", json_body=site_payload(org, **overrides))
    assert result.status == status and result.error_fields() == [field]
    assert not TrainingSite.objects.exists()


def test_site_of_an_organization_out_of_scope_names_the_organization(client):
    other = f.OrganizationFactory(region=f.region(f.OTHER_COUNTY))
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    result = api.call("registry_site_create", json_body=site_payload(other))
    assert result.status == 400 and result.error_fields() == ["organization_id"]


def test_site_list_filters_and_public_view(client, anon):
    org = f.OrganizationFactory()
    site = f.SiteFactory(organization=org)
    other = f.SiteFactory(organization=f.OrganizationFactory(region=f.region(f.OTHER_COUNTY)))
    hidden = f.SiteFactory(organization=f.OrganizationFactory(
        status=OrganizationStatus.REVOKED))
    public = {s["id"] for s in anon.call("registry_site_list").body["items"]}
    assert {site.pk, other.pk} <= public and hidden.pk not in public
    api = as_user(client, f.staff())
    assert [s["id"] for s in api.call("registry_site_list", query={
        "organization": org.pk}).body["items"]] == [site.pk]
    assert [s["id"] for s in api.call("registry_site_list", query={
        "region_code": f.OTHER_COUNTY}).body["items"]] == [other.pk]
    county = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    assert county.call("registry_site_get", path={"site_id": other.pk}).status == 404


# --- persons --------------------------------------------------------------------------------

def person_payload(**overrides):
    data = {"id_number": make_resident_id(f.COUNTY, dt.date(1996, 3, 8), 21),
            "name": "李四", "region_code": f.COUNTY, "phone": "13800000001",
            "key_groups": [{"group": "graduate", "start_date": "2024-07-01"},
                           {"group": "migrant_worker"}]}
    return {**data, **overrides}


def test_register_person_shows_only_the_masked_id(client):
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    payload = person_payload()
    result = api.call("registry_person_register", json_body=payload)
    assert result.status == 201
    assert result.body["id_masked"] == payload["id_number"][:6] + "********" + \
        payload["id_number"][-4:]
    assert payload["id_number"] not in result.response.content.decode()
    assert {g["group"] for g in result.body["key_groups"]} == {"graduate", "migrant_worker"}
    one = api.call("registry_person_get", path={"person_id": result.body["id"]})
    assert payload["id_number"] not in one.response.content.decode()


def with_check_digit_fixed(first17: str) -> str:
    from jineng.core.validators import id_check_character

    return first17 + id_check_character(first17)


def with_check_digit_wrong(first17: str) -> str:
    right = with_check_digit_fixed(first17)[-1]
    return first17 + ("0" if right != "0" else "1")


@pytest.mark.parametrize(("id_number", "code"), [
    (with_check_digit_wrong(f"{f.COUNTY}19900101005"), "check_digit"),
    (with_check_digit_fixed(f"{f.COUNTY}19900230005"), "birth_date"),  # 30 February
    (with_check_digit_fixed("10010219900101005"), "region"),  # no province 10
    ("52010219900101", "length"),
])
def test_register_person_bad_id_number_names_the_field(client, id_number, code):
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    result = api.call("registry_person_register", json_body=person_payload(id_number=id_number))
    assert result.status == 400
    assert result.error_fields() == ["id_number"] and result.error_codes() == [code]
    assert not Person.objects.exists()


def test_register_person_unknown_region_and_group(client):
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    region = api.call("registry_person_register",
                      json_body=person_payload(region_code="529999"))
    assert region.status == 400 and region.error_fields() == ["region_code"]
    group = api.call("registry_person_register", json_body=person_payload(
        key_groups=[{"group": "astronaut"}]))
    assert group.status == 400 and group.error_fields() == ["key_groups"]


def test_duplicate_person_is_409_on_id_number(client):
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    assert api.call("registry_person_register", json_body=person_payload()).status == 201
    again = api.call("registry_person_register", json_body=person_payload(name="王五"))
    assert again.status == 409 and again.error_fields() == ["id_number"]
    assert Person.objects.count() == 1


def test_person_list_search_filters_and_pagination(client):
    people = [f.PersonFactory(name=f"赵{i}") for i in range(5)]
    target = f.PersonFactory(name="钱七")
    KeyGroupMembership.objects.create(person=target, group="veteran",
                                      start_date=dt.date(2024, 1, 1))
    f.PersonFactory(name="孙八", region=f.region(f.OTHER_COUNTY))
    api = as_user(client, f.staff(Role.CITY_STAFF, f.CITY))
    page = api.call("registry_person_list", query={"q": "赵", "limit": 2, "offset": 2})
    assert page.body["count"] == 5 and len(page.body["items"]) == 2
    assert [p["id"] for p in page.body["items"]] == [people[2].pk, people[3].pk]
    by_name = api.call("registry_person_list", query={"q": "钱"})
    assert [p["id"] for p in by_name.body["items"]] == [target.pk]
    grouped = api.call("registry_person_list", query={"key_group": "veteran"})
    assert [p["id"] for p in grouped.body["items"]] == [target.pk]
    there = api.call("registry_person_list", query={"region_code": f.OTHER_COUNTY})
    assert [p["name"] for p in there.body["items"]] == ["孙八"]


def test_whole_id_number_search_goes_in_the_body_never_in_a_url(client):
    number = make_resident_id(f.COUNTY, dt.date(1988, 8, 8), 33)
    person = f.PersonFactory(plain_id=number)
    f.PersonFactory()
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    found = api.call("registry_person_search", json_body={"id_number": number.lower()})
    assert found.status == 200 and [p["id"] for p in found.body] == [person.pk]
    assert number not in found.response.content.decode()
    unknown = make_resident_id(f.COUNTY, dt.date(1988, 8, 8), 34)
    assert api.call("registry_person_search", json_body={"id_number": unknown}).body == []
    bad = api.call("registry_person_search", json_body={"id_number": number[:-1] + "0"})
    assert bad.status == 400 and bad.error_fields() == ["id_number"]
    # in a query string the number would be logged by every proxy: refused, naming the field
    refused = api.call("registry_person_list", query={"q": number})
    assert refused.status == 400 and refused.error_fields() == ["q"]
    assert refused.error_codes() == ["id_number_in_url"]
    assert number not in refused.response.content.decode()
    assert api.call("registry_person_list", query={"q": number[:6]}).status == 200


def test_a_person_outside_scope_is_not_found_by_id_number(client):
    number = make_resident_id(f.OTHER_COUNTY, dt.date(1990, 1, 2), 35)
    f.PersonFactory(plain_id=number, region=f.region(f.OTHER_COUNTY))
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    assert api.call("registry_person_search", json_body={"id_number": number}).body == []


def test_county_staff_cannot_read_another_countys_person(client):
    other = f.PersonFactory(region=f.region(f.OTHER_COUNTY))
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    hidden = api.call("registry_person_get", path={"person_id": other.pk})
    missing = api.call("registry_person_get", path={"person_id": 999999})
    assert hidden.status == missing.status == 404 and hidden.body == missing.body
    listed = api.call("registry_person_list")
    assert other.pk not in {p["id"] for p in listed.body["items"]}


def test_institution_registers_persons_as_itself_and_sees_only_those(client):
    org = f.OrganizationFactory()
    f.PersonFactory()  # registered by staff: not the institution's
    api = as_user(client, f.operator(org))
    created = api.call("registry_person_register", json_body=person_payload())
    assert created.status == 201 and created.body["registered_by_id"] == org.pk
    assert [p["id"] for p in api.call("registry_person_list").body["items"]] == [
        created.body["id"]]


# --- unmasking ------------------------------------------------------------------------------

def test_unmask_with_permission_is_audited(client):
    number = make_resident_id(f.COUNTY, dt.date(1991, 2, 3), 45)
    person = f.PersonFactory(plain_id=number)
    user = with_unmask_permission(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    api = as_user(client, user)
    result = api.call("registry_person_unmask", path={"person_id": person.pk},
                      json_body={"reason": "核对补贴申领材料"})
    assert result.status == 200 and result.body["id_number"] == number
    event = AuditEvent.objects.get(action=AuditAction.UNMASK)
    assert event.entity_id == str(person.pk) and event.reason == "核对补贴申领材料"
    assert event.actor_username == user.username and number not in str(event.after)


def test_unmask_without_permission_is_403_and_the_refusal_is_audited(client):
    person = f.PersonFactory()
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    result = api.call("registry_person_unmask", path={"person_id": person.pk},
                      json_body={"reason": "好奇"})
    assert result.status == 403 and "id_number" not in (result.body or {})
    event = AuditEvent.objects.get(action=AuditAction.UNMASK)
    assert event.after == {"outcome": "refused"}
    assert event.reason == f"{zh('Refused: no permission to see whole ID numbers.')} 好奇"


def test_unmask_needs_a_reason_and_scope(client):
    mine = f.PersonFactory()
    other = f.PersonFactory(region=f.region(f.OTHER_COUNTY))
    api = as_user(client, with_unmask_permission(f.staff(Role.COUNTY_STAFF, f.COUNTY)))
    no_reason = api.call("registry_person_unmask", path={"person_id": mine.pk},
                         json_body={"reason": "  "})
    assert no_reason.status == 400 and no_reason.error_fields() == ["reason"]
    hidden = api.call("registry_person_unmask", path={"person_id": other.pk},
                      json_body={"reason": "核对"})
    assert hidden.status == 404
    assert not AuditEvent.objects.filter(action=AuditAction.UNMASK).exists()


# --- key groups -----------------------------------------------------------------------------

def test_add_key_group(client):
    person = f.PersonFactory()
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    body = {"group": "unemployed", "start_date": "2025-03-01", "source": "失业登记"}
    added = api.call("registry_key_group_add", path={"person_id": person.pk}, json_body=body)
    assert added.status == 201 and added.body["group"] == "unemployed"
    again = api.call("registry_key_group_add", path={"person_id": person.pk}, json_body=body)
    assert again.status == 409 and again.error_fields() == ["group"]
    bad = api.call("registry_key_group_add", path={"person_id": person.pk},
                   json_body={**body, "group": "astronaut"})
    assert bad.status == 400 and bad.error_fields() == ["group"]
    ended = api.call("registry_key_group_add", path={"person_id": person.pk},
                     json_body={**body, "start_date": "2025-05-01", "end_date": "2025-04-01"})
    assert ended.status == 400 and ended.error_fields() == ["end_date"]
    missing_date = api.call("registry_key_group_add", path={"person_id": person.pk},
                            json_body={"group": "veteran"})
    assert missing_date.status == 422 and missing_date.error_fields() == ["start_date"]


# --- tokens ---------------------------------------------------------------------------------

def test_bearer_token_acts_as_its_user(client):
    org = f.OrganizationFactory()
    _row, token = ApiToken.issue(f.operator(org), "school system")
    api = OpenApiClient(client).bearer(token)
    created = api.call("registry_person_register", json_body=person_payload())
    assert created.status == 201 and created.body["registered_by_id"] == org.pk
    wrong = OpenApiClient(client).bearer("jn_not-a-token")
    assert wrong.call("registry_person_list").status == 401


# --- query budgets --------------------------------------------------------------------------

@pytest.mark.parametrize(("op_id", "make"), [
    ("registry_person_list", lambda n: [
        KeyGroupMembership.objects.create(person=f.PersonFactory(), group="graduate",
                                          start_date=dt.date(2024, 1, 1)) for _ in range(n)]),
    ("registry_organization_list", lambda n: [f.OrganizationFactory() for _ in range(n)]),
    ("registry_site_list", lambda n: [f.SiteFactory() for _ in range(n)]),
    ("registry_region_list", lambda n: None),
    ("registry_occupation_list", lambda n: [
        Occupation.objects.create(code=f"9-98-{n:02d}-{i:02d}", name=f"预算测试{n}-{i}")
        for i in range(n)]),
])
def test_list_endpoints_have_a_query_budget(client, django_assert_max_num_queries, op_id, make):
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    make(2)
    api.call(op_id)  # warm the session and the user's region
    make(20)
    with django_assert_max_num_queries(8):
        result = api.call(op_id, query={"limit": 50})
    assert result.status == 200 and len(result.body["items"]) >= (22 if op_id not in {
        "registry_region_list"} else 1)


# --- imports and exports through the API ----------------------------------------------------

def test_import_through_the_api_reports_rows(client):
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    good = make_resident_id(f.COUNTY, dt.date(1990, 1, 1), 7)
    text = f"身份证号码,姓名,所在地区代码\n{good},周一,{f.COUNTY}\n123,吴二,{f.COUNTY}\n"
    upload = SimpleUploadedFile("persons.csv", text.encode("gbk"), content_type="text/csv")
    refused = api.call("registry_import", path={"kind": "persons"}, files={"file": upload})
    assert refused.status == 200 and refused.body["written"] is False
    assert refused.body["errors"] == [{"row": 3, "field": "id_number",
                                       "message": refused.body["errors"][0]["message"]}]
    assert not Person.objects.exists()
    upload = SimpleUploadedFile("persons.csv", text.encode("gbk"), content_type="text/csv")
    done = api.call("registry_import", path={"kind": "persons"}, files={"file": upload},
                    form={"skip_bad_rows": "true"})
    assert done.body["written"] is True and done.body["created"] == 1
    assert done.body["skipped"] == 1 and Person.objects.count() == 1


def test_import_api_unknown_kind_forbidden_kind_and_bad_file(client):
    org = f.OrganizationFactory()
    api = as_user(client, f.operator(org))
    upload = SimpleUploadedFile("x.csv", b"a,b\n1,2\n")
    assert api.call("registry_import", path={"kind": "unicorns"},
                    files={"file": upload}).status == 404
    upload = SimpleUploadedFile("orgs.csv", "统一社会信用代码\n".encode())
    assert api.call("registry_import", path={"kind": "organizations"},
                    files={"file": upload}).status == 403
    staff_api = as_user(client, f.staff())
    upload = SimpleUploadedFile("persons.pdf", b"%PDF")
    bad = staff_api.call("registry_import", path={"kind": "persons"}, files={"file": upload})
    assert bad.status == 400 and bad.error_fields() == ["file"]
    upload = SimpleUploadedFile("persons.csv", "姓名\n张三\n".encode())
    missing = staff_api.call("registry_import", path={"kind": "persons"}, files={"file": upload})
    assert missing.status == 400 and "身份证号码" in missing.body["detail"][0]["message"]


def test_template_and_export_downloads(client):
    number = make_resident_id(f.COUNTY, dt.date(1993, 9, 9), 61)
    f.PersonFactory(plain_id=number)
    api = as_user(client, f.staff(Role.COUNTY_STAFF, f.COUNTY))
    template = api.call("registry_import_template", path={"kind": "persons"})
    assert template.status == 200 and template.content[:2] == b"PK"
    exported = api.call("registry_export_csv", path={"kind": "persons"})
    text = exported.content.decode("utf-8-sig")
    assert text.startswith("身份证号码（脱敏）,姓名") and number not in text
    assert number[:6] + "********" + number[-4:] in text
    xlsx = api.call("registry_export_xlsx", path={"kind": "organizations"})
    assert xlsx.status == 200 and xlsx.content[:2] == b"PK"
    assert api.call("registry_export_csv", path={"kind": "regions"}).status == 404
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 2


def test_credit_codes_of_factories_are_valid():
    # Guard for the fixtures above: the check character of generated codes holds.
    from jineng.core.validators import parse_credit_code

    assert parse_credit_code(make_credit_code("52", f.COUNTY, "00000001")).check_ok

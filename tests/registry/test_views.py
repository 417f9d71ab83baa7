"""Registry pages: real templates, scoped reads, audited writes, masked ID numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jineng.accounts.models import Role
from jineng.core.models import AuditAction, AuditEvent
from jineng.core.validators import make_credit_code
from jineng.registry.choices import KeyGroup, OrganizationKind, OrganizationStatus
from jineng.registry.models import (
    KeyGroupMembership,
    Occupation,
    Organization,
    OrganizationStatusChange,
    Person,
    TrainingSite,
)
from tests import factories as f
from tests.registry.test_services import zh

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    """A logged-in client reading English pages (assertions do not depend on translations)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


def with_unmask(user):
    user.user_permissions.add(Permission.objects.get(codename="unmask_id_number",
                                                     content_type__app_label="registry"))
    # Permissions are cached on the instance; fetch a fresh one.
    return type(user).objects.get(pk=user.pk)


def bad_check_credit_code(region_code: str = f.COUNTY) -> str:
    good = f.credit_code_for(region_code)
    wrong = "0" if good[-1] != "0" else "1"
    return good[:-1] + wrong


def make_person(**kwargs) -> Person:
    """A person with its whole ID number kept on the instance as `plain_id` (for assertions)."""
    number = kwargs.pop("plain_id", None) or f.id_number_for()
    person = f.PersonFactory(plain_id=number, **kwargs)
    person.plain_id = number
    return person


def changes():
    """Audit events other than the logins the test clients make."""
    return AuditEvent.objects.exclude(action__in=[AuditAction.LOGIN, AuditAction.LOGIN_FAILED])


@pytest.fixture
def province(db):
    return client_for(f.staff())


# --- pages need a login ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["region_list", "occupation_list", "organization_list",
                                  "site_list", "person_list", "person_register",
                                  "organization_create"])
def test_pages_need_login(client, name):
    response = client.get(reverse(f"registry:{name}"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- regions ---------------------------------------------------------------------------------

def test_region_tree_drills_down_with_scoped_counts(django_assert_max_num_queries):
    f.SiteFactory(organization=f.OrganizationFactory(region=f.region(f.COUNTY)))
    f.OrganizationFactory(region=f.region(f.OTHER_COUNTY))
    f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY))
    client = client_for(f.staff())

    top = client.get(reverse("registry:region_list"))
    assert top.status_code == 200
    assert 'data-code="520000"' in html(top) and 'data-code="110000"' in html(top)

    with django_assert_max_num_queries(9):
        page = client.get(reverse("registry:region_list"), {"parent": "520000"})
    text = html(page)
    assert "贵阳市" in text and "遵义市" in text
    # Guiyang: two organizations (南明区, 云岩区) and one site; Zunyi: one organization.
    guiyang = text.split('data-code="520100"')[1].split("</tr>")[0]
    assert "?region=520100" in guiyang and ">2</a>" in guiyang and ">1</a>" in guiyang
    zunyi = text.split('data-code="520300"')[1].split("</tr>")[0]
    assert ">1</a>" in zunyi

    county = client.get(reverse("registry:region_list"), {"parent": "520100"})
    assert 'data-code="520102"' in html(county)
    assert "贵州省" in html(county)  # breadcrumb


def test_region_counts_are_scoped_to_the_viewer():
    f.OrganizationFactory(region=f.region(f.OTHER_COUNTY))
    f.OrganizationFactory(region=f.region(f.COUNTY))
    county = client_for(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    text = html(county.get(reverse("registry:region_list"), {"parent": "520100"}))
    other = text.split('data-code="520103"')[1].split("</tr>")[0]
    own = text.split('data-code="520102"')[1].split("</tr>")[0]
    assert "?region=520102" in own
    assert "?region=" not in other  # the other county's organization is not counted


def test_unknown_region_is_404(province):
    assert province.get(reverse("registry:region_list"), {"parent": "999999"}).status_code == 404


# --- occupations -----------------------------------------------------------------------------

def test_occupation_search_flags_code_pending(province):
    Occupation.objects.create(code="9-99-99-01", name="测试页面职业甲",
                              code_source="《职业分类大典》2022, p. 1")
    Occupation.objects.create(code=None, name="测试页面职业乙", needs_code=True,
                              named_in="某政策 (三)")
    response = province.get(reverse("registry:occupation_list"), {"q": "测试页面职业"})
    text = html(response)
    assert "测试页面职业甲" in text and "测试页面职业乙" in text
    assert "《职业分类大典》2022, p. 1" in text
    pending_row = text.split("测试页面职业乙")[0].rsplit("<tr", 1)[1]
    assert "code pending" in pending_row
    coded_row = text.split("测试页面职业甲")[0].rsplit("<tr", 1)[1]
    assert "code pending" not in coded_row

    only_pending = html(province.get(reverse("registry:occupation_list"),
                                     {"q": "测试页面职业", "needs_code": "on"}))
    assert "测试页面职业乙" in only_pending and "测试页面职业甲" not in only_pending


# --- organizations ---------------------------------------------------------------------------

def test_organization_list_filters_and_query_budget(django_assert_max_num_queries):
    for _ in range(55):
        f.OrganizationFactory()
    f.OrganizationFactory(name="评价机构乙", kind=OrganizationKind.EVALUATION,
                          institution_type="")
    f.OrganizationFactory(name="遵义学校", region=f.region(f.OTHER_CITY_COUNTY),
                          status=OrganizationStatus.SUSPENDED)
    client = client_for(f.staff())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("registry:organization_list"))
    assert response.status_code == 200
    assert html(response).count("data-pk=") == 50
    assert "Page 1 of 2" in html(response)

    by_kind = html(client.get(reverse("registry:organization_list"), {"kind": "evaluation"}))
    assert "评价机构乙" in by_kind and by_kind.count("data-pk=") == 1
    by_status = html(client.get(reverse("registry:organization_list"),
                                {"status": "suspended"}))
    assert "遵义学校" in by_status and by_status.count("data-pk=") == 1
    by_region = html(client.get(reverse("registry:organization_list"), {"region": "520300"}))
    assert "遵义学校" in by_region and by_region.count("data-pk=") == 1
    by_type = html(client.get(reverse("registry:organization_list"),
                              {"institution_type": "technician_college"}))
    assert by_type.count("data-pk=") == 0


def test_organization_list_is_scoped():
    f.OrganizationFactory(name="南明学校")
    f.OrganizationFactory(name="云岩学校", region=f.region(f.OTHER_COUNTY))
    text = html(client_for(f.staff(Role.COUNTY_STAFF, f.COUNTY))
                .get(reverse("registry:organization_list")))
    assert "南明学校" in text and "云岩学校" not in text


def test_organization_detail_shows_sites_history_and_override_warning(province):
    org = f.OrganizationFactory(credit_code_override="早期试点代码，经核实为真")
    f.SiteFactory(organization=org, name="一号教学点")
    OrganizationStatusChange.objects.create(organization=org, to_status="listed",
                                            effective_date=dt.date(2024, 1, 2),
                                            reason="首次列入目录", actor_username="x")
    text = html(province.get(reverse("registry:organization_detail", args=[org.pk])))
    assert org.name in text and "一号教学点" in text and "首次列入目录" in text
    assert 'class="warning"' in text and "早期试点代码，经核实为真" in text
    assert 'id="status-form"' in text


def test_organization_out_of_scope_is_404_like_missing():
    org = f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY))
    county = client_for(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    assert county.get(reverse("registry:organization_detail", args=[org.pk])).status_code == 404
    assert county.get(reverse("registry:organization_detail", args=[10**9])).status_code == 404


def test_status_change_writes_history_and_audit(province):
    org = f.OrganizationFactory()
    day = timezone.localdate()
    response = province.post(reverse("registry:organization_status", args=[org.pk]),
                             {"status": "suspended", "effective_date": day.isoformat(),
                              "reason": "抽查发现虚假培训"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == OrganizationStatus.SUSPENDED and org.status_since == day
    change = OrganizationStatusChange.objects.get(organization=org, to_status="suspended")
    assert change.reason == "抽查发现虚假培训"
    assert (change.action, change.from_status) == ("suspend", "listed")
    assert change.actor is not None and change.actor_username == change.actor.username
    event = AuditEvent.objects.get(action=AuditAction.TRANSITION, entity_id=str(org.pk))
    assert event.after == {"status": "suspended"} and event.reason == "抽查发现虚假培训"
    assert event.actor_id == change.actor_id
    text = html(province.get(reverse("registry:organization_detail", args=[org.pk])))
    row = text[text.index("抽查发现虚假培训") - 400:text.index("抽查发现虚假培训") + 200]
    assert "Listed" in row and "Suspended" in row and change.actor_username in row


def test_status_change_refused_transition_is_a_form_error(province):
    org = f.OrganizationFactory(status=OrganizationStatus.REVOKED)
    response = province.post(reverse("registry:organization_status", args=[org.pk]),
                             {"status": "listed", "effective_date": "2030-01-01",
                              "reason": "x"})
    assert response.status_code == 400
    org.refresh_from_db()
    assert org.status == OrganizationStatus.REVOKED
    assert not AuditEvent.objects.filter(action=AuditAction.TRANSITION).exists()
    # A revoked organization offers no status form at all.
    assert 'id="status-form"' not in html(province.get(
        reverse("registry:organization_detail", args=[org.pk])))


def test_status_change_date_before_current_status_names_the_field(province):
    org = f.OrganizationFactory(status_since=dt.date(2025, 6, 1))
    response = province.post(reverse("registry:organization_status", args=[org.pk]),
                             {"status": "suspended", "effective_date": "2025-01-01",
                              "reason": "x"})
    assert response.status_code == 400
    assert "before the current status began" in html(response)
    assert response.context["status_form"].errors["effective_date"]


def test_operator_cannot_change_status():
    org = f.OrganizationFactory()
    operator = client_for(f.operator(org))
    assert 'id="status-form"' not in html(operator.get(
        reverse("registry:organization_detail", args=[org.pk])))
    response = operator.post(reverse("registry:organization_status", args=[org.pk]),
                             {"status": "suspended", "effective_date": "2030-01-01",
                              "reason": "自己停办"})
    assert response.status_code == 403
    assert "Only HRSS staff may do this." in html(response)  # the service's reason, shown
    org.refresh_from_db()
    assert org.status == OrganizationStatus.LISTED
    assert not OrganizationStatusChange.objects.filter(organization=org).exists()
    assert not changes().exists()


def organization_post(**overrides) -> dict:
    data = {"kind": "training", "institution_type": "private_training", "name": "新注册学校",
            "credit_code": f.credit_code_for(f.COUNTY), "region": f.region(f.COUNTY).pk,
            "address": "中华北路2号", "legal_representative": "李四", "contact_phone": "",
            "sector": "", "credit_code_override": ""}
    data.update(overrides)
    return data


def test_register_organization(province):
    data = organization_post()
    response = province.post(reverse("registry:organization_create"), data)
    assert response.status_code == 302
    org = Organization.objects.get(credit_code=data["credit_code"])
    assert response["Location"] == reverse("registry:organization_detail", args=[org.pk])
    assert org.status == OrganizationStatus.LISTED and org.credit_code_override == ""
    assert OrganizationStatusChange.objects.filter(organization=org).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, entity_id=str(org.pk),
                                     entity_type="registry.organization").exists()


def test_failed_check_character_warns_then_accepts_with_a_reason(province):
    code = bad_check_credit_code()
    form_page = html(province.get(reverse("registry:organization_create")))
    assert 'name="credit_code_override"' not in form_page

    refused = province.post(reverse("registry:organization_create"),
                            organization_post(credit_code=code))
    assert refused.status_code == 400
    assert "check character" in html(refused)
    assert 'name="credit_code_override"' in html(refused)
    assert not Organization.objects.filter(credit_code=code).exists()

    accepted = province.post(reverse("registry:organization_create"),
                             organization_post(credit_code=code,
                                               credit_code_override="营业执照原件核对无误"))
    assert accepted.status_code == 302
    org = Organization.objects.get(credit_code=code)
    assert org.credit_code_override == "营业执照原件核对无误"
    detail = html(province.get(accepted["Location"]))
    assert 'class="warning"' in detail and "营业执照原件核对无误" in detail


def test_duplicate_credit_code_is_an_error_on_that_field(province):
    org = f.OrganizationFactory()
    response = province.post(reverse("registry:organization_create"),
                             organization_post(credit_code=org.credit_code))
    assert response.status_code == 400
    assert response.context["form"].errors["credit_code"]
    assert Organization.objects.filter(credit_code=org.credit_code).count() == 1


def test_county_staff_cannot_register_outside_their_county():
    county = client_for(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    other = f.region(f.OTHER_COUNTY)
    data = organization_post(region=other.pk,
                             credit_code=make_credit_code("52", other.code, "00000077"))
    response = county.post(reverse("registry:organization_create"), data)
    assert response.status_code == 400  # not offered: not a valid choice
    assert not Organization.objects.filter(credit_code=data["credit_code"]).exists()


def test_operator_may_not_open_the_organization_form():
    operator = client_for(f.operator(f.OrganizationFactory()))
    assert operator.get(reverse("registry:organization_create")).status_code == 403
    assert "Register an organization" not in html(
        operator.get(reverse("registry:organization_list")))


def test_list_pages_link_to_import_and_export(province):
    text = html(province.get(reverse("registry:organization_list")))
    assert reverse("registry:import", args=["organizations"]) in text
    assert reverse("registry:export", args=["organizations", "xlsx"]) in text
    persons = html(province.get(reverse("registry:person_list")))
    assert reverse("registry:export", args=["persons", "csv"]) in persons
    operator = client_for(f.operator(f.OrganizationFactory()))
    text = html(operator.get(reverse("registry:organization_list")))
    assert reverse("registry:import", args=["organizations"]) not in text
    assert reverse("registry:import", args=["sites"]) in html(
        operator.get(reverse("registry:site_list")))


# --- sites -----------------------------------------------------------------------------------

def test_site_list_detail_and_query_budget(django_assert_max_num_queries):
    orgs = [f.OrganizationFactory() for _ in range(3)]
    for i in range(55):
        f.SiteFactory(organization=orgs[i % 3])
    client = client_for(f.staff())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("registry:site_list"))
    assert html(response).count("data-pk=") == 50
    only = html(client.get(reverse("registry:site_list"), {"organization": orgs[0].pk}))
    assert only.count("data-pk=") == 19 and orgs[0].name in only
    site = TrainingSite.objects.filter(organization=orgs[0]).first()
    detail = html(client.get(reverse("registry:site_detail", args=[site.pk])))
    assert site.name in detail and orgs[0].name in detail


def test_operator_adds_a_site_to_their_organization():
    org = f.OrganizationFactory()
    operator = client_for(f.operator(org))
    data = {"name": "二号教学点", "address": "遵义路8号", "region": org.region_id,
            "longitude": "106.71", "latitude": "26.57", "capacity": "40"}
    response = operator.post(reverse("registry:site_create", args=[org.pk]), data)
    assert response.status_code == 302
    site = TrainingSite.objects.get(organization=org, name="二号教学点")
    assert AuditEvent.objects.filter(entity_type="registry.trainingsite",
                                     entity_id=str(site.pk)).exists()

    duplicate = operator.post(reverse("registry:site_create", args=[org.pk]), data)
    assert duplicate.status_code == 400
    assert duplicate.context["form"].errors["name"]

    far = operator.post(reverse("registry:site_create", args=[org.pk]),
                        {**data, "name": "海外点", "longitude": "20"})
    assert far.status_code == 400 and far.context["form"].errors["longitude"]


def test_operator_cannot_add_sites_to_another_organization():
    mine, theirs = f.OrganizationFactory(), f.OrganizationFactory()
    operator = client_for(f.operator(mine))
    response = operator.post(reverse("registry:site_create", args=[theirs.pk]),
                             {"name": "x", "address": "y", "region": theirs.region_id,
                              "longitude": "106.7", "latitude": "26.6", "capacity": "5"})
    assert response.status_code == 404  # the other organization is not visible at all
    assert not TrainingSite.objects.filter(organization=theirs).exists()


# --- persons ---------------------------------------------------------------------------------

def test_person_list_shows_masked_ids_only(django_assert_max_num_queries):
    persons = [make_person() for _ in range(55)]
    for p in persons[:10]:
        KeyGroupMembership.objects.create(person=p, group=KeyGroup.MIGRANT_WORKER,
                                          start_date=dt.date(2024, 1, 1))
    client = client_for(f.staff())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("registry:person_list"))
    text = html(response)
    assert text.count("data-pk=") == 50
    for p in persons:
        assert p.plain_id not in text
    assert persons[0].id_masked in text
    assert "Migrant worker" in text


def test_person_search_by_name_and_by_whole_id_number():
    zhang = make_person(name="王小明")
    make_person(name="李大为")
    client = client_for(f.staff())
    by_name = html(client.get(reverse("registry:person_list"), {"q": "王小"}))
    assert "王小明" in by_name and "李大为" not in by_name

    by_id = client.get(reverse("registry:person_list"), {"q": zhang.plain_id})
    text = html(by_id)
    assert "王小明" in text and "李大为" not in text
    assert zhang.plain_id not in text  # not even in the search box
    assert zhang.id_masked in text

    found = client.post(reverse("registry:person_find"), {"id_number": zhang.plain_id})
    assert found.status_code == 302
    assert found["Location"] == reverse("registry:person_detail", args=[zhang.pk])


def test_find_by_id_number_outside_scope_is_not_found():
    far = make_person(region=f.region(f.OTHER_CITY_COUNTY))
    county = client_for(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    response = county.post(reverse("registry:person_find"), {"id_number": far.plain_id})
    assert response.status_code == 400
    assert "No person with this ID number" in html(response)
    assert far.plain_id not in html(response)


def test_persons_pages_do_not_exist_for_scopes_without_persons():
    person = make_person()
    industry = client_for(f.staff(Role.INDUSTRY_STAFF, f.PROVINCE))
    assert industry.get(reverse("registry:person_list")).status_code == 404
    assert industry.get(reverse("registry:person_detail", args=[person.pk])).status_code == 404
    assert "/registry/persons/" not in html(industry.get(reverse("registry:organization_list")))


def test_operator_sees_only_the_persons_it_registered():
    org = f.OrganizationFactory()
    own = make_person(registered_by=org, name="本机构学员")
    other = make_person(name="别人学员")
    operator = client_for(f.operator(org))
    text = html(operator.get(reverse("registry:person_list")))
    assert "本机构学员" in text and "别人学员" not in text
    assert operator.get(reverse("registry:person_detail", args=[own.pk])).status_code == 200
    assert operator.get(reverse("registry:person_detail", args=[other.pk])).status_code == 404


def test_person_detail_is_masked_and_links_to_its_audit_events():
    person = make_person()
    KeyGroupMembership.objects.create(person=person, group=KeyGroup.VETERAN,
                                      start_date=dt.date(2023, 3, 1), source="退役证")
    client = client_for(f.staff())
    text = html(client.get(reverse("registry:person_detail", args=[person.pk])))
    assert person.id_masked in text and person.plain_id not in text
    assert "Veteran" in text and "退役证" in text
    assert f"entity_type=registry.person&amp;entity_id={person.pk}" in text
    # Without the permission there is no unmask button.
    assert "Show whole ID number" not in text


def test_unmask_with_permission_shows_the_number_once_and_audits():
    person = make_person()
    user = with_unmask(f.staff())
    client = client_for(user)
    detail = html(client.get(reverse("registry:person_detail", args=[person.pk])))
    assert "Show whole ID number" in detail and person.plain_id not in detail

    response = client.post(reverse("registry:person_unmask", args=[person.pk]),
                           {"reason": "核对补贴申领材料"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert person.plain_id in html(response)
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditAction.UNMASK)
    assert event.entity_type == "registry.person" and event.entity_id == str(person.pk)
    assert event.reason == "核对补贴申领材料" and event.actor_id == user.pk
    assert event.ip_address == "10.1.2.3"
    # The next view of the page is masked again.
    again = html(client.get(reverse("registry:person_detail", args=[person.pk])))
    assert person.plain_id not in again


def test_unmask_by_htmx_answers_the_fragment_only():
    person = make_person()
    client = client_for(with_unmask(f.staff()))
    response = client.post(reverse("registry:person_unmask", args=[person.pk]),
                           {"reason": "电话核实身份"}, HTTP_HX_REQUEST="true")
    text = html(response)
    assert response.status_code == 200 and person.plain_id in text
    assert "<html" not in text and 'id="id-number"' in text
    assert AuditEvent.objects.filter(action=AuditAction.UNMASK).count() == 1


def test_unmask_needs_a_reason():
    person = make_person()
    client = client_for(with_unmask(f.staff()))
    response = client.post(reverse("registry:person_unmask", args=[person.pk]), {"reason": ""})
    assert response.status_code == 400
    assert person.plain_id not in html(response)
    assert not AuditEvent.objects.filter(action=AuditAction.UNMASK).exists()


def test_unmask_without_permission_is_forbidden_and_the_refusal_audited():
    person = make_person()
    client = client_for(f.staff())
    response = client.post(reverse("registry:person_unmask", args=[person.pk]),
                           {"reason": "想看看"})
    assert response.status_code == 403
    assert person.plain_id not in html(response)
    event = changes().get()
    assert (event.action, event.entity_id, event.after) == (
        AuditAction.UNMASK, str(person.pk), {"outcome": "refused"})
    assert event.reason == f"{zh('Refused: no permission to see whole ID numbers.')} 想看看"
    assert person.plain_id not in f"{event.entity_label} {event.reason} {event.after}"


def test_unmask_out_of_scope_is_404_and_not_audited():
    far = make_person(region=f.region(f.OTHER_CITY_COUNTY))
    client = client_for(with_unmask(f.staff(Role.COUNTY_STAFF, f.COUNTY)))
    response = client.post(reverse("registry:person_unmask", args=[far.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert not changes().exists()


def test_unmask_is_post_only():
    person = make_person()
    client = client_for(with_unmask(f.staff()))
    assert client.get(reverse("registry:person_unmask", args=[person.pk])).status_code == 405
    assert not changes().exists()


def test_register_a_person_never_echoes_the_id_number(province):
    number = f.id_number_for(f.COUNTY, dt.date(1988, 2, 29), n=321)
    data = {"id_number": number, "name": "赵一", "region": f.region(f.COUNTY).pk,
            "phone": "13800000000", "key_group": "unemployed",
            "key_group_start": "2025-01-01"}
    response = province.post(reverse("registry:person_register"), data)
    assert response.status_code == 302
    person = Person.objects.get(name="赵一")
    assert person.key_groups.get().group == "unemployed"
    detail = html(province.get(response["Location"]))
    assert number not in detail and person.id_masked in detail

    again = province.post(reverse("registry:person_register"), data)
    assert again.status_code == 400
    assert again.context["form"].errors["id_number"]
    assert number not in html(again)  # the typed number is not written back


def test_register_a_person_with_a_bad_id_number_names_the_field(province):
    number = f.id_number_for(f.COUNTY, n=322)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    response = province.post(reverse("registry:person_register"),
                             {"id_number": wrong, "name": "钱二",
                              "region": f.region(f.COUNTY).pk})
    assert response.status_code == 400
    assert "check digit" in str(response.context["form"].errors["id_number"])
    assert wrong not in html(response)
    assert not Person.objects.filter(name="钱二").exists()


def test_operator_registers_persons_as_its_organization():
    org = f.OrganizationFactory()
    operator = client_for(f.operator(org))
    number = f.id_number_for(f.COUNTY, n=323)
    response = operator.post(reverse("registry:person_register"),
                             {"id_number": number, "name": "孙三",
                              "region": f.region(f.COUNTY).pk})
    assert response.status_code == 302
    assert Person.objects.get(name="孙三").registered_by == org


def test_add_key_group_membership(province):
    person = make_person()
    response = province.post(reverse("registry:key_group_add", args=[person.pk]),
                             {"group": "graduate", "start_date": "2025-07-01",
                              "end_date": "", "source": "毕业证"})
    assert response.status_code == 302
    row = KeyGroupMembership.objects.get(person=person)
    assert row.group == "graduate" and row.source == "毕业证"
    assert AuditEvent.objects.filter(entity_type="registry.keygroupmembership").exists()

    bad = province.post(reverse("registry:key_group_add", args=[person.pk]),
                        {"group": "veteran", "start_date": "2025-07-01",
                         "end_date": "2025-01-01"})
    assert bad.status_code == 400
    assert bad.context["key_group_form"].errors["end_date"]
    assert KeyGroupMembership.objects.filter(person=person).count() == 1

"""Registry writes: each one audited exactly once, in the same transaction as the change;
refused writes change nothing and leave no event; staff browse only their scope's events."""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from jineng.accounts.models import User
from jineng.core import pii, selectors
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction, AuditEvent
from jineng.core.validators import id_check_character, make_resident_id, parse_resident_id
from jineng.registry import services
from jineng.registry.choices import OrganizationKind, OrganizationStatus
from jineng.registry.models import (
    KeyGroupMembership,
    Organization,
    OrganizationStatusChange,
    Person,
    Region,
    TrainingSite,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def zh(message: str) -> str:
    """A message as the audit trail stores it: in Chinese, whatever the request's language
    (tests/registry/test_registry_i18n.py checks the fragment has the Chinese)."""
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(message)


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


def org_input(code: str = f.COUNTY, **kw) -> services.OrganizationInput:
    values = {"kind": OrganizationKind.TRAINING, "institution_type": "private_training",
              "name": "南明职业培训学校", "credit_code": f.credit_code_for(code),
              "region": f.region(code)}
    values.update(kw)
    return services.OrganizationInput(**values)


def site_input(org: Organization, code: str | None = None, **kw) -> services.SiteInput:
    values = {"organization": org, "name": "一号教学点", "address": "中华北路1号",
              "region": f.region(code or org.region.code), "longitude": "106.71",
              "latitude": "26.57", "capacity": 40}
    values.update(kw)
    return services.SiteInput(**values)


def person_input(number: str | None = None, code: str = f.COUNTY, **kw) -> services.PersonInput:
    values = {"id_number": number or f.id_number_for(code), "name": "王小明",
              "region": f.region(code)}
    values.update(kw)
    return services.PersonInput(**values)


def unmasker(role: str = "county_staff", code: str = f.COUNTY) -> User:
    user = f.staff(role, code)
    user.user_permissions.add(Permission.objects.get(codename="unmask_id_number"))
    return User.objects.get(pk=user.pk)  # fresh permission cache


# --- the table of writes ----------------------------------------------------------------------

@dataclass
class Write:
    """One service call: `run()` performs it; `written()` says whether its change is stored."""

    run: Callable[[], object]
    written: Callable[[], bool]
    action: str
    entity_type: str
    region_code: str
    organization_id: int | None = None


def _org_create() -> Write:
    data = org_input()
    return Write(lambda: services.organization_create(actor=f.staff(), data=data),
                 lambda: Organization.objects.filter(credit_code=data.credit_code).exists(),
                 AuditAction.CREATE, "registry.organization", f.COUNTY)


def _org_status() -> Write:
    org = f.OrganizationFactory()
    return Write(lambda: services.organization_change_status(
                     actor=f.staff("city_staff", f.CITY), organization=org,
                     status=OrganizationStatus.SUSPENDED, reason="抽查发现问题"),
                 lambda: Organization.objects.get(pk=org.pk).status == "suspended",
                 AuditAction.TRANSITION, "registry.organization", f.COUNTY, org.pk)


def _site_create() -> Write:
    org = f.OrganizationFactory()
    return Write(lambda: services.site_create(actor=f.operator(org), data=site_input(org)),
                 lambda: TrainingSite.objects.filter(organization=org).exists(),
                 AuditAction.CREATE, "registry.trainingsite", f.COUNTY, org.pk)


def _person_register() -> Write:
    org = f.OrganizationFactory()
    data = person_input(key_groups=(("graduate", dt.date(2024, 7, 1)),))
    return Write(lambda: services.person_register(actor=f.operator(org), data=data),
                 lambda: Person.objects.filter(id_hash=pii.keyed_hash(data.id_number)).exists(),
                 AuditAction.CREATE, "registry.person", f.COUNTY, org.pk)


def _key_group_add() -> Write:
    person = f.PersonFactory()
    return Write(lambda: services.key_group_add(
                     actor=f.staff("county_staff", f.COUNTY), person=person,
                     group="veteran", start_date=dt.date(2020, 1, 1)),
                 lambda: KeyGroupMembership.objects.filter(person=person).exists(),
                 AuditAction.CREATE, "registry.keygroupmembership", f.COUNTY)


def _person_unmask() -> Write:
    person = f.PersonFactory()
    actor = unmasker()
    # Unmasking changes nothing; what must not survive a failure is the returned number.
    result: list[str] = []
    return Write(lambda: result.append(services.person_unmask_id(actor=actor, person=person,
                                                                 reason="核对")),
                 lambda: bool(result), AuditAction.UNMASK, "registry.person", f.COUNTY)


def _person_update() -> Write:
    person = f.PersonFactory()
    return Write(lambda: services.person_update(
                     actor=f.staff("county_staff", f.COUNTY), person=person, reason="更正号码",
                     changes=services.PersonChanges(phone="13900000000")),
                 lambda: Person.objects.get(pk=person.pk).phone == "13900000000",
                 AuditAction.UPDATE, "registry.person", f.COUNTY)


def _organization_update() -> Write:
    org = f.OrganizationFactory()
    return Write(lambda: services.organization_update(
                     actor=f.staff("county_staff", f.COUNTY), organization=org,
                     reason="法人变更", changes=services.OrganizationChanges(
                         legal_representative="李四")),
                 lambda: Organization.objects.get(pk=org.pk).legal_representative == "李四",
                 AuditAction.UPDATE, "registry.organization", f.COUNTY, org.pk)


def _person_merge() -> Write:
    duplicate, survivor = f.PersonFactory(), f.PersonFactory()
    return Write(lambda: services.person_merge(
                     actor=f.staff("county_staff", f.COUNTY), duplicate=duplicate,
                     survivor=survivor, reason="同一人登记两次"),
                 lambda: Person.objects.get(pk=duplicate.pk).merged_into_id == survivor.pk,
                 AuditAction.TRANSITION, "registry.person", f.COUNTY)


def _person_search() -> Write:
    number = f.id_number_for()
    f.PersonFactory(plain_id=number)
    result: list = []
    return Write(lambda: result.extend(services.person_search_by_id_number(
                     actor=f.staff("county_staff", f.COUNTY), id_number=number)),
                 lambda: bool(result), AuditAction.UNMASK, "registry.person", f.COUNTY)


WRITES: dict[str, Callable[[], Write]] = {
    "person_update": _person_update,
    "organization_update": _organization_update,
    "person_merge": _person_merge,
    "person_search_by_id_number": _person_search,
    "organization_create": _org_create,
    "organization_change_status": _org_status,
    "site_create": _site_create,
    "person_register": _person_register,
    "key_group_add": _key_group_add,
    "person_unmask_id": _person_unmask,
}
# Bulk writes record one event per import and run inside the importer's transaction
# (registry.importers / core.importing.run_import); they are checked below in that setting.
BULK_WRITES = {"region_bulk_create", "organization_bulk_create", "site_bulk_create",
               "person_bulk_register"}


def test_every_registry_write_service_is_in_the_audit_table():
    """A new service taking an actor must be added here, so its audit is tested."""
    writes = {name for name, fn in inspect.getmembers(services, inspect.isfunction)
              if fn.__module__.startswith(services.__name__ + ".") and not name.startswith("_")
              and "actor" in inspect.signature(fn).parameters
              and inspect.signature(fn).parameters["actor"].kind == inspect.Parameter.KEYWORD_ONLY}
    assert writes - set(WRITES) - BULK_WRITES == set()


@pytest.mark.parametrize("name", list(WRITES))
def test_each_write_records_exactly_one_event(name):
    write = WRITES[name]()
    before = AuditEvent.objects.count()
    write.run()
    assert write.written()
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.first()
    assert (event.action, event.entity_type) == (write.action, write.entity_type)
    assert event.region_code == write.region_code
    if write.organization_id is not None:
        assert event.organization_id == write.organization_id
    assert event.actor_id is not None and event.actor_username
    assert event.entity_id


def _fail_audit_insert(execute, sql, params, many, context):
    if "core_auditevent" in sql and sql.lstrip().upper().startswith("INSERT"):
        raise DatabaseError("audit store unavailable (injected)")
    return execute(sql, params, many, context)


@pytest.mark.parametrize("name", list(WRITES))
def test_a_failing_audit_write_undoes_the_change(name):
    """Same transaction: if the audit row cannot be written, the change is not kept either."""
    write = WRITES[name]()
    before = AuditEvent.objects.count()
    with connection.execute_wrapper(_fail_audit_insert), pytest.raises(DatabaseError):
        write.run()
    assert not write.written()
    assert AuditEvent.objects.count() == before


def test_status_change_captures_before_and_after():
    org = f.OrganizationFactory()
    staff = f.staff("county_staff", f.COUNTY)
    services.organization_change_status(actor=staff, organization=org, status="suspended",
                                        reason="资质过期")
    event = AuditEvent.objects.get(action=AuditAction.TRANSITION)
    assert event.before == {"status": "listed"} and event.after == {"status": "suspended"}
    assert event.reason == "资质过期" and event.entity_id == str(org.pk)
    services.organization_change_status(actor=staff, organization=org, status="revoked",
                                        reason="虚假培训")
    # The history in core's shape: each step from → to, its action, who, why.
    history = list(OrganizationStatusChange.objects.filter(organization=org)
                   .order_by("id").values_list("action", "from_status", "to_status", "reason",
                                               "actor_id", "actor_username"))
    assert history == [
        ("suspend", "listed", "suspended", "资质过期", staff.pk, staff.username),
        ("revoke", "suspended", "revoked", "虚假培训", staff.pk, staff.username),
    ]
    with pytest.raises(DomainError) as bad:  # revocation is final
        services.organization_change_status(actor=staff, organization=org, status="listed",
                                            reason="申诉")
    assert bad.value.field == "status"
    assert AuditEvent.objects.filter(action=AuditAction.TRANSITION).count() == 2


def test_create_events_hold_the_masked_number_never_the_whole_one():
    org = f.OrganizationFactory()
    number = f.id_number_for()
    services.person_register(actor=f.operator(org), data=person_input(
        number, key_groups=(("migrant_worker", dt.date(2023, 3, 1)),)))
    event = AuditEvent.objects.get(entity_type="registry.person")
    text = f"{event.after} {event.entity_label} {event.before}"
    assert number not in text and pii.mask_id_number(number) in text
    assert "id_encrypted" not in event.after and "id_hash" not in event.after
    assert event.after["key_groups"] == [["migrant_worker", "2023-03-01"]]


# --- refused and failed writes leave nothing ------------------------------------------------

def _nothing_changed(counts_before: dict) -> bool:
    return counts_before == _counts()


def _counts() -> dict:
    return {m.__name__: m.objects.count() for m in (
        AuditEvent, Organization, OrganizationStatusChange, TrainingSite, Person,
        KeyGroupMembership)}


def test_duplicates_are_refused_without_an_event():
    staff = f.staff()
    org = services.organization_create(actor=staff, data=org_input())
    services.site_create(actor=staff, data=site_input(org))
    number = f.id_number_for()
    services.person_register(actor=staff, data=person_input(number))
    before = _counts()
    with pytest.raises(Conflict) as bad:
        services.organization_create(actor=staff, data=org_input(
            credit_code=org.credit_code.lower(), name="另一个名字"))
    assert bad.value.field == "credit_code"
    with pytest.raises(Conflict) as bad:
        services.site_create(actor=staff, data=site_input(org))
    assert bad.value.field == "name"
    with pytest.raises(Conflict) as bad:
        services.person_register(actor=f.operator(f.OrganizationFactory()),
                                 data=person_input(number, name="冒名"))
    assert (bad.value.field, bad.value.code) == ("id_number", "duplicate")
    assert _nothing_changed({**before, "Organization": before["Organization"] + 1})


def test_a_failure_midway_rolls_back_the_whole_registration():
    start = dt.date(2024, 1, 1)
    data = person_input(key_groups=(("graduate", start), ("graduate", start)))
    before = _counts()
    with pytest.raises(IntegrityError):
        services.person_register(actor=f.staff(), data=data)
    assert _nothing_changed(before)


@pytest.mark.parametrize(("raw", "field", "code"), [
    ("91440300708461136I", "credit_code", "characters"),
    ("91440300708461136U", "credit_code", "check_character"),
    ("B1440300708461136T", "credit_code", "authority"),
])
def test_bad_credit_codes_are_refused_naming_the_field(raw, field, code):
    before = _counts()
    with pytest.raises(DomainError) as bad:
        services.organization_create(actor=f.staff(), data=org_input(credit_code=raw))
    assert (bad.value.field, bad.value.code) == (field, code)
    assert _nothing_changed(before)


def test_a_failing_check_character_is_accepted_with_a_reason_and_audited():
    code = "91440300708461136U"
    org = services.organization_create(actor=f.staff(), data=org_input(
        credit_code=code, credit_code_override="早期试点代码，营业执照原件已核验"))
    assert org.credit_code == code
    assert AuditEvent.objects.get(entity_id=str(org.pk)).reason.startswith("早期试点代码")


@pytest.mark.parametrize(("birth", "message"), [
    ("19900230", "not a real calendar date"), ("20990101", "in the future")])
def test_impossible_birth_dates_are_refused(birth, message):
    first17 = f"{f.COUNTY}{birth}123"
    before = _counts()
    with pytest.raises(DomainError, match=message) as bad:
        services.person_register(actor=f.staff(), data=person_input(
            first17 + id_check_character(first17)))
    assert (bad.value.field, bad.value.code) == ("id_number", "birth_date")
    assert _nothing_changed(before)


def test_staff_write_only_inside_their_jurisdiction():
    county = f.staff("county_staff", f.COUNTY)
    other = f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY))
    own = f.OrganizationFactory(region=f.region(f.COUNTY))
    person_elsewhere = f.PersonFactory(region=f.region(f.OTHER_COUNTY))
    registered = f.PersonFactory(registered_by=own)
    inspector, industry = f.staff("inspector", f.COUNTY), f.staff("industry_staff", f.PROVINCE)
    operator = f.operator(own)
    before = _counts()
    denied = [
        lambda: services.organization_create(actor=county, data=org_input(f.OTHER_COUNTY)),
        lambda: services.organization_change_status(actor=county, organization=other,
                                                    status="suspended", reason="x"),
        lambda: services.site_create(actor=county, data=site_input(other)),
        # its own institution, but a site placed in a county it does not govern
        lambda: services.site_create(actor=county, data=site_input(own, f.OTHER_COUNTY)),
        lambda: services.person_register(actor=county, data=person_input(code=f.OTHER_COUNTY)),
        lambda: services.key_group_add(actor=county, person=person_elsewhere, group="veteran",
                                       start_date=dt.date(2020, 1, 1)),
        lambda: services.organization_create(actor=inspector, data=org_input()),
        lambda: services.organization_create(actor=industry, data=org_input()),
        lambda: services.organization_create(actor=operator, data=org_input()),
        lambda: services.key_group_add(actor=operator, person=registered, group="veteran",
                                       start_date=dt.date(2020, 1, 1)),
        lambda: services.site_create(actor=operator, data=site_input(other)),
        lambda: services.person_register(actor=None, data=person_input()),
    ]
    for n, attempt in enumerate(denied):
        with pytest.raises(Forbidden):
            attempt()
        assert _nothing_changed(before), f"denied write #{n} changed something"


def test_an_institution_may_open_a_site_in_another_county():
    own = f.OrganizationFactory(region=f.region(f.COUNTY))
    site = services.site_create(actor=f.operator(own), data=site_input(own, f.OTHER_CITY_COUNTY))
    assert site.region.code == f.OTHER_CITY_COUNTY
    # Staff governing the institution see the site; so do the site's own county staff.
    assert TrainingSite.objects.visible_to(f.staff("county_staff", f.COUNTY)).get() == site
    assert TrainingSite.objects.visible_to(
        f.staff("county_staff", f.OTHER_CITY_COUNTY)).get() == site
    assert not TrainingSite.objects.visible_to(f.staff("county_staff", f.OTHER_COUNTY)).exists()


# --- unmasking --------------------------------------------------------------------------------

def test_unmask_returns_the_number_and_audits_each_call():
    number = f.id_number_for()
    person = f.PersonFactory(plain_id=number)
    actor = unmasker()
    assert services.person_unmask_id(actor=actor, person=person, reason="核对身份",
                                     ip_address="10.0.0.8") == number
    services.person_unmask_id(actor=actor, person=person, reason="再次核对")
    events = AuditEvent.objects.filter(action=AuditAction.UNMASK, entity_id=str(person.pk))
    assert events.count() == 2
    first = events.last()
    assert (first.actor_id, first.reason, first.ip_address) == (actor.pk, "核对身份", "10.0.0.8")
    assert number not in f"{first.entity_label} {first.after} {first.before}"


def test_unmask_needs_the_permission_and_the_scope():
    person = f.PersonFactory(region=f.region(f.COUNTY))
    # Holding the permission does not reach outside the scope: the person is "not found".
    with pytest.raises(NotFound):
        services.person_unmask_id(actor=unmasker("county_staff", f.OTHER_COUNTY), person=person)
    with pytest.raises(NotFound):
        services.person_unmask_id(actor=None, person=person)
    assert not AuditEvent.objects.exists()
    # Without the permission: refused, and the refusal is in the trail (in Chinese).
    with pytest.raises(Forbidden):
        services.person_unmask_id(actor=f.staff("county_staff", f.COUNTY), person=person)
    refused = AuditEvent.objects.get()
    assert refused.action == AuditAction.UNMASK and refused.after == {"outcome": "refused"}
    assert refused.reason == zh("Refused: no permission to see whole ID numbers.")


# --- bulk writes, inside the importer's transaction ---------------------------------------

def test_bulk_writes_record_one_event_and_roll_back_with_it():
    staff = f.staff()
    rows = [org_input(name=f"批量机构{n}", credit_code=f.credit_code_for(f.COUNTY))
            for n in range(3)]
    with transaction.atomic():
        assert services.organization_bulk_create(actor=staff, rows=rows, source="a.xlsx") == 3
    event = AuditEvent.objects.get()
    assert (event.action, event.after) == (AuditAction.IMPORT, {"count": 3, "source": "a.xlsx"})

    people = [services.PersonBulkRow(ident=parse_resident_id(
        make_resident_id(f.COUNTY, dt.date(1995, 1, 1), n)), name=f"批量{n}",
        region=f.region(f.COUNTY), id_region_id=Region.objects.get(code=f.COUNTY).pk)
        for n in range(3)]
    before = _counts()
    with connection.execute_wrapper(_fail_audit_insert), pytest.raises(DatabaseError), \
            transaction.atomic():
        services.person_bulk_register(actor=staff, rows=people, source="b.xlsx")
    assert _nothing_changed(before)


# --- browsing the trail within scope ----------------------------------------------------------

@pytest.fixture
def trail():
    """Events in two counties of Guiyang, one county of Zunyi, and of two institutions."""
    province = f.staff()
    nanming = services.organization_create(actor=province, data=org_input(f.COUNTY, name="南明"))
    yunyan = services.organization_create(actor=province, data=org_input(
        f.OTHER_COUNTY, name="云岩"))
    zunyi = services.organization_create(actor=province, data=org_input(
        f.OTHER_CITY_COUNTY, name="遵义"))
    services.person_register(actor=f.operator(nanming), data=person_input(code=f.OTHER_COUNTY))
    return {"nanming": nanming, "yunyan": yunyan, "zunyi": zunyi}


def _labels(actor) -> set[str]:
    return {e.entity_label for e in selectors.audit_event_list(actor=actor)
            if e.action != AuditAction.LOGIN}


def test_staff_browse_only_their_scopes_events(trail):
    person_label = Person.objects.get().__str__()
    assert _labels(f.staff()) == {"南明", "云岩", "遵义", person_label}
    assert _labels(f.staff("city_staff", f.CITY)) == {"南明", "云岩", person_label}
    assert _labels(f.staff("county_staff", f.COUNTY)) == {"南明"}
    assert _labels(f.staff("county_staff", f.OTHER_COUNTY)) == {"云岩", person_label}
    assert _labels(f.staff("city_staff", f.OTHER_CITY)) == {"遵义"}
    assert _labels(f.staff("inspector", f.OTHER_CITY)) == {"遵义"}
    assert _labels(f.staff("industry_staff", f.PROVINCE)) == set()
    # An institution sees its own record's events and those of the persons it registered.
    assert _labels(f.operator(trail["nanming"])) == {"南明", person_label}
    assert _labels(f.operator(trail["zunyi"])) == {"遵义"}
    assert _labels(None) == set()


def test_the_audit_page_is_scoped_too(client, trail):
    client.force_login(f.staff("county_staff", f.OTHER_CITY_COUNTY))
    html = client.get(reverse("core:audit_list")).content.decode()
    assert "遵义" in html
    assert "南明" not in html and "云岩" not in html
    client.force_login(f.operator(trail["yunyan"]))
    html = client.get(reverse("core:audit_list")).content.decode()
    assert "云岩" in html and "遵义" not in html and "南明" not in html
    client.logout()
    response = client.get(reverse("core:audit_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url

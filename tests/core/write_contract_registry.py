"""Write-contract cases of the registry and accounts apps (see tests/core/write_contract.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Permission
from django_otp.oath import TOTP

from jineng.accounts import services as accounts
from jineng.accounts.models import ApiToken, User
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.core.validators import parse_credit_code, parse_resident_id
from jineng.registry import services as registry
from jineng.registry.choices import InstitutionType, OrganizationKind, OrganizationStatus
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case

D = dt.date


def _org_input(code: str = f.COUNTY, **kw) -> registry.OrganizationInput:
    values = {"kind": OrganizationKind.TRAINING, "name": "合约测试职业培训学校",
              "credit_code": f.credit_code_for(code), "region": f.region(code),
              "institution_type": InstitutionType.PRIVATE_TRAINING}
    values.update(kw)
    return registry.OrganizationInput(**values)


def _site_input(org, **kw) -> registry.SiteInput:
    values = {"organization": org, "name": "合约测试教学点", "address": "中华北路2号",
              "region": f.region(f.COUNTY), "longitude": Decimal("106.71"),
              "latitude": Decimal("26.57"), "capacity": 40}
    values.update(kw)
    return registry.SiteInput(**values)


def _outsider():
    return f.staff("county_staff", f.OTHER_COUNTY)


# --- registry --------------------------------------------------------------------------------

@case("registry.organization_create", audit=[(A.CREATE, "registry.organization")])
def _organization_create() -> Attempts:
    taken = f.OrganizationFactory()
    return Attempts(ok={"actor": f.staff(), "data": _org_input()}, refused=[
        Refused({"actor": _outsider(), "data": _org_input()}, Forbidden, "out of scope"),
        Refused({"actor": f.operator(taken), "data": _org_input()}, Forbidden, "wrong actor"),
        Refused({"actor": f.staff(), "data": _org_input(credit_code="123")}, DomainError,
                "invalid credit code"),
        Refused({"actor": f.staff(), "data": _org_input(credit_code=taken.credit_code)},
                Conflict, "duplicate credit code"),
    ])


@case("registry.organization_change_status", audit=[(A.TRANSITION, "registry.organization")])
def _organization_change_status() -> Attempts:
    org = f.OrganizationFactory()
    staff = f.staff("county_staff", f.COUNTY)
    ok = {"actor": staff, "organization": org, "status": OrganizationStatus.SUSPENDED,
          "reason": "抽查发现问题"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _outsider()}, Forbidden, "out of scope"),
        Refused({**ok, "actor": f.operator(org)}, Forbidden, "the organization itself"),
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
        Refused({**ok, "status": "listed"}, DomainError, "not a status change"),
        Refused({**ok, "effective_date": D(2000, 1, 1)}, DomainError, "before status began"),
        Refused({**ok, "effective_date": dt.date.today() + dt.timedelta(days=30)}, DomainError,
                "takes effect in the future"),
    ])


@case("registry.site_create", audit=[(A.CREATE, "registry.trainingsite")])
def _site_create() -> Attempts:
    org = f.OrganizationFactory()
    other = f.OrganizationFactory()
    return Attempts(ok={"actor": f.operator(org), "data": _site_input(org)}, refused=[
        Refused({"actor": f.operator(other), "data": _site_input(org)}, Forbidden,
                "another institution"),
        Refused({"actor": _outsider(), "data": _site_input(org)}, Forbidden, "out of scope"),
        Refused({"actor": f.operator(org), "data": _site_input(org, capacity=0)}, DomainError,
                "capacity 0"),
        Refused({"actor": f.operator(org), "data": _site_input(org, latitude=Decimal("80"))},
                DomainError, "outside China"),
    ])


@case("registry.person_register", audit=[(A.CREATE, "registry.person")])
def _person_register() -> Attempts:
    taken = f.id_number_for(n=902)
    f.PersonFactory(plain_id=taken)

    def data(**kw):
        values = {"id_number": f.id_number_for(n=901), "name": "王小明",
                  "region": f.region(f.COUNTY), "key_groups": (("veteran", D(2020, 1, 1)),)}
        values.update(kw)
        return registry.PersonInput(**values)

    staff = f.staff("county_staff", f.COUNTY)
    return Attempts(ok={"actor": staff, "data": data()}, refused=[
        Refused({"actor": _outsider(), "data": data()}, Forbidden, "out of scope"),
        Refused({"actor": staff, "data": data(id_number="520102199005171231")}, DomainError,
                "wrong check digit"),
        Refused({"actor": staff, "data": data(key_groups=(("nobody", D(2020, 1, 1)),))},
                DomainError, "unknown key group"),
        Refused({"actor": staff, "data": data(id_number=taken)}, Conflict,
                "registered already"),
    ])


def _unmasker(code: str = f.COUNTY) -> User:
    user = f.staff("county_staff", code)
    user.user_permissions.add(Permission.objects.get(codename="unmask_id_number"))
    return User.objects.get(pk=user.pk)


@case("registry.person_unmask_id", audit=[(A.UNMASK, "registry.person")])
def _person_unmask_id() -> Attempts:
    person = f.PersonFactory()
    ok = {"actor": _unmasker(), "person": person, "reason": "核对身份"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _unmasker(f.OTHER_COUNTY)}, NotFound, "out of scope"),
        # A refused unmask is written to the trail on purpose (who tried to see what).
        Refused({**ok, "actor": f.staff("county_staff", f.COUNTY)}, Forbidden,
                "no permission", audit=[(A.UNMASK, "registry.person")]),
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
    ])


@case("registry.person_search_by_id_number", audit=[(A.UNMASK, "registry.person")])
def _person_search_by_id_number() -> Attempts:
    number = f.id_number_for(n=931)
    f.PersonFactory(plain_id=number)
    staff = f.staff("county_staff", f.COUNTY)
    return Attempts(ok={"actor": staff, "id_number": number}, refused=[
        Refused({"actor": staff, "id_number": number[:10]}, DomainError, "not a whole number"),
    ])


@case("registry.person_update", audit=[(A.UPDATE, "registry.person")])
def _person_update() -> Attempts:
    person = f.PersonFactory(registered_by=f.OrganizationFactory())
    merged = f.PersonFactory()
    registry.person_merge(actor=f.staff(), duplicate=merged, survivor=f.PersonFactory(),
                          reason="重复")
    ok = {"actor": f.staff("county_staff", f.COUNTY), "person": person, "reason": "更正",
          "changes": registry.PersonChanges(name="王更正", phone="13900000000")}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "person": merged}, Conflict, "merged into another record"),
        Refused({**ok, "actor": _outsider()}, NotFound, "out of scope"),
        Refused({**ok, "actor": f.operator(person.registered_by)}, Forbidden,
                "the registering institution"),
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
        Refused({**ok, "changes": registry.PersonChanges(name="张" * 51)}, DomainError,
                "name too long"),
        Refused({**ok, "changes": registry.PersonChanges(region=f.region(f.OTHER_CITY_COUNTY))},
                Forbidden, "moved out of the jurisdiction"),
    ])


@case("registry.organization_update", audit=[(A.UPDATE, "registry.organization")])
def _organization_update() -> Attempts:
    org = f.OrganizationFactory()
    ok = {"actor": f.staff("county_staff", f.COUNTY), "organization": org, "reason": "更正",
          "changes": registry.OrganizationChanges(legal_representative="李四")}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _outsider()}, NotFound, "out of scope"),
        Refused({**ok, "actor": f.operator(org)}, Forbidden, "the organization itself"),
        Refused({**ok, "reason": ""}, DomainError, "no reason"),
        Refused({**ok, "changes": registry.OrganizationChanges(name="学" * 201)}, DomainError,
                "name too long"),
        Refused({**ok, "changes": registry.OrganizationChanges(institution_type="club")},
                DomainError, "unknown institution type"),
    ])


@case("registry.person_merge", audit=[(A.TRANSITION, "registry.person")])
def _person_merge() -> Attempts:
    duplicate, survivor, merged = f.PersonFactory(), f.PersonFactory(), f.PersonFactory()
    registry.person_merge(actor=f.staff(), duplicate=merged, survivor=survivor, reason="重复")
    ok = {"actor": f.staff("county_staff", f.COUNTY), "duplicate": duplicate,
          "survivor": survivor, "reason": "同一人登记两次"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _outsider()}, NotFound, "out of scope"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, NotFound,
                "an institution"),
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
        Refused({**ok, "survivor": duplicate}, DomainError, "into itself"),
        Refused({**ok, "survivor": merged}, Conflict, "survivor already merged"),
    ])


@case("registry.key_group_add", audit=[(A.CREATE, "registry.keygroupmembership")])
def _key_group_add() -> Attempts:
    person = f.PersonFactory()
    ok = {"actor": f.staff("county_staff", f.COUNTY), "person": person, "group": "veteran",
          "start_date": D(2020, 1, 1)}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _outsider()}, Forbidden, "out of scope"),
        Refused({**ok, "group": "nobody"}, DomainError, "unknown group"),
        Refused({**ok, "end_date": D(2019, 1, 1)}, DomainError, "ends before it starts"),
    ])


@case("registry.region_bulk_create", audit=[(A.IMPORT, "registry.region")])
def _region_bulk_create() -> Attempts:
    town = registry.RegionRow(code="520102901", name="合约镇", level="town",
                              parent_code=f.COUNTY)
    village = registry.RegionRow(code="520102901001", name="合约村", level="village",
                                 parent_code="520102901")
    orphan = registry.RegionRow(code="520102902001", name="无主村", level="village",
                                parent_code="520102902")
    staff = f.staff("county_staff", f.COUNTY)
    return Attempts(ok={"actor": staff, "rows": [town, village], "source": "统计用区划代码"},
                    refused=[
        Refused({"actor": _outsider(), "rows": [town, village], "source": "x"}, Forbidden,
                "out of scope"),
        # The town is written before the orphan village is found: all or nothing.
        Refused({"actor": staff, "rows": [town, orphan], "source": "x"}, DomainError,
                "unknown parent, after a good row"),
    ])


@case("registry.organization_bulk_create", audit=[(A.IMPORT, "registry.organization")])
def _organization_bulk_create() -> Attempts:
    def rows():
        data = _org_input()
        return [registry.OrganizationInput(**{
            **data.__dict__, "credit_code": parse_credit_code(data.credit_code).code})]

    good = rows()
    return Attempts(ok={"actor": f.staff(), "rows": good, "source": "orgs.xlsx"}, refused=[
        Refused({"actor": _outsider(), "rows": good, "source": "orgs.xlsx"}, Forbidden,
                "out of scope"),
    ])


@case("registry.site_bulk_create", audit=[(A.IMPORT, "registry.trainingsite")])
def _site_bulk_create() -> Attempts:
    org = f.OrganizationFactory()
    rows = [_site_input(org), _site_input(org, name="第二教学点")]
    return Attempts(ok={"actor": f.operator(org), "rows": rows, "source": "sites.xlsx"},
                    refused=[
        Refused({"actor": f.operator(f.OrganizationFactory()), "rows": rows,
                 "source": "sites.xlsx"}, Forbidden, "another institution"),
        Refused({"actor": _outsider(), "rows": rows, "source": "sites.xlsx"}, Forbidden,
                "out of scope"),
    ])


@case("registry.person_bulk_register", audit=[(A.IMPORT, "registry.person")])
def _person_bulk_register() -> Attempts:
    region = f.region(f.COUNTY)
    rows = [registry.PersonBulkRow(ident=parse_resident_id(f.id_number_for(n=911 + i)),
                                   name=f"李{i}", region=region, id_region_id=region.pk,
                                   key_groups=(("veteran", D(2021, 1, 1)),))
            for i in range(3)]
    taken = f.id_number_for(n=921)
    f.PersonFactory(plain_id=taken)
    clash = [*rows, registry.PersonBulkRow(ident=parse_resident_id(taken),
                                           name="重复", region=region, id_region_id=region.pk)]
    staff = f.staff("county_staff", f.COUNTY)
    return Attempts(ok={"actor": staff, "rows": rows, "source": "persons.xlsx"}, refused=[
        Refused({"actor": _outsider(), "rows": rows, "source": "persons.xlsx"}, Forbidden,
                "out of scope"),
        Refused({"actor": staff, "rows": clash, "source": "persons.xlsx"}, Conflict,
                "one person registered already"),
    ])


# --- accounts --------------------------------------------------------------------------------

def _token_now(device) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@case("accounts.otp_confirm", audit=[(A.OTP, "accounts.user")])
def _otp_confirm() -> Attempts:
    user, other = f.staff(), f.staff()
    good = _token_now(accounts.otp_device_pending(actor=user))
    accounts.otp_device_pending(actor=other)
    # The wrong code is sent by another user: django-otp then throttles that user's device
    # (a wrong code for `user` would make the right one wait a second).
    return Attempts(ok={"actor": user, "token": good}, refused=[
        Refused({"actor": other, "token": good}, DomainError, "another user's code"),
    ], side_effects={"otp_totp.TOTPDevice": "a wrong code counts towards the device's "
                                            "throttling, on purpose"})


@case("accounts.otp_disable", audit=[(A.OTP, "accounts.user")])
def _otp_disable() -> Attempts:
    user = f.staff()
    device = accounts.otp_device_pending(actor=user)
    accounts.otp_confirm(actor=user, token=_token_now(device))
    return Attempts(ok={"actor": user},
                    no_refusal="a signed-in user turns off their own second factor")


@case("accounts.api_token_issue", audit=[(A.CREATE, "accounts.apitoken")])
def _api_token_issue() -> Attempts:
    org = f.OrganizationFactory()
    user = f.operator(org)
    return Attempts(ok={"actor": user, "name": "考勤机"}, refused=[
        Refused({"actor": user, "name": "  "}, DomainError, "no name"),
    ])


@case("accounts.api_token_revoke", audit=[(A.UPDATE, "accounts.apitoken")])
def _api_token_revoke() -> Attempts:
    owner, other = f.staff(), f.staff()
    accounts.api_token_issue(actor=owner, name="系统对接")
    token = ApiToken.objects.get(user=owner)
    return Attempts(ok={"actor": owner, "token_id": token.pk}, refused=[
        Refused({"actor": other, "token_id": token.pk}, NotFound, "someone else's token"),
        Refused({"actor": owner, "token_id": token.pk + 1000}, NotFound, "missing"),
    ])

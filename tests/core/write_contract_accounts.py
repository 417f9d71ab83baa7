"""Write-contract cases of account administration and passwords (see
tests/core/write_contract.py; the older accounts cases are in write_contract_registry.py)."""

from __future__ import annotations

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, NotFound
from jineng.core.models import AuditAction as A
from jineng.registry.choices import OrganizationKind
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case

OLD = "pass-1234-word"  # tests.factories.UserFactory
NEW = "Wujiang-Gorge-2026"


def _city():
    return f.staff(Role.CITY_STAFF, f.CITY)


@case("accounts.password_change", audit=[(A.UPDATE, "accounts.user")])
def _password_change() -> Attempts:
    user = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    return Attempts(ok={"actor": user, "old_password": OLD, "new_password": NEW}, refused=[
        Refused({"actor": user, "old_password": "wrong", "new_password": NEW}, DomainError,
                "wrong old password"),
        Refused({"actor": user, "old_password": OLD, "new_password": "12345678"},
                DomainError, "too weak for the validators"),
        Refused({"actor": user, "old_password": OLD, "new_password": OLD}, DomainError,
                "unchanged"),
    ])


@case("accounts.password_set_after_reset", audit=[(A.UPDATE, "accounts.user")])
def _password_set_after_reset() -> Attempts:
    user = f.staff(Role.COUNTY_STAFF, f.COUNTY, must_change_password=True)
    settled = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    return Attempts(ok={"actor": user, "new_password": NEW}, refused=[
        Refused({"actor": settled, "new_password": NEW}, NotFound, "no temporary password"),
        Refused({"actor": user, "new_password": "short"}, DomainError, "too weak"),
        Refused({"actor": user, "new_password": OLD}, DomainError, "the temporary one again"),
    ])


@case("accounts.user_create", audit=[(A.CREATE, "accounts.user")])
def _user_create() -> Attempts:
    city = _city()
    f.staff(Role.COUNTY_STAFF, f.COUNTY, username="taken")
    away = f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY))
    evaluator = f.OrganizationFactory(kind=OrganizationKind.EVALUATION, institution_type="")
    base = {"actor": city, "username": "county-clerk", "role": Role.COUNTY_STAFF,
            "region_code": f.COUNTY, "reason": "新入职"}
    return Attempts(ok=base, refused=[
        Refused(base | {"role": Role.CITY_STAFF, "region_code": f.CITY}, DomainError,
                "the actor's own power"),
        Refused(base | {"role": Role.PROVINCE_STAFF, "region_code": f.PROVINCE}, DomainError,
                "more power"),
        Refused(base | {"region_code": f.OTHER_CITY_COUNTY}, DomainError, "out of scope"),
        Refused(base | {"actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, DomainError,
                "county staff administer nothing"),
        Refused(base | {"role": Role.TRAINING_OPERATOR, "region_code": "",
                        "organization_id": away.pk}, DomainError, "organization out of scope"),
        Refused(base | {"role": Role.TRAINING_OPERATOR, "region_code": "",
                        "organization_id": evaluator.pk}, DomainError, "wrong kind"),
        Refused(base | {"username": "TAKEN"}, Conflict, "user name taken"),
        Refused(base | {"reason": ""}, DomainError, "no reason"),
    ])


def _managed_cases(*, active: bool) -> Attempts:
    city = _city()
    target = f.staff(Role.COUNTY_STAFF, f.COUNTY, is_active=active)
    away = f.staff(Role.COUNTY_STAFF, f.OTHER_CITY_COUNTY, is_active=active)
    colleague = f.staff(Role.CITY_STAFF, f.CITY, is_active=active)
    ok = {"actor": city, "user_id": target.pk, "reason": "岗位调整"}
    return Attempts(ok=ok, refused=[
        Refused(ok | {"user_id": away.pk}, NotFound, "another city's account"),
        Refused(ok | {"user_id": colleague.pk}, NotFound, "an account of the same power"),
        Refused(ok | {"user_id": city.pk}, NotFound, "oneself"),
        Refused(ok | {"user_id": target.pk + 10_000}, NotFound, "missing"),
        Refused(ok | {"reason": " "}, DomainError, "no reason"),
    ])


@case("accounts.user_disable", audit=[(A.UPDATE, "accounts.user")])
def _user_disable() -> Attempts:
    return _managed_cases(active=True)


@case("accounts.user_enable", audit=[(A.UPDATE, "accounts.user")])
def _user_enable() -> Attempts:
    return _managed_cases(active=False)


@case("accounts.user_password_reset", audit=[(A.UPDATE, "accounts.user")])
def _user_password_reset() -> Attempts:
    attempts = _managed_cases(active=True)
    disabled = f.staff(Role.COUNTY_STAFF, f.COUNTY, is_active=False)
    attempts.refused.append(Refused(attempts.ok | {"user_id": disabled.pk}, DomainError,
                                    "a disabled account"))
    return attempts


@case("accounts.api_token_create", audit=[(A.CREATE, "accounts.apitoken")])
def _api_token_create() -> Attempts:
    user = f.operator(f.OrganizationFactory())
    return Attempts(ok={"actor": user, "name": "考勤机"}, refused=[
        Refused({"actor": user, "name": ""}, DomainError, "no name"),
        Refused({"actor": user, "name": "x" * 101}, DomainError, "name too long"),
    ])


@case("accounts.user_otp_reset", audit=[(A.OTP, "accounts.user")])
def _user_otp_reset() -> Attempts:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    attempts = _managed_cases(active=True)
    target = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    TOTPDevice.objects.create(user=target, name="default", confirmed=True)
    attempts.ok = attempts.ok | {"user_id": target.pk}
    return attempts

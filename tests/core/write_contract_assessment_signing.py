"""Write-contract cases of the assessment app's signing area (see tests/core/write_contract.py):
signing keys (create, rotate) and revocation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from tests import factories as f
from tests.assessment.signing_support import issued_certificate
from tests.core.write_contract import Attempts, Refused, case

KEY = "assessment.signingkey"
CERTIFICATE = "assessment.certificate"


@case("assessment.signing_key_create", audit=[(A.CREATE, KEY)])
def _signing_key_create() -> Attempts:
    admin = f.staff(Role.SYSTEM_ADMIN)
    later = timezone.now() + dt.timedelta(days=30)
    ok = {"actor": admin, "valid_from": later}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.CITY)}, Forbidden,
                "city staff do not manage keys"),
        Refused({**ok, "valid_from": timezone.now() - dt.timedelta(days=1)}, DomainError,
                "a key starting in the past"),
        Refused({**ok, "valid_from": dt.datetime(2030, 1, 1)}, DomainError,
                "a start without its time zone"),
    ])


@case("assessment.signing_key_rotate", audit=[(A.UPDATE, KEY), (A.CREATE, KEY)])
def _signing_key_rotate() -> Attempts:
    issued_certificate()  # the first key, made on first signature
    ok = {"actor": f.staff(Role.PROVINCE_STAFF)}
    return Attempts(ok=ok, refused=[
        Refused({"actor": f.staff(Role.CITY_STAFF, f.CITY)}, Forbidden, "city staff"),
        Refused({"actor": None}, Forbidden, "nobody"),
    ])


@case("assessment.certificate_revoke", audit=[(A.TRANSITION, CERTIFICATE)])
def _certificate_revoke() -> Attempts:
    certificate = issued_certificate()
    paired = issued_certificate()
    issued_certificate(person=paired.person, paired_with=paired)
    ok = {"actor": f.staff(Role.CITY_STAFF, f.CITY), "certificate": certificate,
          "reason": "fraud", "note": "冒名顶替"}
    today = timezone.localdate()
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, NotFound,
                "another city's certificate"),
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "county staff do not revoke"),
        Refused({**ok, "reason": "dislike"}, DomainError, "not a revocation reason"),
        Refused({**ok, "note": "  "}, DomainError, "no note"),
        Refused({**ok, "effective_date": today + dt.timedelta(days=2)}, DomainError,
                "a revocation in the future"),
        Refused({**ok, "certificate": paired}, DomainError,
                "a 一试双证 pair not answered for"),
    ])

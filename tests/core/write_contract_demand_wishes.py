"""Write-contract cases of the demand app's wishes area (see tests/core/write_contract.py):
posters (HRSS staff), the public wish form (the actor is the anonymous visitor) and the
audited export of the wish list."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.demand import services
from jineng.demand.rules import wishes as rules
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.demand import factories as df

POSTER = "demand.wishposter"
WISH = "demand.trainingwish"
COUNTERS = {"core.RateCounter": "every submission counts against its address and phone, "
                                "refused or not (that is what slows a flood)"}


@case("demand.poster_create", audit=[(A.CREATE, POSTER)])
def _poster_create() -> Attempts:
    staff = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    ok = {"actor": staff, "region_code": f.COUNTY, "place_kind": "community",
          "place_name": "油榨街社区"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.INDUSTRY_STAFF, f.PROVINCE)}, Forbidden,
                "industry staff do not make posters"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, Forbidden,
                "an institution"),
        Refused({**ok, "region_code": f.OTHER_CITY_COUNTY}, DomainError,
                "a region outside the staff's"),
        Refused({**ok, "place_kind": "moon"}, DomainError, "unknown kind of place"),
        Refused({**ok, "place_name": "  "}, DomainError, "no place name"),
        Refused({**ok, "latitude": 123}, DomainError, "latitude out of range"),
    ])


@case("demand.poster_set_active", audit=[(A.UPDATE, POSTER)])
def _poster_set_active() -> Attempts:
    staff = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    poster = df.PosterFactory()
    other = df.PosterFactory(region=f.region(f.OTHER_CITY_COUNTY))
    ok = {"actor": staff, "poster": poster, "active": False}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "poster": other}, NotFound, "a poster out of scope"),
        Refused({**ok, "active": True}, DomainError, "in use already"),
        Refused({**ok, "actor": f.staff(Role.INDUSTRY_STAFF, f.PROVINCE)}, Forbidden,
                "industry staff"),
    ])


def _input(poster, n: int, **over) -> services.WishInput:
    data = {"poster_token": str(poster.token), "name": "合约工人",
            "id_number": f.id_number_for(n=n), "phone": "13912340000",
            "occupation_ids": [df.occupation().pk], "consent": True}
    data.update(over)
    return services.WishInput(**data)


@case("demand.wish_submit", audit=[(A.CREATE, WISH)])
def _wish_submit() -> Attempts:
    poster = df.PosterFactory()
    gone = df.PosterFactory(is_active=False)
    anon = AnonymousUser()
    for _i in range(rules.ADDRESS_LIMIT.limit):  # one address at its hour's limit
        try:
            services.count_address("10.9.9.9")
        except services.Throttled:  # pragma: no cover - the limit is above the loop
            break
    number = f.id_number_for(n=951)
    bad_check = number[:17] + ("0" if number[17] != "0" else "1")
    ok = {"actor": anon, "data": _input(poster, 951), "client_address": "10.9.0.1"}
    return Attempts(ok=ok, side_effects=COUNTERS, refused=[
        Refused({**ok, "data": _input(poster, 951, id_number=bad_check)}, DomainError,
                "ID number check digit"),
        Refused({**ok, "data": _input(poster, 951, phone="23912340000")}, DomainError,
                "not a mobile number"),
        Refused({**ok, "data": _input(poster, 951, consent=False)}, DomainError, "no consent"),
        Refused({**ok, "data": _input(poster, 951, occupation_ids=[])}, DomainError,
                "no occupation"),
        Refused({**ok, "data": _input(poster, 951, occupation_ids=[2**40])}, DomainError,
                "unknown occupation"),
        Refused({**ok, "data": _input(poster, 951, key_groups=["aliens"])}, DomainError,
                "unknown key group"),
        Refused({**ok, "data": _input(gone, 951)}, DomainError, "a poster out of use"),
        Refused({**ok, "client_address": "10.9.9.9"}, services.Throttled,
                "the address's hour is used up", audit=[(A.THROTTLED, "ratelimit")]),
    ])


@case("demand.wish_export", audit=[(A.EXPORT, WISH)])
def _wish_export() -> Attempts:
    df.WishFactory()
    ok = {"actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}
    return Attempts(ok=ok, refused=[
        Refused({"actor": f.staff(Role.INDUSTRY_STAFF, f.PROVINCE)}, NotFound,
                "industry staff see aggregates only"),
        Refused({"actor": AnonymousUser()}, NotFound, "the public"),
    ])

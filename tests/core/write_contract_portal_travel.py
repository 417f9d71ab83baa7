"""Write-contract cases of the travel model's dated parameters (see tests/core/write_contract.py):
province HRSS staff recording a set for the province, a city or a county."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.portal.models import TravelSettings
from jineng.portal.rules import travel
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case


def speeds(**change) -> dict:
    out = {m: dict(v) for m, v in travel.SPEED_KMH.items()}
    for key, value in change.items():
        mode, terrain = key.split("__")
        out[mode][terrain] = value
    return out


@case("portal.travel_settings_set", audit=[(A.CREATE, "portal.travelsettings")])
def _travel_settings_set() -> Attempts:
    today = timezone.localdate()
    taken = today + dt.timedelta(days=30)
    TravelSettings.objects.create(region=f.region(f.COUNTY), valid_from=taken,
                                  detour=dict(travel.DETOUR), speed_kmh=speeds(),
                                  reason="recorded before")
    ok = {"actor": f.staff(), "region_code": f.COUNTY, "valid_from": today + dt.timedelta(days=1),
          "detour": {"plain": 1.2, "hill": 1.45, "mountain": 1.7},
          "speed_kmh": speeds(drive__mountain=25), "reason": "山区县道路网测算",
          "source": "县交通局路网数据"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.CITY)}, Forbidden,
                "a city sets no travel parameters"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, Forbidden,
                "an institution"),
        Refused({**ok, "region_code": "410000"}, NotFound, "another province"),
        Refused({**ok, "region_code": "999999"}, DomainError, "unknown region"),
        Refused({**ok, "valid_from": today - dt.timedelta(days=1)}, DomainError,
                "a day in the past"),
        Refused({**ok, "valid_from": taken}, Conflict, "a day already recorded"),
        Refused({**ok, "detour": {"plain": 0.9, "hill": 1.4, "mountain": 1.6}}, DomainError,
                "detour below 1"),
        Refused({**ok, "detour": {"plain": 1.2, "hill": 1.4}}, DomainError, "a terrain missing"),
        Refused({**ok, "speed_kmh": speeds(ebike__plain=40)}, DomainError,
                "an e-bike above 25 km/h"),
        Refused({**ok, "speed_kmh": speeds(walk__hill="fast")}, DomainError, "not a number"),
        Refused({**ok, "speed_kmh": {**speeds(), "rocket": {"plain": 900}}}, DomainError,
                "an unknown mode"),
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
    ])

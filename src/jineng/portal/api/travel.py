"""The travel model's dated parameters (detour factor per terrain, speed per mode and terrain) for
HRSS staff: read the set in force for a region and the history; province HRSS staff record a
new set from a day on (past rows never change). Bad values: 400 naming the parameter
(`detour.hill`, `speed_kmh.ebike.mountain`) with the allowed range."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema, Status

from jineng.core.api import KIB, body_limit, error_responses
from jineng.portal.rules import travel as rules
from jineng.portal.selectors import travel as selectors
from jineng.portal.services import travel_settings as services

router = Router(tags=["portal"])


class TravelDetourIO(Schema):
    plain: float
    hill: float
    mountain: float


class TravelSpeedIO(Schema):
    drive: TravelDetourIO = Field(description="car, km/h per terrain (10–120)")
    bus: TravelDetourIO = Field(description="bus, km/h per terrain (5–100)")
    ebike: TravelDetourIO = Field(description="electric bicycle, km/h per terrain (3–25)")
    walk: TravelDetourIO = Field(description="on foot, km/h per terrain (1–8)")


class TravelSettingsOut(Schema):
    id: int
    region_code: str
    region_name: str
    valid_from: dt.date
    version: str = Field(description="what a coverage run records as the parameters' version")
    detour: TravelDetourIO
    speed_kmh: TravelSpeedIO
    source: str
    reason: str
    set_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name

    @staticmethod
    def resolve_set_by(obj) -> str:
        return obj.set_by.username if obj.set_by_id else ""


class TravelInForceOut(Schema):
    region_code: str
    day: dt.date
    settings_id: int | None = Field(description="the row in force; null: the built-in "
                                                "defaults")
    from_region_code: str = Field(description="the region whose row applies (the region's "
                                              "own, its city's or its province's)")
    valid_from: dt.date | None
    version: str
    detour: TravelDetourIO
    speed_kmh: TravelSpeedIO


class TravelSettingsListOut(Schema):
    in_force: TravelInForceOut
    history: list[TravelSettingsOut]


class TravelSettingsFilter(Schema):
    region: str = Field("", max_length=12, description="province, city or county code "
                                                       "(default: your own region)")
    day: dt.date | None = Field(None, description="the day (default today)")


@router.get("/coverage/travel-settings",
            response={200: TravelSettingsListOut, **error_responses(403)},
            operation_id="portal_travel_settings_list")
def travel_settings_list(request, filters: Query[TravelSettingsFilter]):
    """The travel parameters in force for a region on a day (the method is not secret), and
    every recorded set of its province, newest first (HRSS staff; empty for others)."""
    code = filters.region.strip() or getattr(getattr(request.auth, "region", None), "code", "")
    history = list(selectors.travel_settings_history(actor=request.auth,
                                                     region_code=code or None)[:200])
    day = filters.day or dt.date.today()
    force = selectors.in_force(code, day) if code else selectors.DEFAULTS
    data = force.as_dict()
    return {"in_force": {"region_code": code, "day": day, "settings_id": force.settings_id,
                         "from_region_code": data["region_code"],
                         "valid_from": data["valid_from"] or None,
                         "version": data["version"], "detour": data["detour"],
                         "speed_kmh": data["speed_kmh"]},
            "history": history}


class TravelSettingsIn(Schema):
    region_code: str = Field("", max_length=12, description="province, city or county "
                                                            "(default: your own region)")
    valid_from: dt.date
    detour: dict[str, float | str | None] = Field(
        description=f"per terrain ({', '.join(rules.TERRAINS)}), "
                    f"{rules.MIN_DETOUR}–{rules.MAX_DETOUR}")
    speed_kmh: dict[str, dict[str, float | str | None]] = Field(
        description=f"per mode ({', '.join(rules.MODES)}) and terrain, km/h")
    reason: str = Field(max_length=2000)
    source: str = Field("", max_length=2000, description="where the figures come from")


@router.post("/coverage/travel-settings",
             response={201: TravelSettingsOut, **error_responses(400, 403, 404, 409, 422)},
             operation_id="portal_travel_settings_set")
@body_limit(8 * KIB)
def travel_settings_set(request, payload: TravelSettingsIn):
    """Record a region's travel parameters from a day on (today or later); recorded sets never
    change. Province HRSS staff, for their province and its cities and counties."""
    row = services.travel_settings_set(actor=request.auth, **payload.dict())
    return Status(201, row)

"""Setting the travel model's parameters (TravelSettings): the detour factor per terrain and the
speed per travel mode and terrain, for a province, one of its cities or one of its counties,
valid from a day.

Settings are dated: each call adds a row valid from a day (today or later); a recorded row never
changes, so every past coverage run can be explained by the set in force on its day (and the
run records which it used). Only province HRSS staff (for their province and the cities and
counties in it) or a system administrator set them. One transaction, audited; a refused call
changes nothing. Ranges: detour 1–4; speeds per mode (rules.travel.SPEED_RANGE_KMH) — car
10–120, bus 5–100, electric bicycle 3–25 (GB 17761-2018), on foot 1–8 km/h.
"""

from __future__ import annotations

import datetime as dt
import math

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.portal.models.coverage import Terrain, TravelMode, TravelSettings
from jineng.portal.rules import travel
from jineng.registry import selectors as registry
from jineng.registry.choices import RegionLevel

__all__ = ["may_set_travel_settings", "travel_settings_set"]

PROVINCE_STAFF = "province_staff"
SETTING_LEVELS = (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY)


def may_set_travel_settings(actor) -> bool:
    """Province HRSS staff (and system administrators)."""
    scope = scope_of(actor)
    return scope.everything or (getattr(actor, "role", "") == PROVINCE_STAFF
                                and scope.region_prefix is not None)


def _region(actor, region_code: str | None):
    scope = scope_of(actor)
    if not (scope.everything or scope.region_prefix is not None):
        raise Forbidden(_("Only the province HRSS office sets the travel parameters."))
    code = (region_code or "").strip()
    if not code:
        place = getattr(actor, "region", None)
        if place is None:
            raise DomainError(_("Name the region (province, city or county) the parameters are "
                                "for."), field="region_code", code="required")
        code = place.code
    region = (registry.region_list(actor=None)
              .filter(code=code, level__in=SETTING_LEVELS).first())
    if region is None:
        raise DomainError(_("No province, city or county with the code %(code)s.")
                          % {"code": code[:20]}, field="region_code", code="unknown")
    # Outside the actor's province answers like a missing region.
    if not (scope.everything or (scope.region_prefix is not None
                                 and region.code[:2] == scope.region_prefix[:2])):
        raise NotFound()
    return region


def _number(value, name: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    label = {"field": field_label(name), "low": f"{low:g}", "high": f"{high:g}"}
    if math.isnan(number) or math.isinf(number):
        raise DomainError(_("%(field)s must be a number from %(low)s to %(high)s.") % label,
                          field=name, code="invalid")
    if not low <= number <= high:
        raise DomainError(_("%(field)s must lie from %(low)s to %(high)s (given %(value)s).")
                          % {**label, "value": f"{number:g}"}, field=name, code="out_of_range")
    if round(number, 2) != number:
        raise DomainError(_("%(field)s has at most two decimals.") % label,
                          field=name, code="too_precise")
    return number


def field_label(name: str) -> str:
    """A parameter's name in words ("detour.hill" → "Detour factor, hills")."""
    parts = name.split(".")
    terrain = dict(Terrain.choices)
    if parts[0] == "detour" and len(parts) == 2:
        return _("Detour factor, %(terrain)s") % {"terrain": terrain.get(parts[1], parts[1])}
    if parts[0] == "speed_kmh" and len(parts) == 3:
        return _("Speed (km/h), %(mode)s, %(terrain)s") % {
            "mode": dict(TravelMode.choices).get(parts[1], parts[1]),
            "terrain": terrain.get(parts[2], parts[2])}
    return name


def check_parameters(detour, speed_kmh) -> tuple[dict, dict]:
    """The 3 detour factors and 12 speeds as floats, each in its range; DomainError naming the
    first one at fault (field `detour.<terrain>` or `speed_kmh.<mode>.<terrain>`)."""
    if not isinstance(detour, dict):
        raise DomainError(_("Give the detour factors per terrain (plain, hill, mountain)."),
                          field="detour", code="invalid")
    if not isinstance(speed_kmh, dict):
        raise DomainError(_("Give the speeds per travel mode and terrain."), field="speed_kmh",
                          code="invalid")
    unknown = (set(detour) - set(travel.TERRAINS)) | (set(speed_kmh) - set(travel.MODES))
    if unknown:
        name = sorted(unknown)[0]
        raise DomainError(_("Unknown terrain or travel mode “%(name)s”.") % {"name": name[:20]},
                          field="detour" if name in detour else "speed_kmh", code="unknown")
    clean_detour = {}
    for terrain in travel.TERRAINS:
        name = f"detour.{terrain}"
        if detour.get(terrain) in (None, ""):
            raise DomainError(_("%(field)s is required.") % {"field": field_label(name)},
                              field=name, code="required")
        clean_detour[terrain] = _number(detour[terrain], name, travel.MIN_DETOUR,
                                        travel.MAX_DETOUR)
    clean_speed: dict[str, dict[str, float]] = {}
    for mode in travel.MODES:
        row = speed_kmh.get(mode)
        if not isinstance(row, dict):
            raise DomainError(_("%(field)s is required.") % {"field": field_label(
                f"speed_kmh.{mode}.plain")}, field=f"speed_kmh.{mode}", code="required")
        low, high = travel.SPEED_RANGE_KMH[mode]
        clean_speed[mode] = {}
        for terrain in travel.TERRAINS:
            name = f"speed_kmh.{mode}.{terrain}"
            if row.get(terrain) in (None, ""):
                raise DomainError(_("%(field)s is required.") % {"field": field_label(name)},
                                  field=name, code="required")
            clean_speed[mode][terrain] = _number(row[terrain], name, low, high)
    return clean_detour, clean_speed


def travel_settings_set(*, actor, valid_from: dt.date, detour: dict, speed_kmh: dict,
                        reason: str, source: str = "", region_code: str | None = None,
                        today: dt.date | None = None) -> TravelSettings:
    """Record the travel parameters of a province, city or county valid from `valid_from`
    (today or later); returns the new row."""
    region = _region(actor, region_code)
    if not may_set_travel_settings(actor):
        raise Forbidden(_("Only the province HRSS office sets the travel parameters."))
    today = today or timezone.localdate()
    if not isinstance(valid_from, dt.date):
        raise DomainError(_("The first day is a date."), field="valid_from", code="invalid")
    if valid_from < today:
        raise DomainError(_("Parameters start today or later: past days keep the parameters "
                            "they had."), field="valid_from", code="in_past")
    if valid_from > today + dt.timedelta(days=3 * 366):
        raise DomainError(_("The first day is at most three years ahead."), field="valid_from",
                          code="too_late")
    clean_detour, clean_speed = check_parameters(detour, speed_kmh)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the parameters change."), field="reason", code="required")
    source = (source or "").strip()
    try:
        with transaction.atomic():
            # The region row is the lock: two sets for the same day cannot both pass.
            registry.region_list(actor=None).select_for_update().filter(pk=region.pk).first()
            if TravelSettings.objects.filter(region=region, valid_from=valid_from).exists():
                raise Conflict(_("Parameters of %(region)s from %(day)s are already recorded and "
                                 "are never changed; choose a later first day.")
                               % {"region": region.name, "day": valid_from},
                               field="valid_from", code="exists")
            row = TravelSettings.objects.create(
                region=region, valid_from=valid_from, detour=clean_detour,
                speed_kmh=clean_speed, reason=reason[:2000], source=source[:2000],
                set_by=actor if getattr(actor, "is_authenticated", False) else None)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                         after=audit.snapshot(row), region_code=region.code,
                         reason=reason[:500])
    except IntegrityError as clash:
        raise Conflict(_("Parameters of %(region)s from %(day)s are already recorded and are "
                         "never changed; choose a later first day.")
                       % {"region": region.name, "day": valid_from},
                       field="valid_from", code="exists") from clash
    return row

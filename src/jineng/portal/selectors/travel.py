"""Reads of the travel model's dated parameters (TravelSettings): the set in force for a region
on a day, per county for a coverage run, and the history.

Which set applies to a county on a day: among the rows valid from that day or earlier, the most
specific region's latest — the county's own, else its city's (code: the county's first four
digits + "00"), else its province's (first two + "0000"); with none, the built-in defaults
(rules.travel.DEFAULT_PARAMETERS, version PARAMETERS_VERSION). A county's row therefore keeps
applying after a newer province row: the county chose its own figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core.errors import Forbidden
from jineng.core.scoping import scope_of
from jineng.portal.models.coverage import TravelSettings
from jineng.portal.rules import travel


@dataclass(frozen=True)
class InForce:
    """The parameters applying somewhere on a day, and the row they come from (None: the
    built-in defaults)."""

    params: travel.TravelParameters
    row: TravelSettings | None

    @property
    def settings_id(self) -> int | None:
        return self.row.pk if self.row is not None else None

    def as_dict(self) -> dict:
        data = self.params.as_dict()
        data["settings_id"] = self.settings_id
        data["region_code"] = self.row.region.code if self.row is not None else ""
        data["valid_from"] = self.row.valid_from.isoformat() if self.row is not None else ""
        return data


DEFAULTS = InForce(travel.DEFAULT_PARAMETERS, None)


def parameters_of(row: TravelSettings) -> travel.TravelParameters:
    return travel.TravelParameters.from_dict({"version": row.version, "detour": row.detour,
                                              "speed_kmh": row.speed_kmh})


def _chain(code: str) -> list[str]:
    """The codes whose rows may apply to a region, most specific first."""
    code = (code or "").strip()
    chain = [code]
    if len(code) >= 6 and code[4:6] != "00":
        chain.append(code[:4] + "00")
    if len(code) >= 6 and code[2:6] != "0000":
        chain.append(code[:2] + "0000")
    return list(dict.fromkeys(chain))


def in_force_for(codes, day: dt.date | None = None) -> dict[str, InForce]:
    """For each region code (a county, city or province), the parameters in force on `day`
    (default today): one query for all of them."""
    day = day or timezone.localdate()
    codes = list(dict.fromkeys(codes))
    wanted = {c for code in codes for c in _chain(code)}
    latest: dict[str, TravelSettings] = {}
    for row in (TravelSettings.objects.filter(region__code__in=wanted, valid_from__lte=day)
                .select_related("region").order_by("valid_from", "pk")):
        latest[row.region.code] = row  # the latest valid_from wins
    out = {}
    for code in codes:
        row = next((latest[c] for c in _chain(code) if c in latest), None)
        out[code] = InForce(parameters_of(row), row) if row is not None else DEFAULTS
    return out


def in_force(region_code: str, day: dt.date | None = None) -> InForce:
    return in_force_for([region_code], day)[region_code]


def may_read(actor) -> bool:
    scope = scope_of(actor)
    return scope.everything or (bool(getattr(actor, "is_hrss_staff", False))
                                and scope.region_prefix is not None)


def ensure_may_read(actor) -> None:
    if not may_read(actor):
        raise Forbidden(_("Only HRSS staff read the travel parameters."))


def travel_settings_history(*, actor, region_code: str | None = None
                            ) -> QuerySet[TravelSettings]:
    """Every recorded set, of a region's province when named, newest first: for HRSS staff
    (and administrators); an empty list for anyone else."""
    qs = TravelSettings.objects.visible_to(actor).select_related("region", "set_by")
    if not may_read(actor):
        return qs.none()
    if region_code:
        qs = qs.filter(region__code__startswith=region_code[:2])
    return qs.order_by("-valid_from", "region__code", "-pk")

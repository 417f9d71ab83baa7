"""Reads of training quality: the settings in force, the latest run, and its indicator cells
with small-cell suppression for the public (the scorecards are in `scorecards`, the staff
ranking in `ranking`).

Who sees what:
- the public (and every account that is not government staff) reads aggregates only, and a
  cell whose count is below the province's `min_cell` is suppressed: no value, "fewer than N
  trainees" (`Cell.suppressed`). For the four rates the count is the denominator (and the cell's
  trainees); for wage growth and the composite, whose numerator and denominator are medians or
  absent, the count is the cell's trainees.
- government staff (a region scope) and system administrators see every value.

Figures come from the latest succeeded run (`latest_run`); pages show its finish time and the
month its records are complete through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core.errors import DomainError, NotFound
from jineng.core.scoping import scope_of
from jineng.outcomes.choices import Dimension, Indicator, RunStatus
from jineng.outcomes.models import IndicatorSettings, IndicatorValue, OutcomeMeasure, OutcomeRun
from jineng.registry import selectors as registry
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Organization

__all__ = [
    "COUNT_DENOMINATOR", "DEFAULT_SETTINGS", "Cell", "SettingsInForce", "cell_suppressed",
    "format_value", "home_province_code", "indicator_cells", "indicator_settings_history",
    "indicator_settings_in_force", "latest_run", "parse_period", "sees_all_cells",
]

# Indicators whose denominator is a count of trainees (wage growth's are two medians; the
# composite has none): their denominator decides suppression too.
COUNT_DENOMINATOR = frozenset({Indicator.DEMAND_MATCH, Indicator.PASS_RATE, Indicator.LEVEL_UP,
                               Indicator.EMPLOYMENT})


# --- settings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class SettingsInForce:
    """The parameters that apply on a day in a province (the defaults when none is recorded)."""

    region_code: str
    valid_from: dt.date | None
    weights: dict[str, float]  # indicator value → weight (the five, summing to 1)
    min_cell: int
    link_auto_probability: float
    link_review_probability: float
    settings_id: int | None = None


DEFAULT_SETTINGS = SettingsInForce(
    region_code="", valid_from=None,
    weights={Indicator.DEMAND_MATCH.value: 0.2, Indicator.PASS_RATE.value: 0.2,
             Indicator.LEVEL_UP.value: 0.2, Indicator.EMPLOYMENT.value: 0.2,
             Indicator.WAGE_GROWTH.value: 0.2},
    min_cell=10, link_auto_probability=0.99, link_review_probability=0.5)


def _province_code(region_code: str) -> str:
    return f"{(region_code or '')[:2]}0000" if region_code else ""


def indicator_settings_in_force(*, region_code: str, day: dt.date | None = None,
                                ) -> SettingsInForce:
    """The province's settings in force on `day` (the row with the latest first day not after
    it), for any region code inside the province; the defaults (0.2 each, 10 trainees, 0.99 and
    0.5) when none is recorded. Public parameters: no actor."""
    day = day or timezone.localdate()
    province = _province_code(region_code)
    row = (IndicatorSettings.objects.filter(region__code=province, valid_from__lte=day)
           .order_by("-valid_from").first()) if province else None
    if row is None:
        return SettingsInForce(**{**DEFAULT_SETTINGS.__dict__, "region_code": province})
    return SettingsInForce(
        region_code=province, valid_from=row.valid_from,
        weights={Indicator.DEMAND_MATCH.value: float(row.weight_demand_match),
                 Indicator.PASS_RATE.value: float(row.weight_pass_rate),
                 Indicator.LEVEL_UP.value: float(row.weight_level_up),
                 Indicator.EMPLOYMENT.value: float(row.weight_employment),
                 Indicator.WAGE_GROWTH.value: float(row.weight_wage_growth)},
        min_cell=row.min_cell, link_auto_probability=row.link_auto_probability,
        link_review_probability=row.link_review_probability, settings_id=row.pk)


def indicator_settings_history(*, actor, region_code: str | None = None,
                               ) -> QuerySet[IndicatorSettings]:
    """Every recorded settings row of the province, newest first (government staff of the
    province and administrators; empty for everyone else)."""
    scope = scope_of(actor)
    if not (scope.everything or scope.region_prefix is not None):
        # Like every list: nothing the reader may see (the API answers an empty history).
        return IndicatorSettings.objects.none()
    code = region_code or (getattr(getattr(actor, "region", None), "code", "") or "")
    province = _province_code(code) or home_province_code()
    if not scope.everything and province[:2] != scope.region_prefix[:2]:
        raise NotFound()
    return (IndicatorSettings.objects.filter(region__code=province)
            .select_related("region", "set_by").order_by("-valid_from", "-id"))


def home_province_code() -> str:
    """The province this deployment serves: the one with recorded settings, else the one most
    institutions of the latest run belong to ("" when nothing is known)."""
    row = IndicatorSettings.objects.order_by("-valid_from").values_list("region__code",
                                                                          flat=True).first()
    if row:
        return row
    run = latest_run()
    if run is not None:
        first = (OutcomeMeasure.objects.filter(run=run).values_list("institution__region__code",
                                                                     flat=True).first())
        if first:
            return _province_code(first)
    org = (registry.organization_list(actor=None, kind=OrganizationKind.TRAINING)
           .values_list("region__code", flat=True).first())
    return _province_code(org) if org else ""


# --- runs and cells --------------------------------------------------------------------------

def latest_run() -> OutcomeRun | None:
    """The latest succeeded run (the figures every page shows). A system read: pages show its
    finish time and `data_through`, nothing else of it."""
    return (OutcomeRun.objects.filter(status=RunStatus.SUCCEEDED, finished_at__isnull=False)
            .order_by("-finished_at", "-id").first())


def sees_all_cells(actor) -> bool:
    """Government staff and administrators see small cells; everyone else gets them
    suppressed."""
    scope = scope_of(actor)
    return scope.everything or scope.region_prefix is not None


def cell_suppressed(indicator: str, *, denominator: float | None, trainees: int,
                    min_cell: int) -> bool:
    """A cell is hidden from the public when fewer than `min_cell` trainees stand behind it:
    its trainees, and for the rates its denominator too (the known employment outcomes, the
    completed trainees)."""
    if trainees < min_cell:
        return True
    if indicator in COUNT_DENOMINATOR:
        return denominator is None or denominator < min_cell
    return False


@dataclass
class Cell:
    indicator: str
    indicator_label: str
    dimension: str
    key: str
    label: str
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None
    trainees: int | None  # None when suppressed for a public reader
    suppressed: bool
    min_cell: int


def _cell(v: IndicatorValue, min_cell: int, sees_all: bool) -> Cell:
    hidden = cell_suppressed(v.indicator, denominator=v.denominator, trainees=v.trainees,
                             min_cell=min_cell)
    shown = sees_all or not hidden
    return Cell(indicator=v.indicator, indicator_label=str(Indicator(v.indicator).label),
                dimension=v.dimension, key=v.key, label=v.label, period=v.period,
                numerator=v.numerator if shown else None,
                denominator=v.denominator if shown else None,
                value=v.value if shown else None,
                trainees=v.trainees if shown else None,
                suppressed=hidden and not sees_all, min_cell=min_cell)


def parse_period(period: str | None) -> str:
    """"all", a year ("2025") or a quarter ("2025Q3"); anything else is refused naming the
    field."""
    period = (period or "all").strip()
    if period == "all":
        return period
    ok = (len(period) == 4 and period.isdigit()) or (
        len(period) == 6 and period[:4].isdigit() and period[4] == "Q" and period[5] in "1234")
    if not ok or not 2000 <= int(period[:4]) <= 2100:
        raise DomainError(_("The period is a year (2025), a quarter (2025Q3) or “all”."),
                          field="period", code="invalid")
    return period


def indicator_cells(*, actor, dimension: str = Dimension.INSTITUTION, period: str = "all",
                    indicator: str | None = None, key: str | None = None,
                    run: OutcomeRun | None = None) -> tuple[OutcomeRun | None, list[Cell]]:
    """The latest run's cells of one dimension and period (optionally one indicator or key).
    Public readers get small cells suppressed; institution cells only of public institutions."""
    if dimension not in Dimension.values:
        raise DomainError(_("Unknown dimension %(value)s.") % {"value": dimension[:20]},
                          field="dimension", code="invalid")
    if indicator and indicator not in Indicator.values:
        raise DomainError(_("Unknown indicator %(value)s.") % {"value": indicator[:20]},
                          field="indicator", code="invalid")
    period = parse_period(period)
    run = run or latest_run()
    if run is None:
        return None, []
    qs = IndicatorValue.objects.visible_to(actor).filter(run=run, dimension=dimension,
                                                         period=period)
    if indicator:
        qs = qs.filter(indicator=indicator)
    if key:
        qs = qs.filter(key=key[:40])
    sees_all = sees_all_cells(actor)
    if dimension == Dimension.INSTITUTION and not sees_all:
        public = {str(pk) for pk in _public_institutions().values_list("pk", flat=True)}
        rows = [v for v in qs.order_by("indicator", "key") if v.key in public]
    else:
        rows = list(qs.order_by("indicator", "key"))
    min_cell = indicator_settings_in_force(region_code=home_province_code()).min_cell
    return run, [_cell(v, min_cell, sees_all) for v in rows]


def _public_institutions() -> QuerySet[Organization]:
    """Institutions with a public scorecard: listed training institutions (the registry's
    public scope)."""
    return registry.organization_list(actor=None, kind=OrganizationKind.TRAINING)


# --- figures as shown --------------------------------------------------------------------------

def format_value(kind: str, value: float | None) -> str:
    """A figure as shown on the pages: rates and growth as percentages, wages in whole yuan,
    the composite with three decimals."""
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "growth":
        return f"{value * 100:+.1f}%"
    if kind == "yuan":
        return f"{value:,.0f}"
    if kind == "score":
        return f"{value:.3f}"
    return f"{value:,.0f}"


KIND_OF = {Indicator.WAGE_GROWTH.value: "growth", Indicator.COMPOSITE.value: "score"}

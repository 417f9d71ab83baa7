"""Reads of training quality: the staff ranking of institutions (`institution_ranking`) and the
small summary other pages show of one institution (`institution_quality`).

The ranking is for HRSS staff only and is province-wide: every institution of the run is
ranked, whatever city the staff member belongs to, because a ranking is only useful when it
compares the whole province; the region filter narrows the list on request. Aggregates only,
no person. Figures come from the latest succeeded run (`quality.latest_run`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from jineng.core.errors import DomainError, Forbidden
from jineng.core.scoping import scope_of
from jineng.outcomes.choices import Dimension, Indicator
from jineng.outcomes.models import IndicatorValue, OutcomeMeasure, OutcomeRun
from jineng.outcomes.selectors.quality import KIND_OF, format_value, latest_run, parse_period
from jineng.registry import selectors as registry
from jineng.registry.models import Organization

__all__ = [
    "RankRow", "Ranking", "institution_quality", "institution_ranking", "may_see_ranking",
]

@dataclass
class RankRow:
    rank: int | None
    organization_id: int
    name: str
    region_code: str
    region_name: str
    value: float | None
    numerator: float | None
    denominator: float | None
    trainees: int
    composite: float | None
    values: dict[str, float | None] = field(default_factory=dict)  # every indicator
    indicator: str = ""

    @property
    def shown(self) -> str:
        return format_value(KIND_OF.get(self.indicator, "rate"), self.value)

    @property
    def composite_shown(self) -> str:
        return format_value("score", self.composite)


@dataclass
class Ranking:
    run: OutcomeRun | None
    indicator: str
    period: str
    rows: list[RankRow]
    periods: list[str]


def may_see_ranking(actor) -> bool:
    scope = scope_of(actor)
    return scope.everything or (bool(getattr(actor, "is_hrss_staff", False))
                                and scope.region_prefix is not None)


def _staff_only(actor) -> None:
    if not may_see_ranking(actor):
        raise Forbidden(_("Only HRSS staff see the ranking of institutions."))


def institution_ranking(*, actor, indicator: str = Indicator.COMPOSITE, period: str = "all",
                        occupation_code: str = "", region_code: str = "",
                        run: OutcomeRun | None = None) -> Ranking:
    """Institutions of the latest run ranked by one indicator (highest first; ties share a rank;
    institutions without a value last, unranked), filtered by occupation (institutions that
    trained it) and region (the institution's city or county). HRSS staff only; province-wide
    (see the module's docstring); empty, like every list, for anyone else (the page refuses
    them)."""
    if indicator not in Indicator.values:
        raise DomainError(_("Unknown indicator %(value)s.") % {"value": indicator[:20]},
                          field="indicator", code="invalid")
    period = parse_period(period)
    run = run or latest_run()
    if run is None or not may_see_ranking(actor):
        return Ranking(run, indicator, period, [], [])
    cells = IndicatorValue.objects.filter(run=run, dimension=Dimension.INSTITUTION,
                                          period=period)
    occupation_code = (occupation_code or "").strip()[:50]
    if occupation_code:
        ids = (OutcomeMeasure.objects.filter(run=run,
                                             training_class__occupation__code=occupation_code)
               .order_by().values_list("institution_id", flat=True).distinct())
        cells = cells.filter(key__in=[str(pk) for pk in ids])
    by_org: dict[str, dict[str, IndicatorValue]] = defaultdict(dict)
    for v in cells:
        by_org[v.key][v.indicator] = v
    ids = [int(k) for k in by_org if k.isdigit()]
    # Names and places of the ranked institutions (aggregates of every city: a system read of
    # the registry's vocabulary, no person).
    orgs = Organization.objects.filter(pk__in=ids).select_related("region")
    region_code = (region_code or "").strip()[:12]
    if region_code:
        orgs = orgs.filter(region__code__startswith=registry.subtree_prefix(region_code))
    rows = []
    for org in orgs:
        cell = by_org[str(org.pk)]
        main = cell.get(indicator)
        comp = cell.get(Indicator.COMPOSITE.value)
        any_cell = main or next(iter(cell.values()))
        rows.append(RankRow(
            rank=None, organization_id=org.pk, name=org.name, region_code=org.region.code,
            region_name=org.region.name, value=main.value if main else None,
            numerator=main.numerator if main else None,
            denominator=main.denominator if main else None, trainees=any_cell.trainees,
            composite=comp.value if comp else None,
            values={k: c.value for k, c in cell.items()}, indicator=indicator))
    rows.sort(key=lambda r: (r.value is None, -(r.value or 0), r.name, r.organization_id))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.value is None:
            break
        if row.value != previous:
            rank, previous = position, row.value
        row.rank = rank
    periods = sorted(set(IndicatorValue.objects.filter(run=run, dimension=Dimension.INSTITUTION)
                         .values_list("period", flat=True).distinct()),
                     key=lambda p: (p != "all", p))
    return Ranking(run, indicator, period, rows, periods)


def institution_quality(*, actor, organization_id: int) -> dict | None:
    """A small summary for other pages (catalog review, quality evaluation): the institution's
    composite, employment rate and pass rate over all periods of the latest run, with its rank
    by composite among the province's institutions and the run's time. None when the run has
    no value for it. HRSS staff only; NotFound for an institution outside the reader's
    scope."""
    _staff_only(actor)
    registry.organization_get(actor=actor, pk=organization_id)
    run = latest_run()
    if run is None:
        return None
    values = {v.indicator: v for v in IndicatorValue.objects.filter(
        run=run, dimension=Dimension.INSTITUTION, key=str(organization_id), period="all")}
    if not values:
        return None
    composite = values.get(Indicator.COMPOSITE.value)
    rank = of = None
    if composite is not None and composite.value is not None:
        others = list(IndicatorValue.objects.filter(
            run=run, dimension=Dimension.INSTITUTION, period="all",
            indicator=Indicator.COMPOSITE, value__isnull=False).values_list("value", flat=True))
        of = len(others)
        rank = 1 + sum(1 for x in others if x > composite.value)
    return {
        "run_id": run.pk, "computed_at": run.finished_at, "data_through": run.data_through,
        "trainees": max(v.trainees for v in values.values()),
        "composite": composite.value if composite else None,
        "composite_rank": rank, "institutions_ranked": of,
        "values": {k: v.value for k, v in values.items()},
    }

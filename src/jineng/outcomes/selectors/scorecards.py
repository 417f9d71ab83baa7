"""Reads of training quality: an institution's scorecard (classes run, trainees, completion,
certificates, employment, wages before and after, the five indicators and the composite) with
its peers, and the list of institutions that have one.

Scorecards are public for listed training institutions: cells below the province's
`min_cell` are suppressed for the public exactly as the indicator cells are (`quality`);
government staff and system administrators see every value. Figures come from the latest
succeeded run (`quality.latest_run`)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from jineng.core.errors import NotFound
from jineng.core.scoping import scope_of
from jineng.outcomes.choices import Dimension, Indicator
from jineng.outcomes.models import IndicatorValue, OutcomeMeasure, OutcomeRun
from jineng.outcomes.selectors.quality import (
    COUNT_DENOMINATOR,
    KIND_OF,
    _public_institutions,
    cell_suppressed,
    format_value,
    indicator_settings_in_force,
    latest_run,
    parse_period,
    sees_all_cells,
)
from jineng.registry import selectors as registry
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Organization

__all__ = [
    "Figure", "PeerComparison", "Scorecard", "institution_scorecard", "scorecard_institutions",
]

RANKED = (Indicator.COMPOSITE, Indicator.DEMAND_MATCH, Indicator.PASS_RATE, Indicator.LEVEL_UP,
          Indicator.EMPLOYMENT, Indicator.WAGE_GROWTH)


DEFINITIONS = {
    "classes": gettext_lazy("Classes of this institution that ended in the period."),
    "trainees": gettext_lazy("Trainees who left those classes (one per enrollment; exit = "
                             "class end; withdrawn enrollments not counted)."),
    "completion": gettext_lazy("Share of trainees who completed the class."),
    "certificates": gettext_lazy("Trainees who completed and hold a certificate issued for "
                                 "the class's assessment, as a share of those who completed."),
    "employed_q2": gettext_lazy("Share employed (a social-insurance contribution) in the 2nd "
                                "calendar quarter after the exit quarter, among trainees whose "
                                "quarter is already known."),
    "employed_q4": gettext_lazy("The same in the 4th quarter after the exit quarter."),
    "wage_before": gettext_lazy("Median monthly contribution wage base in the 12 months before "
                                "the class, trainees with wages before and after."),
    "wage_after": gettext_lazy("Median monthly contribution wage base in the 12 months after "
                               "exit, the same trainees."),
    Indicator.DEMAND_MATCH.value: gettext_lazy(
        "Share of trainees in urgently-needed or demand-list occupations or in order classes."),
    Indicator.PASS_RATE.value: gettext_lazy(
        "Certified trainees / trainees who completed."),
    Indicator.LEVEL_UP.value: gettext_lazy(
        "Trainees certified above the highest level they held before / trainees who "
        "completed."),
    Indicator.EMPLOYMENT.value: gettext_lazy(
        "Employed or self-employed within 6 months of exit / trainees whose 6 months are "
        "known (就业创业率)."),
    Indicator.WAGE_GROWTH.value: gettext_lazy(
        "Median wage after / median wage before − 1, trainees with both known."),
    Indicator.COMPOSITE.value: gettext_lazy(
        "Weighted sum of the five indicators (wage growth scored as growth / 30%, at most 1); "
        "the weights are the province's settings."),
}
FIGURE_LABELS = {
    "classes": gettext_lazy("Classes run"),
    "trainees": gettext_lazy("Trainees"),
    "completion": gettext_lazy("Completion rate"),
    "certificates": gettext_lazy("Certificate rate"),
    "employed_q2": gettext_lazy("Employed in the 2nd quarter after exit"),
    "employed_q4": gettext_lazy("Employed in the 4th quarter after exit"),
    "wage_before": gettext_lazy("Median monthly wage before (yuan)"),
    "wage_after": gettext_lazy("Median monthly wage after (yuan)"),
}


def definitions() -> list[tuple[str, str, str]]:
    """(code, label, definition) of every scorecard figure, in the page's order."""
    labels = {**{k: str(v) for k, v in FIGURE_LABELS.items()},
              **{v: str(label) for v, label in Indicator.choices}}
    return [(code, labels[code], str(text)) for code, text in DEFINITIONS.items()]


@dataclass
class Figure:
    code: str
    label: str
    kind: str  # "count", "rate", "yuan", "growth", "score"
    value: float | None
    numerator: float | None
    denominator: float | None
    cell_size: int | None  # trainees behind the figure (None when suppressed for the public)
    period: str
    suppressed: bool
    definition: str
    computed: bool = True  # False: the run has no value for it
    peer: PeerComparison | None = None

    @property
    def shown(self) -> str:
        return format_value(self.kind, self.value)


@dataclass
class PeerComparison:
    indicator: str
    peers: int  # institutions compared (this one included when it has a value)
    median: float | None
    rank: int | None  # 1 = highest; None when this institution has no comparable value

    @property
    def median_shown(self) -> str:
        return format_value(KIND_OF.get(self.indicator, "rate"), self.median)


@dataclass
class Scorecard:
    organization: Organization
    run: OutcomeRun | None
    period: str
    periods: list[str]
    figures: list[Figure]
    peers: dict[str, PeerComparison]
    occupations: list[tuple[str, str]]  # (code, name) of the occupations it trained
    min_cell: int
    staff_view: bool

    @property
    def computed_at(self) -> dt.datetime | None:
        return self.run.finished_at if self.run else None

    @property
    def data_through(self) -> dt.date | None:
        return self.run.data_through if self.run else None

    @property
    def definitions(self) -> list[tuple[str, str, str]]:
        return definitions()

    def figure(self, code: str) -> Figure | None:
        return next((f for f in self.figures if f.code == code), None)


def _period_q(period: str) -> Q:
    if period == "all":
        return Q()
    year = int(period[:4])
    if len(period) == 4:
        return Q(exit_date__year=year)
    quarter = int(period[5])
    return Q(exit_date__gte=dt.date(year, 3 * quarter - 2, 1),
             exit_date__lt=(dt.date(year + 1, 1, 1) if quarter == 4
                            else dt.date(year, 3 * quarter + 1, 1)))


def _median(values: list) -> float | None:
    return float(statistics.median(values)) if values else None


def scorecard_institutions(*, q: str = "", occupation_code: str = "", city_code: str = "",
                           run: OutcomeRun | None = None) -> tuple[OutcomeRun | None, list]:
    """Public institutions with results in the latest run, by name, occupation (code or name)
    and city: (run, [(organization, trainees in the run)])."""
    run = run or latest_run()
    if run is None:
        return None, []
    measures = OutcomeMeasure.objects.filter(run=run)
    occupation_code = (occupation_code or "").strip()[:50]
    if occupation_code:
        measures = measures.filter(Q(training_class__occupation__code=occupation_code)
                                   | Q(training_class__occupation__name__contains=
                                       occupation_code))
    counts = dict(measures.order_by().values_list("institution_id").annotate(n=Count("pk")))
    orgs = _public_institutions().filter(pk__in=list(counts))
    q = (q or "").strip()[:50]
    if q:
        orgs = orgs.filter(name__contains=q)
    if city_code:
        orgs = orgs.filter(region__code__startswith=registry.subtree_prefix(city_code[:12]))
    rows = [(o, counts.get(o.pk, 0)) for o in orgs.select_related("region").order_by("name",
                                                                                       "pk")]
    return run, rows


def _scorecard_org(actor, organization_id: int) -> Organization:
    org = _public_institutions().filter(pk=organization_id).select_related("region").first()
    if org is None and scope_of(actor).public is False:
        # Staff (and the institution itself) may open a scorecard of an institution they see
        # even when it is not listed any more.
        org = (registry.organization_list(actor=actor, kind=OrganizationKind.TRAINING)
               .filter(pk=organization_id).first())
    if org is None:
        raise NotFound()
    return org


def institution_scorecard(*, actor, organization_id: int, period: str = "all",
                          run: OutcomeRun | None = None) -> Scorecard:
    """One institution's results in the latest run: classes run, trainees, completion,
    certificates, employment in the 2nd and 4th quarter, median wages before and after, the
    five indicators and the composite, each with its period and cell size, and, for the
    indicators, the median and this institution's rank among its peers (institutions that
    trained the same occupations). NotFound for an institution the reader does not see."""
    org = _scorecard_org(actor, organization_id)
    period = parse_period(period)
    run = run or latest_run()
    sees_all = sees_all_cells(actor)
    min_cell = indicator_settings_in_force(region_code=org.region.code).min_cell
    if run is None:
        return Scorecard(org, None, period, [], [], {}, [], min_cell, sees_all)
    values = {v.indicator: v for v in IndicatorValue.objects.filter(
        run=run, dimension=Dimension.INSTITUTION, key=str(org.pk), period=period)}
    periods = sorted(set(IndicatorValue.objects.filter(
        run=run, dimension=Dimension.INSTITUTION, key=str(org.pk))
        .values_list("period", flat=True)), key=lambda p: (p != "all", p))
    measures = list(OutcomeMeasure.objects.filter(run=run, institution_id=org.pk)
                    .filter(_period_q(period))
                    .values_list("training_class_id", "completed", "certified", "employed_q2",
                                 "employed_q4", "wage_before", "wage_after"))
    trainees = len(measures)
    figures: list[Figure] = []

    def add(code: str, kind: str, value, numerator, denominator, size: int,
            computed: bool = True) -> None:
        hidden = size < min_cell
        shown = sees_all or not hidden
        figures.append(Figure(
            code=code, label=str(FIGURE_LABELS[code]), kind=kind,
            value=value if shown else None, numerator=numerator if shown else None,
            denominator=denominator if shown else None, cell_size=size if shown else None,
            period=period, suppressed=hidden and not sees_all,
            definition=str(DEFINITIONS[code]), computed=computed))

    classes = len({m[0] for m in measures})
    # How many classes ran is public anyway (class pages): never suppressed.
    figures.append(Figure("classes", str(FIGURE_LABELS["classes"]), "count", classes, None,
                          None, trainees if (sees_all or trainees >= min_cell) else None,
                          period, False, str(DEFINITIONS["classes"]), bool(measures)))
    add("trainees", "count", trainees, None, None, trainees, bool(measures))
    completed = sum(1 for m in measures if m[1])
    add("completion", "rate", completed / trainees if trainees else None, completed, trainees,
        trainees, bool(measures))
    certified = sum(1 for m in measures if m[1] and m[2])
    add("certificates", "rate", certified / completed if completed else None, certified,
        completed, completed, bool(measures))
    for code, index in (("employed_q2", 3), ("employed_q4", 4)):
        known = [m[index] for m in measures if m[index] is not None]
        yes = sum(1 for k in known if k)
        add(code, "rate", yes / len(known) if known else None, yes, len(known), len(known),
            bool(measures))
    both = [(m[5], m[6]) for m in measures if m[5] is not None and m[6] is not None]
    add("wage_before", "yuan", _median([Decimal(b) for b, _a in both]), None, None, len(both),
        bool(measures))
    add("wage_after", "yuan", _median([Decimal(a) for _b, a in both]), None, None, len(both),
        bool(measures))
    for indicator in (Indicator.DEMAND_MATCH, Indicator.PASS_RATE, Indicator.LEVEL_UP,
                      Indicator.EMPLOYMENT, Indicator.WAGE_GROWTH, Indicator.COMPOSITE):
        v = values.get(indicator.value)
        kind = KIND_OF.get(indicator.value, "rate")
        if v is None:
            figures.append(Figure(indicator.value, str(indicator.label), kind, None, None, None,
                                  None, period, False, str(DEFINITIONS[indicator.value]),
                                  computed=False))
            continue
        hidden = cell_suppressed(v.indicator, denominator=v.denominator, trainees=v.trainees,
                                 min_cell=min_cell)
        shown = sees_all or not hidden
        size = (int(v.denominator) if indicator in COUNT_DENOMINATOR and v.denominator is not None
                else v.trainees)
        figures.append(Figure(indicator.value, str(indicator.label), kind,
                              v.value if shown else None, v.numerator if shown else None,
                              v.denominator if shown else None, size if shown else None,
                              period, hidden and not sees_all,
                              str(DEFINITIONS[indicator.value])))
    occupations = list(OutcomeMeasure.objects.filter(run=run, institution_id=org.pk)
                       .order_by().values_list("training_class__occupation__code",
                                               "training_class__occupation__name").distinct())
    occupations.sort()
    peers = _peer_comparisons(run, org, [c for c, _n in occupations], period, min_cell,
                              sees_all)
    for figure in figures:
        figure.peer = peers.get(figure.code)
    return Scorecard(org, run, period, periods, figures, peers, occupations, min_cell, sees_all)


def _peer_comparisons(run: OutcomeRun, org: Organization, occupation_codes: list[str],
                      period: str, min_cell: int, sees_all: bool,
                      ) -> dict[str, PeerComparison]:
    """For each indicator: the median over the institutions that trained any of the same
    occupations in the run (this one included), and this institution's rank (1 = highest; ties
    share a rank). Public readers compare only cells they may see."""
    if not occupation_codes:
        return {}
    peer_ids = set(OutcomeMeasure.objects.filter(
        run=run, training_class__occupation__code__in=occupation_codes)
        .order_by().values_list("institution_id", flat=True).distinct())
    peer_ids.add(org.pk)
    by_indicator: dict[str, dict[str, float]] = defaultdict(dict)
    for v in IndicatorValue.objects.filter(run=run, dimension=Dimension.INSTITUTION,
                                           period=period,
                                           key__in=[str(pk) for pk in peer_ids]):
        if v.value is None:
            continue
        if not sees_all and cell_suppressed(v.indicator, denominator=v.denominator,
                                            trainees=v.trainees, min_cell=min_cell):
            continue
        by_indicator[v.indicator][v.key] = v.value
    answer = {}
    for indicator in RANKED:
        found = by_indicator.get(indicator.value, {})
        own = found.get(str(org.pk))
        answer[indicator.value] = PeerComparison(
            indicator=indicator.value, peers=len(found),
            median=_median(list(found.values())),
            rank=(1 + sum(1 for x in found.values() if x > own)) if own is not None else None)
    return answer

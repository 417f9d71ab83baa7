"""Reads of training quality: the settings in force, the latest run's indicator cells (with
small-cell suppression for the public), an institution's scorecard with its peers, and the
staff ranking of institutions.

Who sees what:
- the public (and every account that is not government staff) reads aggregates only, and a
  cell whose count is below the province's `min_cell` is suppressed: no value, "fewer than N
  trainees" (`Cell.suppressed`). For the four rates the count is the denominator (and the cell's
  trainees); for wage growth and the composite, whose numerator and denominator are medians or
  absent, the count is the cell's trainees.
- government staff (a region scope) and system administrators see every value.
- the ranking is for HRSS staff only and is province-wide: every institution of the run is
  ranked, whatever city the staff member belongs to, because a ranking is only useful when it
  compares the whole province; the region filter narrows the list on request. Aggregates only,
  no person.

Figures come from the latest succeeded run (`latest_run`); pages show its finish time and the
month its records are complete through."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.scoping import scope_of
from jineng.outcomes.choices import Dimension, Indicator, RunStatus
from jineng.outcomes.models import IndicatorSettings, IndicatorValue, OutcomeMeasure, OutcomeRun
from jineng.registry import selectors as registry
from jineng.registry.choices import OrganizationKind
from jineng.registry.models import Organization

__all__ = [
    "COUNT_DENOMINATOR", "DEFAULT_SETTINGS", "Cell", "Figure", "PeerComparison", "RankRow",
    "Ranking", "Scorecard", "SettingsInForce", "cell_suppressed", "format_value",
    "home_province_code", "indicator_cells", "indicator_settings_history",
    "indicator_settings_in_force",
    "institution_quality", "institution_ranking", "institution_scorecard", "latest_run",
    "may_see_ranking",
    "parse_period", "scorecard_institutions", "sees_all_cells",
]

RANKED = (Indicator.COMPOSITE, Indicator.DEMAND_MATCH, Indicator.PASS_RATE, Indicator.LEVEL_UP,
          Indicator.EMPLOYMENT, Indicator.WAGE_GROWTH)
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


# --- scorecards ------------------------------------------------------------------------------

def _public_institutions() -> QuerySet[Organization]:
    """Institutions with a public scorecard: listed training institutions (the registry's
    public scope)."""
    return registry.organization_list(actor=None, kind=OrganizationKind.TRAINING)


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


# --- staff ranking ---------------------------------------------------------------------------

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

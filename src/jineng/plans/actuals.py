"""The seam between targets and records: "what is the actual value of metric M in region
subtree R, cut by sector / key group / training type / program, over the days [a, b]?"

Each metric has a provider: a function answering a batch of such questions at once (so a
dashboard asks one database question per region and period, not one per target). Providers:

- `facts_provider` reads the pre-aggregated fact table (ActualRollup; ActualFact for cuts the
  rollup does not keep). It answers every metric whose vocabulary source is "facts". Those
  facts are written by the services that own the records — training (issue 5) on class
  completion, assessment on certificates, subsidy (issue 6) on claims paid, outcomes on
  employment found — through `plans.services.actual_fact_add`. Until they exist, only the
  demo's synthetic facts are there; an empty table answers 0, not "no data".
- `reported_provider` answers the "reported" metrics (carriers built, stock statistics) from
  reviewed quarterly reports: the region's own reports, or else the sum of its children's.

Another app can replace a provider with `register(metric, provider)` when it can answer from
its own tables directly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.packs import region_prefix
from jineng.plans.rules.progress import rate

ROLLUP_DIMENSIONS = ("sector", "key_group", "training_type", "program")


@dataclass(frozen=True)
class ActualQuery:
    metric: str
    region_code: str  # the subtree's root region
    start: dt.date
    end: dt.date
    sector: str = ""
    key_group: str = ""
    training_type: str = ""
    programs: tuple[str, ...] = ()  # a program and its sub-programs
    carrier: str = ""
    organization_id: int | None = None

    @property
    def cuts(self) -> list[tuple[str, tuple[str, ...]]]:
        out = []
        for name in ("sector", "key_group", "training_type"):
            value = getattr(self, name)
            if value:
                out.append((name, (value,)))
        if self.programs:
            out.append(("program", self.programs))
        return out


@dataclass(frozen=True)
class Actual:
    """An answer: `value` is None when no source can answer yet (not the same as 0)."""

    value: Decimal | None
    source: str  # "facts", "reported" or "none"
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def cut_key(cuts: list[tuple[str, tuple[str, ...]]]) -> str:
    """The rollup's name for a combination of cuts (dimension "cut")."""
    canonical = ";".join(f"{name}={','.join(sorted(values))}" for name, values in sorted(cuts))
    return hashlib.sha1(canonical.encode()).hexdigest()


def query_for_target(plan, target, region_code: str, start: dt.date, end: dt.date,
                     organization_id: int | None = None) -> ActualQuery:
    """The question a target asks about a region and a window."""
    return ActualQuery(
        metric=target.metric, region_code=region_code, start=start, end=end,
        sector=target.sector, key_group=target.key_group, training_type=target.training_type,
        programs=plan.program_family(target.program) if target.program else (),
        carrier=target.carrier, organization_id=organization_id)


def registered_cuts() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """Combinations of two or more cuts that some plan's targets ask for: the rollup keeps
    them (province and city, dimension "cut"), so those targets are answered from it too."""
    from jineng.plans.models import Target

    out: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    targets = (Target.objects.select_related("plan")
               .exclude(metric__in=[m for m, x in v.METRICS.items() if x.source != "facts"]))
    for target in targets:
        cuts = query_for_target(target.plan, target, "", target.period_start,
                                target.period_end).cuts
        if len(cuts) > 1:
            out[cut_key(cuts)] = cuts
    return out


Provider = Callable[[Sequence[ActualQuery]], list[Actual]]
_PROVIDERS: dict[str, Provider] = {}


def register(metric: str, provider: Provider) -> None:
    _PROVIDERS[metric] = provider


def provider_for(metric: str) -> Provider:
    if metric in _PROVIDERS:
        return _PROVIDERS[metric]
    source = v.METRICS[metric].source if metric in v.METRICS else "none"
    return {"facts": facts_provider, "reported": reported_provider}.get(source, none_provider)


def actuals(queries: Sequence[ActualQuery]) -> list[Actual]:
    """Answer every query, batching those that share a provider."""
    by_provider: dict[Provider, list[int]] = defaultdict(list)
    for i, q in enumerate(queries):
        by_provider[provider_for(q.metric)].append(i)
    out: list[Actual | None] = [None] * len(queries)
    for provider, indexes in by_provider.items():
        answers = provider([queries[i] for i in indexes])
        for i, answer in zip(indexes, answers, strict=True):
            out[i] = answer
    return out  # type: ignore[return-value]


def actual(query: ActualQuery) -> Actual:
    return actuals([query])[0]


def none_provider(queries: Sequence[ActualQuery]) -> list[Actual]:
    return [Actual(None, "none") for _ in queries]


# --- facts -----------------------------------------------------------------------------------

def _count_queries(queries: Sequence[ActualQuery]) -> tuple[list[ActualQuery], dict]:
    """Rates are numerator / denominator: expand them into their two count questions."""
    counts: list[ActualQuery] = []
    expansion: dict[int, tuple[int, int] | int] = {}
    for i, q in enumerate(queries):
        metric = v.METRICS[q.metric]
        if metric.kind == v.RATE:
            num = ActualQuery(**{**q.__dict__, "metric": metric.numerator})
            den = ActualQuery(**{**q.__dict__, "metric": metric.denominator})
            expansion[i] = (len(counts), len(counts) + 1)
            counts.extend([num, den])
        else:
            expansion[i] = len(counts)
            counts.append(q)
    return counts, expansion


def _rollup_answers(queries: list[ActualQuery]) -> dict[int, Decimal]:
    """Queries the rollup can answer (province or city, no institution; one cut, or a
    registered combination of cuts)."""
    from jineng.plans.models import ActualRollup

    answers: dict[int, Decimal] = {}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, q in enumerate(queries):
        groups[(q.region_code, q.start, q.end)].append(i)
    for (code, start, end), indexes in groups.items():
        metrics = {queries[i].metric for i in indexes}
        rows = (ActualRollup.objects.filter(region_code=code, metric__in=metrics,
                                            day__gte=start, day__lte=end)
                .values_list("metric", "dimension", "dimension_value")
                .annotate(total=Sum("value")))
        totals = {(m, d, dv): Decimal(t or 0) for m, d, dv, t in rows}
        for i in indexes:
            q = queries[i]
            cuts = q.cuts
            if not cuts:
                answers[i] = totals.get((q.metric, "", ""), Decimal(0))
            elif len(cuts) > 1:
                answers[i] = totals.get((q.metric, "cut", cut_key(cuts)), Decimal(0))
            else:
                name, values = cuts[0]
                answers[i] = sum((totals.get((q.metric, name, value), Decimal(0))
                                  for value in values), Decimal(0))
    return answers


def subtree_q(code: str, field: str = "region_code") -> Q:
    """Records in a region's subtree, as a range on the code (uses the index on both SQLite
    and PostgreSQL, where a LIKE 'prefix%' would not)."""
    prefix = region_prefix(code)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "~"})


def fact_subtree_q(code: str) -> Q:
    """Facts in a region's subtree, through the indexed six-digit county code."""
    if len(code) > 6:
        return Q(county_code=code[:6]) & subtree_q(code)
    if _is_county_or_below(code):
        return Q(county_code=code)
    return subtree_q(code, "county_code")


def _fact_answer(q: ActualQuery) -> Decimal:
    from jineng.plans.models import ActualFact

    qs = ActualFact.objects.filter(fact_subtree_q(q.region_code), metric=q.metric,
                                   day__gte=q.start, day__lte=q.end)
    for name, values in q.cuts:
        qs = qs.filter(Q(**{f"{name}__in": values}))
    if q.organization_id is not None:
        qs = qs.filter(organization_id=q.organization_id)
    return Decimal(qs.aggregate(total=Sum("value"))["total"] or 0)


def _fact_answers_by_cut(queries: list[ActualQuery]) -> dict[int, Decimal]:
    """Single-cut questions about one county and window: one GROUP BY per cut dimension."""
    from jineng.plans.models import ActualFact

    answers: dict[int, Decimal] = {}
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, q in enumerate(queries):
        groups[(q.region_code, q.start, q.end, q.cuts[0][0])].append(i)
    for (code, start, end, dimension), indexes in groups.items():
        metrics = {queries[i].metric for i in indexes}
        rows = (ActualFact.objects.filter(fact_subtree_q(code), metric__in=metrics,
                                          day__gte=start, day__lte=end)
                .values_list("metric", dimension).annotate(total=Sum("value")))
        totals = {(m, value): Decimal(t or 0) for m, value, t in rows}
        for i in indexes:
            q = queries[i]
            _name, values = q.cuts[0]
            answers[i] = sum((totals.get((q.metric, value), Decimal(0)) for value in values),
                             Decimal(0))
    return answers


def _is_county_or_below(code: str) -> bool:
    return not code.endswith("00")


def count_answers(queries: list[ActualQuery]) -> list[Decimal]:
    """Sums of count metrics: from the rollup where it keeps the cut (or the combination of
    cuts); single cuts of a county from the facts grouped by that cut; anything else (an
    institution, an unregistered combination) one by one."""
    by_rollup: list[int] = []
    by_cut: list[int] = []
    out: dict[int, Decimal] = {}
    combos = (set(registered_cuts()) if any(len(q.cuts) > 1 for q in queries) else set())
    for i, q in enumerate(queries):
        county = _is_county_or_below(q.region_code)
        if q.end < q.start:
            out[i] = Decimal(0)
        elif q.organization_id is not None:
            out[i] = _fact_answer(q)
        elif len(q.cuts) > 1:
            if not county and cut_key(q.cuts) in combos:
                by_rollup.append(i)
            else:
                out[i] = _fact_answer(q)
        elif q.cuts and county:
            by_cut.append(i)
        else:
            by_rollup.append(i)
    rollup = _rollup_answers([queries[i] for i in by_rollup])
    for j, i in enumerate(by_rollup):
        out[i] = rollup[j]
    cut = _fact_answers_by_cut([queries[i] for i in by_cut])
    for j, i in enumerate(by_cut):
        out[i] = cut[j]
    return [out[i] for i in range(len(queries))]


def facts_provider(queries: Sequence[ActualQuery]) -> list[Actual]:
    counts, expansion = _count_queries(queries)
    values = count_answers(counts)
    out = []
    for i, _q in enumerate(queries):
        where = expansion[i]
        if isinstance(where, tuple):
            num, den = values[where[0]], values[where[1]]
            out.append(Actual(rate(num, den), "facts", num, den))
        else:
            out.append(Actual(values[where], "facts"))
    return out


# --- reported --------------------------------------------------------------------------------

def reported_provider(queries: Sequence[ActualQuery]) -> list[Actual]:
    """Figures the regions reported in reviewed quarterly reports whose quarter lies inside
    [a, b]: the region's own reports if it has any, else the sum over its children's. Counts
    add up over quarters; a rate is the region's own latest reported value. One database
    question for the whole batch."""
    from jineng.plans.choices import ReportStatus
    from jineng.plans.models import QuarterlyReportLine
    from jineng.plans.rules.quarters import quarter_bounds

    if not queries:
        return []
    subtree = Q()
    for code in {q.region_code for q in queries}:
        subtree |= subtree_q(code, "report__region__code")
    lines = list(QuarterlyReportLine.objects
                 .filter(subtree, report__status=ReportStatus.REVIEWED, report__department="",
                         target__metric__in={q.metric for q in queries},
                         reported_quarter__isnull=False)
                 .values_list("target__metric", "target__sector", "target__key_group",
                              "target__training_type", "target__carrier", "target__program",
                              "report__region__code", "report__region__parent__code",
                              "report__year", "report__quarter", "reported_quarter"))
    out: list[Actual] = []
    for q in queries:
        prefix = region_prefix(q.region_code)
        rows = [r for r in lines
                if r[:5] == (q.metric, q.sector, q.key_group, q.training_type, q.carrier)
                and (not q.programs or r[5] in q.programs)
                and r[6].startswith(prefix)
                and quarter_bounds(r[8], r[9])[0] >= q.start
                and quarter_bounds(r[8], r[9])[1] <= q.end]
        own = [r for r in rows if r[6] == q.region_code]
        children = [r for r in rows if r[7] == q.region_code]
        is_rate = v.METRICS[q.metric].kind == v.RATE
        chosen = own if is_rate else (own or children)
        if not chosen:
            out.append(Actual(None, "reported"))
        elif is_rate:
            latest = max(chosen, key=lambda r: (r[8], r[9]))
            out.append(Actual(Decimal(latest[10]), "reported"))
        else:
            out.append(Actual(sum((Decimal(r[10]) for r in chosen), Decimal(0)), "reported"))
    return out

"""The fact contract: how the apps that own records feed the plans (facts and their rollup).

Contract for the apps that own records (training, assessment, subsidy, outcomes): when a record
that a plan counts comes into being, call `actual_fact_add(...)` inside the same transaction
(e.g. on class completion, one fact per trainee, metric "person_times_trained", with a
`source_ref` such as "training.completion:<enrollment id>" so a retry counts once), or, for a
batch, `actual_facts_add_many(...)` which inserts set-based and rebuilds the rollup for the days
touched. Corrections (a completion undone, a claim recovered) are facts with negative values
and their own source_ref.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import DomainError
from jineng.plans import actuals
from jineng.plans.models import (
    ActualFact,
    ActualRollup,
)
from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.quarters import DAY_MAX, DAY_MIN
from jineng.plans.services import store
from jineng.plans.services.checks import check_integer

# --- facts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FactInput:
    metric: str
    day: dt.date
    region_code: str  # county or below
    value: int = 1
    organization_id: int | None = None
    sector: str = ""
    key_group: str = ""
    training_type: str = ""
    program: str = ""
    source_ref: str | None = None


def _check_fact(f: FactInput) -> None:
    metric = v.METRICS.get(f.metric)
    if metric is None or metric.kind != v.COUNT:
        raise DomainError(_("Unknown metric %(metric)s.") % {"metric": f.metric},
                          field="metric")
    if not isinstance(f.day, dt.date) or not DAY_MIN <= f.day <= DAY_MAX:
        raise DomainError(_("A fact is dated from %(first)s to %(last)s, not %(day)s.")
                          % {"first": DAY_MIN, "last": DAY_MAX, "day": f.day}, field="day")
    check_integer(f.value, field="value", label=_("value"))
    if len(f.region_code) < 6 or f.region_code[:6].endswith("00"):
        raise DomainError(_("Facts are recorded for a county or a region below it, not "
                            "%(code)s.") % {"code": f.region_code}, field="region_code")
    for name, words in (("sector", v.SECTORS), ("key_group", v.KEY_GROUPS),
                        ("training_type", v.TRAINING_TYPES)):
        value = getattr(f, name)
        if value and value not in words:
            raise DomainError(_("Unknown %(field)s %(value)s.") % {"field": name,
                                                                   "value": value}, field=name)


def _rollup_keys(f: FactInput) -> list[tuple[str, str, str, str, str]]:
    """(level, region, parent, dimension, value) rows a fact adds to."""
    county, city, province = f.region_code[:6], f.region_code[:4] + "00", \
        f.region_code[:2] + "0000"
    keys = [("county", county, city, "", "")]
    for level, code, parent in (("city", city, province), ("province", province, "")):
        keys.append((level, code, parent, "", ""))
        for dim in actuals.ROLLUP_DIMENSIONS:
            value = getattr(f, dim)
            if value:
                keys.append((level, code, parent, dim, value))
    return keys


def _matching_cuts(f: FactInput) -> list[str]:
    """The registered combinations of cuts this fact belongs to."""
    return [key for key, cuts in actuals.registered_cuts().items()
            if all(getattr(f, name) in values for name, values in cuts)]


def _rollup_increment(f: FactInput) -> None:
    keys = _rollup_keys(f)
    for key in _matching_cuts(f):
        keys += [("city", f.region_code[:4] + "00", f.region_code[:2] + "0000", "cut", key),
                 ("province", f.region_code[:2] + "0000", "", "cut", key)]
    for level, code, parent, dim, dim_value in keys:
        match = {"metric": f.metric, "day": f.day, "region_code": code, "dimension": dim,
                 "dimension_value": dim_value}
        if ActualRollup.objects.filter(**match).update(value=F("value") + f.value):
            continue
        try:
            with transaction.atomic():
                ActualRollup.objects.create(level=level, parent_code=parent, value=f.value,
                                            **match)
        except IntegrityError:
            ActualRollup.objects.filter(**match).update(value=F("value") + f.value)


def actual_fact_add(*, source: str, fact: FactInput) -> bool:
    """Record one fact and add it to the rollup, in the caller's transaction. Returns False
    when a fact with the same source_ref was recorded before (it counts once). The caller's
    own audited action is the record of why; facts are its derived projection."""
    _check_fact(fact)
    with transaction.atomic():
        if fact.source_ref and ActualFact.objects.filter(source_ref=fact.source_ref).exists():
            return False
        try:
            with transaction.atomic():
                ActualFact.objects.create(
                    metric=fact.metric, day=fact.day, region_code=fact.region_code,
                    organization_id=fact.organization_id, sector=fact.sector,
                    key_group=fact.key_group, training_type=fact.training_type,
                    program=fact.program, value=fact.value, source=source,
                    source_ref=fact.source_ref)
        except IntegrityError:
            return False  # the same source_ref arrived concurrently
        _rollup_increment(fact)
    return True


FACT_COLUMNS = store.FACT_COLUMNS


def actual_facts_add_many(*, actor, source: str, facts: Iterable[FactInput],
                          batch_size: int = 5000) -> int:
    """Insert facts set-based (duplicates by source_ref are skipped), then rebuild the rollup
    for the days they touch. One audit event for the batch. Returns the rows offered."""
    count = 0
    first: dt.date | None = None
    last: dt.date | None = None
    metrics: set[str] = set()
    batch: list[tuple] = []
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    days: dict[dt.date, object] = {}
    with transaction.atomic():
        for fact in facts:
            _check_fact(fact)
            count += 1
            first = fact.day if first is None or fact.day < first else first
            last = fact.day if last is None or fact.day > last else last
            metrics.add(fact.metric)
            day = days.get(fact.day)
            if day is None:
                day = days[fact.day] = ops.adapt_datefield_value(fact.day)
            batch.append((fact.metric, day, fact.region_code, fact.region_code[:6],
                          fact.organization_id,
                          fact.sector, fact.key_group, fact.training_type, fact.program,
                          fact.value, source, fact.source_ref, now))
            if len(batch) >= batch_size:
                store.insert_fact_rows(batch)
                batch = []
        if batch:
            store.insert_fact_rows(batch)
        if first is not None and last is not None:
            rollup_rebuild(start=first, end=last, metrics=sorted(metrics))
        audit.record_bulk_import(actor=actor, entity_type="plans.actualfact", count=count,
                                 source=source)
    return count


# What a SELECT given to actual_facts_insert_select yields, in this order.
FACT_SELECT_COLUMNS = store.FACT_SELECT_COLUMNS


def actual_facts_insert_select(*, actor, source: str, select_sql: str, params: Sequence,
                               first: dt.date, last: dt.date, metrics: Sequence[str]) -> int:
    """Insert the facts a SELECT yields (FACT_SELECT_COLUMNS, dated within [first, last]) in
    one statement, skip those whose source_ref is already recorded, then rebuild the rollup
    for those days. For owners of millions of records (a backfill, the demo); the caller's
    SELECT uses only codes of the vocabulary. One audit event. Returns the facts inserted."""
    unknown = [m for m in metrics if m not in v.METRICS]
    if unknown:
        raise DomainError(_("Unknown metric %(metric)s.") % {"metric": unknown[0]},
                          field="metric")
    with transaction.atomic():
        inserted = store.insert_facts_from_select(source=source, recorded_at=timezone.now(),
                                                  select_sql=select_sql, params=params)
        rollup_rebuild(start=first, end=last, metrics=list(metrics))
        audit.record_bulk_import(actor=actor, entity_type="plans.actualfact", count=inserted,
                                 source=source)
    return inserted


def rollup_rebuild(*, start: dt.date, end: dt.date, metrics: list[str] | None = None,
                   only_cuts: dict | None = None) -> None:
    """Recompute the rollup for the days [start, end] from the facts, set-based (one
    INSERT … SELECT … GROUP BY per level and dimension, and per registered combination of
    cuts). Metric codes and dimension names come from the vocabulary only; dates and cut
    values are parameters. `only_cuts`: rebuild just those combinations (a new plan's)."""
    metrics = [m for m in (metrics or list(v.METRICS)) if m in v.METRICS]
    if not metrics:
        return
    cuts = actuals.registered_cuts() if only_cuts is None else only_cuts
    with transaction.atomic():
        rows = ActualRollup.objects.filter(day__gte=start, day__lte=end, metric__in=metrics)
        if only_cuts is not None:
            rows = rows.filter(dimension="cut", dimension_value__in=list(only_cuts))
        rows.delete()
        store.rollup_insert(start=start, end=end, metrics=metrics,
                            dimensions=actuals.ROLLUP_DIMENSIONS, cuts=cuts,
                            whole=only_cuts is None)

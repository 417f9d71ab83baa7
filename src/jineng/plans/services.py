"""Every write of the plans app: one transaction each, checked, audited.

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
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.plans import actuals
from jineng.plans.choices import (
    ChecklistStatus,
    DecompositionBase,
    DecompositionMethod,
    ReportStatus,
)
from jineng.plans.models import (
    ActualFact,
    ActualRollup,
    ChecklistItem,
    Plan,
    QuarterlyReport,
    QuarterlyReportLine,
    Target,
    TargetAllocation,
)
from jineng.plans.rules import decompose as dec
from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.packs import CheckResult, PackIssue, check_pack
from jineng.plans.rules.quarters import quarter_bounds
from jineng.registry.choices import RegionLevel
from jineng.registry.models import Person, Region
from jineng.registry.services import ensure_governs

# --- messages built from rule codes ----------------------------------------------------------


def issue_message(issue: PackIssue) -> str:
    """A pack issue in the reader's language (templates are msgids of i18n/plans.po)."""
    from jineng.plans.rules.packs import MESSAGES

    text = _(MESSAGES[issue.code]).format(**issue.params)
    return _("line %(line)s: %(message)s") % {"line": issue.line, "message": text} \
        if issue.line else text


class PackInvalid(DomainError):
    """A pack was refused; `issues` holds every problem with its line."""

    def __init__(self, result: CheckResult) -> None:
        self.issues = result.issues
        first = issue_message(result.issues[0]) if result.issues else ""
        super().__init__(
            _("The pack has %(count)s problem(s); the first: %(first)s")
            % {"count": len(result.issues), "first": first}, field="pack", code="invalid_pack")


def decomposition_message(error: dec.DecompositionError) -> str:
    return _(dec.DecompositionError.MESSAGES[error.code]).format(**error.params)


# --- who may write ---------------------------------------------------------------------------

def _is_everything(actor) -> bool:
    return scope_of(actor).everything


def ensure_staff_of(actor, region: Region) -> None:
    """HRSS staff of exactly this region (or a system administrator)."""
    if _is_everything(actor):
        return
    if not getattr(actor, "is_hrss_staff", False) or actor.region_id is None:
        raise Forbidden(_("Only HRSS staff may do this."))
    if actor.region_id != region.pk:
        raise Forbidden(_("Only the staff of %(region)s may do this.") % {"region": region.name})


# --- packs → plans ---------------------------------------------------------------------------

def plan_load_pack(*, actor, text: str, key: str = "", region: Region | None = None,
                   short_title: str = "", is_demo: bool = False) -> Plan:
    """Load a checked pack as a plan (staff governing the plan's region). Sending the same pack
    again returns the plan already loaded; a different pack under the same key is refused.
    `region` (with `key` and `short_title`) re-targets a pack, as the demo does."""
    result = check_pack(text)
    if not result.ok:
        raise PackInvalid(result)
    home = region or Region.objects.filter(code=result.pack.region).first()
    if home is None:
        raise DomainError(_("Unknown region %(code)s.") % {"code": result.pack.region},
                          field="region")
    ensure_governs(actor, home)
    return _create_plan(actor=actor, text=text, result=result, home=home, key=key,
                        short_title=short_title, is_demo=is_demo)


def _create_plan(*, actor, text: str, result: CheckResult, home: Region, key: str,
                 short_title: str, is_demo: bool) -> Plan:
    pack = result.pack
    assert pack is not None
    if home.code != pack.region and any(t.region for t in pack.targets):
        raise DomainError(_("This pack names regions of its own and cannot be moved."),
                          field="region")
    key = key or pack.key
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        existing = Plan.objects.select_for_update().filter(key=key).first()
        if existing is not None:
            if existing.pack_sha256 == digest and existing.region_id == home.pk:
                return existing
            raise Conflict(_("A plan with the key %(key)s is already loaded from a different "
                             "pack.") % {"key": key})
        plan = Plan.objects.create(
            key=key, pack_key=pack.key, title=pack.title,
            short_title=short_title or pack.short_title, issuer=pack.issuer,
            document_number=pack.document_number, issued_on=pack.issued_on,
            source=pack.source, status_note=pack.status_note,
            decomposition_note=pack.decomposition_note, region=home,
            period_start=pack.period_start, period_end=pack.period_end,
            programs={p.key: {"name": p.name, "parent": p.parent, "clause": p.clause}
                      for p in pack.programs},
            reporting_frequency=pack.reporting_frequency, pack_text=text,
            pack_sha256=digest, is_demo=is_demo,
            loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        regions = {r.code: r for r in Region.objects.filter(
            code__in=[t.region for t in pack.targets if t.region])}
        Target.objects.bulk_create([
            Target(plan=plan, key=t.key, position=i, title=t.title, metric=t.metric,
                   kind=t.kind, value=t.value, comparator=t.comparator,
                   period_start=t.period_start, period_end=t.period_end,
                   region=regions.get(t.region), each=t.each, sector=t.sector,
                   key_group=t.key_group, training_type=t.training_type, program=t.program,
                   carrier=t.carrier, part_of=t.part_of, of_which=t.of_which, parts=t.parts,
                   clause=t.clause, quote=t.quote, departments=list(t.departments),
                   brands=list(t.brands), note=t.note, line=t.line)
            for i, t in enumerate(pack.targets)])
        ChecklistItem.objects.bulk_create([
            ChecklistItem(plan=plan, key=c.key, position=i, title=c.title, clause=c.clause,
                          quote=c.quote, value=c.value, unit=c.unit,
                          departments=list(c.departments), brands=list(c.brands), note=c.note)
            for i, c in enumerate(pack.checklist)])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=plan,
                     after={"pack": pack.key, "sha256": digest, "targets": len(pack.targets),
                            "checklist": len(pack.checklist)})
        _rollup_new_cuts(plan)
    return plan


def _rollup_new_cuts(plan: Plan) -> None:
    """A plan whose targets combine cuts (e.g. a program and a training type) gets those
    combinations into the rollup for its period, from the facts already recorded."""
    mine = {}
    for target in plan.targets.all():
        cuts = actuals.query_for_target(plan, target, "", target.period_start,
                                        target.period_end).cuts
        if len(cuts) > 1 and v.METRICS[target.metric].source == "facts":
            mine[actuals.cut_key(cuts)] = cuts
    first = ActualFact.objects.order_by("day").values_list("day", flat=True).first()
    if mine and first is not None:
        last = ActualFact.objects.order_by("-day").values_list("day", flat=True).first()
        rollup_rebuild(start=max(first, plan.period_start),
                       end=min(last, plan.period_end or last), only_cuts=mine)


def checklist_item_update(*, actor, item: ChecklistItem, status: str,
                          note: str = "") -> ChecklistItem:
    if status not in ChecklistStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    ensure_staff_of(actor, item.plan.region)
    with transaction.atomic():
        before = audit.snapshot(item)
        item.status = status
        item.status_note = note
        item.save(update_fields=["status", "status_note", "updated_at"])
        b, a = audit.changed(before, audit.snapshot(item))
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=item, before=b, after=a)
    return item


# --- decomposition ---------------------------------------------------------------------------

def target_value_for(target: Target, region: Region) -> Decimal | None:
    """A target's value for a region: the plan's own value at the plan's region, a rate as
    stated everywhere, else the allocation decided for that region (None if not decided)."""
    if region.pk == target.plan.region_id or target.kind == v.RATE or target.each:
        return target.value
    allocation = TargetAllocation.objects.filter(target=target, region=region).first()
    return allocation.value if allocation else None


def child_regions(region: Region) -> list[Region]:
    level = {RegionLevel.PROVINCE: RegionLevel.CITY,
             RegionLevel.CITY: RegionLevel.COUNTY}.get(region.level)
    if level is None:
        return []
    return list(Region.objects.filter(parent=region, level=level, is_active=True)
                .order_by("code"))


def decomposition_weights(*, target: Target, parent: Region, base: str,
                          custom: Mapping[str, Decimal] | None = None) -> dict[str, Decimal]:
    """The base each child region is weighted by for a proportional split."""
    children = child_regions(parent)
    codes = [c.code for c in children]
    if base == DecompositionBase.CUSTOM:
        custom = custom or {}
        unknown = set(custom) - set(codes)
        if unknown:
            raise DomainError(_("%(code)s is not a region directly below %(parent)s.")
                              % {"code": sorted(unknown)[0], "parent": parent.name},
                              field="weights")
        return {code: Decimal(custom.get(code, 0)) for code in codes}
    if base == DecompositionBase.PERSONS:
        # One grouped count: the regions below one parent share a prefix length.
        prefixes = {c.scope_prefix: c.code for c in children}
        width = len(children[0].scope_prefix) if children else 0
        counts = dict(Person.objects.filter(region__code__startswith=parent.scope_prefix)
                      .annotate(prefix=Substr("region__code", 1, width))
                      .values_list("prefix").annotate(n=Count("id")))
        return {code: Decimal(counts.get(prefix, 0)) for prefix, code in prefixes.items()}
    if base == DecompositionBase.LAST_YEAR:
        year = target.period_start.year - 1
        queries = [actuals.ActualQuery(
            metric=target.metric, region_code=code, start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31), sector=target.sector, key_group=target.key_group,
            training_type=target.training_type,
            programs=target.plan.program_family(target.program) if target.program else ())
            for code in codes]
        answers = actuals.actuals(queries)
        return {code: (a.value or Decimal(0)) for code, a in zip(codes, answers, strict=True)}
    if base == "counties":
        counts = dict(Region.objects.filter(parent__in=children, is_active=True)
                      .values_list("parent__code").annotate(n=Count("id")))
        return {code: Decimal(counts.get(code, 0)) for code in codes}
    raise DomainError(_("Unknown base."), field="base")


@dataclass(frozen=True)
class DecompositionInput:
    method: str  # manual | proportional | equal
    shares: Mapping[str, Decimal] | None = None  # manual: region code → value
    base: str = ""  # proportional: last_year | persons | counties | custom
    weights: Mapping[str, Decimal] | None = None  # custom base values


def target_decompose(*, actor, target: Target, parent: Region,
                     data: DecompositionInput) -> list[TargetAllocation]:
    """Split a target's value for `parent` among the regions directly below it. Province staff
    split to cities, city staff to counties. Shares that do not add up are refused with the
    difference; a new split replaces the old one and clears the splits below it."""
    ensure_staff_of(actor, parent)
    if not target.plan.region.contains(parent):
        raise NotFound()
    if not target.is_decomposable:
        raise DomainError(_("Only count targets are split among regions; rates apply as "
                            "stated to every region."), field="target")
    whole = target_value_for(target, parent)
    if whole is None:
        raise DomainError(_("Split the target for %(region)s first.")
                          % {"region": parent.name}, field="parent")
    children = child_regions(parent)
    codes = [c.code for c in children]
    weights: dict[str, Decimal] = {}
    try:
        if data.method == DecompositionMethod.MANUAL:
            split = dec.check_manual(int(whole), data.shares or {}, codes)
        elif data.method == DecompositionMethod.EQUAL:
            split = dec.equal_split(int(whole), codes)
        elif data.method == DecompositionMethod.PROPORTIONAL:
            weights = decomposition_weights(target=target, parent=parent, base=data.base,
                                            custom=data.weights)
            split = dec.largest_remainder(int(whole), weights)
        else:
            raise DomainError(_("Unknown method."), field="method")
    except dec.DecompositionError as exc:
        raise DomainError(decomposition_message(exc), field="shares", code=exc.code) from exc
    return _apply_split(actor=actor, target=target, parent=parent, children=children,
                        split=split, method=data.method, base=data.base, weights=weights)


def _apply_split(*, actor, target: Target, parent: Region, children: list[Region],
                 split: dec.Split, method: str, base: str,
                 weights: Mapping[str, Decimal]) -> list[TargetAllocation]:
    by_code = {c.code: c for c in children}
    with transaction.atomic():
        old = dict(TargetAllocation.objects.filter(target=target, parent_region=parent)
                   .values_list("region__code", "value"))
        changed = [code for code, value in split.shares.items()
                   if old.get(code) is None or Decimal(old[code]) != Decimal(value)]
        cleared = 0
        if changed:
            cleared, _x = TargetAllocation.objects.filter(
                target=target, parent_region__code__in=changed).delete()
        TargetAllocation.objects.filter(target=target, parent_region=parent).delete()
        user = actor if getattr(actor, "is_authenticated", False) else None
        rows = TargetAllocation.objects.bulk_create([
            TargetAllocation(target=target, region=by_code[code], parent_region=parent,
                             value=Decimal(value), method=method, base=base,
                             weight=weights.get(code), decided_by=user)
            for code, value in split.shares.items()])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=target,
                     region_code=parent.code, label=f"{target.title} → {parent.name}",
                     before={"shares": {k: str(x) for k, x in old.items()}},
                     after={"shares": dict(split.shares), "method": method, "base": base,
                            "cleared_below": cleared})
    return rows


def plan_decompose_all(*, actor, plan: Plan, parent: Region, method: str,
                       base: str = "", weights: Mapping[str, Decimal] | None = None) -> int:
    """Split every count target of the plan for `parent` the same way (not by hand)."""
    if method == DecompositionMethod.MANUAL:
        raise DomainError(_("Split targets by hand one at a time."), field="method")
    count = 0
    with transaction.atomic():
        for target in plan.targets.all():
            if target.is_decomposable and target_value_for(target, parent) is not None:
                target_decompose(actor=actor, target=target, parent=parent,
                                 data=DecompositionInput(method=method, base=base,
                                                         weights=weights))
                count += 1
    return count


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


FACT_COLUMNS = ("metric", "day", "region_code", "county_code", "organization_id", "sector",
                "key_group", "training_type", "program", "value", "source", "source_ref",
                "recorded_at")


def _insert_facts(rows: list[tuple]) -> None:
    """Plain INSERTs (executemany): hundreds of thousands of facts without model instances.
    A source_ref already recorded is skipped (ON CONFLICT DO NOTHING, SQLite and PostgreSQL)."""
    qn = connection.ops.quote_name
    sql = (f"INSERT INTO {qn(ActualFact._meta.db_table)} "
           f"({', '.join(qn(c) for c in FACT_COLUMNS)}) "
           f"VALUES ({', '.join(['%s'] * len(FACT_COLUMNS))}) ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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
                _insert_facts(batch)
                batch = []
        if batch:
            _insert_facts(batch)
        if first is not None and last is not None:
            rollup_rebuild(start=first, end=last, metrics=sorted(metrics))
        audit.record_bulk_import(actor=actor, entity_type="plans.actualfact", count=count,
                                 source=source)
    return count


# What a SELECT given to actual_facts_insert_select yields, in this order.
FACT_SELECT_COLUMNS = ("metric", "day", "region_code", "county_code", "organization_id",
                       "sector", "key_group", "training_type", "program", "value", "source_ref")


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
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in (*FACT_SELECT_COLUMNS, "source", "recorded_at"))
    picked = ", ".join(f"s.{qn(c)}" for c in FACT_SELECT_COLUMNS)
    # "WHERE 1 = 1": SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT.
    sql = (f"INSERT INTO {qn(ActualFact._meta.db_table)} ({columns}) "
           f"SELECT {picked}, %s, %s FROM ({select_sql}) s WHERE 1 = 1 ON CONFLICT DO NOTHING")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [source, now, *params])  # in the order they appear
            inserted = max(cursor.rowcount, 0)
        rollup_rebuild(start=first, end=last, metrics=list(metrics))
        audit.record_bulk_import(actor=actor, entity_type="plans.actualfact", count=inserted,
                                 source=source)
    return inserted


def _rollup_sql(level: str, dim: str) -> str:
    fact = ActualFact._meta.db_table
    rollup = ActualRollup._meta.db_table
    code_len, parent_len = {"county": (6, 4), "city": (4, 2), "province": (2, 0)}[level]
    code = f"substr(region_code, 1, {code_len})" + {6: "", 4: " || '00'", 2: " || '0000'"}[
        code_len]
    parent = "''" if parent_len == 0 else f"substr(region_code, 1, {parent_len})" + {
        4: " || '00'", 2: " || '0000'"}[parent_len]
    dim_col, dim_value = ("''", "''") if not dim else (f"'{dim}'", dim)
    group = f"metric, day, {code}" + ("" if parent_len == 0 else f", {parent}") + (
        f", {dim}" if dim else "")
    where = "day >= %s AND day <= %s" + (f" AND {dim} <> ''" if dim else "")
    return (
        f"INSERT INTO {rollup} (metric, day, level, region_code, parent_code, dimension, "
        f"dimension_value, value) "
        f"SELECT metric, day, '{level}', {code}, {parent}, {dim_col}, {dim_value}, SUM(value) "
        f"FROM {fact} WHERE {where} {{metrics}} GROUP BY {group}")


def _rollup_cut_sql(level: str, cuts: list[tuple[str, tuple[str, ...]]]) -> str:
    """Rows of one registered combination of cuts (dimension "cut") at a level."""
    base = _rollup_sql(level, "")
    base = base.replace("'', '', SUM(value)", "'cut', %s, SUM(value)")
    conditions = "".join(
        f" AND {name} IN ({', '.join(['%s'] * len(values))})" for name, values in cuts
        if name in actuals.ROLLUP_DIMENSIONS)
    return base.replace(" {metrics} ", " {metrics}" + conditions + " ")


def rollup_rebuild(*, start: dt.date, end: dt.date, metrics: list[str] | None = None,
                   only_cuts: dict | None = None) -> None:
    """Recompute the rollup for the days [start, end] from the facts, set-based (one
    INSERT … SELECT … GROUP BY per level and dimension, and per registered combination of
    cuts). Metric codes and dimension names come from the vocabulary only; dates and cut
    values are parameters. `only_cuts`: rebuild just those combinations (a new plan's)."""
    metrics = [m for m in (metrics or list(v.METRICS)) if m in v.METRICS]
    if not metrics:
        return
    metric_sql = "AND metric IN (" + ", ".join(f"'{m}'" for m in metrics) + ")"
    cuts = actuals.registered_cuts() if only_cuts is None else only_cuts
    with transaction.atomic():
        rows = ActualRollup.objects.filter(day__gte=start, day__lte=end, metric__in=metrics)
        if only_cuts is not None:
            rows = rows.filter(dimension="cut", dimension_value__in=list(only_cuts))
        rows.delete()
        with connection.cursor() as cursor:
            for level in ("county", "city", "province"):
                if only_cuts is not None:
                    break
                dims = [""] if level == "county" else ["", *actuals.ROLLUP_DIMENSIONS]
                for dim in dims:
                    cursor.execute(_rollup_sql(level, dim).format(metrics=metric_sql),
                                   [start, end])
            for key, combination in cuts.items():
                values = [value for name, vals in combination
                          if name in actuals.ROLLUP_DIMENSIONS for value in vals]
                for level in ("city", "province"):
                    cursor.execute(_rollup_cut_sql(level, combination).format(
                        metrics=metric_sql), [key, start, end, *values])


# --- quarterly reports -----------------------------------------------------------------------

def _report_targets(plan: Plan, department: str) -> list[Target]:
    targets = [t for t in plan.targets.all() if not t.each]
    if department:
        targets = [t for t in targets if department in t.departments]
    return targets


def plan_departments(plan: Plan) -> list[str]:
    seen: dict[str, None] = {}
    for target in plan.targets.all():
        for name in target.departments:
            seen.setdefault(name, None)
    return list(seen)


def _ensure_reporter(actor, plan: Plan, region: Region, department: str) -> None:
    if _is_everything(actor):
        return
    if department:
        from jineng.accounts.models import Role

        if actor.region_id != plan.region_id or actor.role not in {
                Role.INDUSTRY_STAFF, Role.PROVINCE_STAFF, Role.CITY_STAFF}:
            raise Forbidden(_("Department reports are filed by the departments of %(region)s.")
                            % {"region": plan.region.name})
        return
    ensure_staff_of(actor, region)


def _ensure_reviewer(actor, report: QuarterlyReport) -> None:
    if _is_everything(actor):
        return
    ensure_governs(actor, report.region)
    own_region = actor.region_id == report.region_id
    if own_region and not report.department:
        raise Forbidden(_("A report is reviewed by the level above the one that files it."))
    if report.submitted_by_id and report.submitted_by_id == actor.pk:
        raise Forbidden(_("You may not review a report you submitted."))


def may_edit_report(actor, report: QuarterlyReport) -> bool:
    try:
        _ensure_reporter(actor, report.plan, report.region, report.department)
    except DomainError:
        return False
    return report.is_editable


def may_review_report(actor, report: QuarterlyReport) -> bool:
    try:
        _ensure_reviewer(actor, report)
    except DomainError:
        return False
    return report.status == ReportStatus.SUBMITTED


def prefill_figures(*, plan: Plan, region: Region, targets: list[Target], year: int,
                    quarter: int) -> dict[int, tuple[Decimal | None, Decimal | None]]:
    """jineng's own figures for each target: (this quarter, cumulative to quarter end)."""
    q_start, q_end = quarter_bounds(year, quarter)
    queries: list[actuals.ActualQuery] = []
    for t in targets:
        programs = plan.program_family(t.program) if t.program else ()
        common = {"metric": t.metric, "region_code": region.code, "sector": t.sector,
                  "key_group": t.key_group, "training_type": t.training_type,
                  "programs": programs, "carrier": t.carrier}
        queries.append(actuals.ActualQuery(start=max(q_start, t.period_start),
                                           end=min(q_end, t.period_end), **common))
        queries.append(actuals.ActualQuery(start=t.period_start, end=min(q_end, t.period_end),
                                           **common))
    answers = actuals.actuals(queries)
    out = {}
    for i, t in enumerate(targets):
        quarter_a, cumulative_a = answers[2 * i], answers[2 * i + 1]
        if quarter_a.source != "facts":
            out[t.pk] = (None, None)  # reported metrics are filled in by hand
        else:
            out[t.pk] = (quarter_a.value, cumulative_a.value)
    return out


def report_prepare(*, actor, plan: Plan, region: Region, year: int, quarter: int,
                   department: str = "") -> QuarterlyReport:
    """A draft report pre-filled from jineng. Asking again returns the same report."""
    if quarter not in (1, 2, 3, 4):
        raise DomainError(_("A quarter is 1 to 4."), field="quarter")
    q_start, q_end = quarter_bounds(year, quarter)
    if q_end < plan.period_start or (plan.period_end and q_start > plan.period_end):
        raise DomainError(_("That quarter is outside the plan's period."), field="quarter")
    if not plan.region.contains(region):
        raise NotFound()
    if department and department not in plan_departments(plan):
        raise DomainError(_("No target of this plan names the department %(name)s.")
                          % {"name": department}, field="department")
    _ensure_reporter(actor, plan, region, department)
    return _create_report(actor=actor, plan=plan, region=region, year=year, quarter=quarter,
                          department=department)


def _create_report(*, actor, plan: Plan, region: Region, year: int, quarter: int,
                   department: str) -> QuarterlyReport:
    with transaction.atomic():
        report, created = QuarterlyReport.objects.get_or_create(
            plan=plan, region=region, department=department, year=year, quarter=quarter,
            defaults={"prepared_by": actor if getattr(actor, "is_authenticated", False)
                      else None})
        if not created:
            return report
        targets = _report_targets(plan, department)
        figures = prefill_figures(plan=plan, region=region if not department else plan.region,
                                  targets=targets, year=year, quarter=quarter)
        QuarterlyReportLine.objects.bulk_create([
            QuarterlyReportLine(
                report=report, target=t, target_value=target_value_for(t, region),
                prefilled_quarter=figures[t.pk][0], prefilled_cumulative=figures[t.pk][1],
                reported_quarter=figures[t.pk][0], reported_cumulative=figures[t.pk][1])
            for t in targets])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=report,
                     after={"lines": len(targets), "year": year, "quarter": quarter})
    return report


@dataclass(frozen=True)
class LineInput:
    reported_quarter: Decimal | None
    reported_cumulative: Decimal | None
    comment: str = ""


def report_update(*, actor, report: QuarterlyReport, lines: Mapping[int, LineInput],
                  summary: str | None = None) -> QuarterlyReport:
    """Change the reported figures and comments of a draft (or returned) report."""
    _ensure_reporter(actor, report.plan, report.region, report.department)
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
        if not report.is_editable:
            raise Conflict(_("Only a draft or returned report can be changed."))
        by_id = {line.pk: line for line in report.lines.all()}
        changes = {}
        for line_id, data in lines.items():
            line = by_id.get(line_id)
            if line is None:
                raise DomainError(_("Unknown report line."), field=f"line-{line_id}")
            for name in ("reported_quarter", "reported_cumulative"):
                value = getattr(data, name)
                if value is not None and value < 0:
                    raise DomainError(_("A figure cannot be negative."),
                                      field=f"line-{line_id}-{name}")
            new = (data.reported_quarter, data.reported_cumulative, data.comment.strip())
            old = (line.reported_quarter, line.reported_cumulative, line.comment)
            if new != old:
                (line.reported_quarter, line.reported_cumulative, line.comment) = new
                line.save(update_fields=["reported_quarter", "reported_cumulative",
                                         "comment"])
                changes[line.target.key] = [str(x) if x is not None else None for x in new]
        if summary is not None and summary != report.summary:
            report.summary = summary
            changes["summary"] = summary
        report.save(update_fields=["summary", "updated_at"])
        if changes:
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=report,
                         after=changes)
    return report


def _transition(*, actor, report: QuarterlyReport, allowed: set[str], to: str,
                reason: str = "", **fields) -> QuarterlyReport:
    with transaction.atomic():
        locked = QuarterlyReport.objects.select_for_update().get(pk=report.pk)
        if locked.status not in allowed:
            raise Conflict(_("The report is %(status)s and cannot be changed this way.")
                           % {"status": locked.get_status_display()})
        before = locked.status
        locked.status = to
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=locked,
                     before={"status": before}, after={"status": to}, reason=reason)
    return locked


def report_submit(*, actor, report: QuarterlyReport) -> QuarterlyReport:
    _ensure_reporter(actor, report.plan, report.region, report.department)
    missing = [line.target.title for line in report.lines.select_related("target")
               if line.reported_quarter is None and not line.comment.strip()]
    if missing:
        raise DomainError(_("Give a figure or a comment for: %(items)s.")
                          % {"items": "、".join(missing[:5])}, field="lines")
    return _transition(actor=actor, report=report,
                       allowed={ReportStatus.DRAFT, ReportStatus.RETURNED},
                       to=ReportStatus.SUBMITTED, submitted_at=timezone.now(),
                       submitted_by=actor if getattr(actor, "is_authenticated", False)
                       else None)


def report_review(*, actor, report: QuarterlyReport, approve: bool,
                  comment: str = "") -> QuarterlyReport:
    """The level above accepts a submitted report, or returns it with a comment."""
    _ensure_reviewer(actor, report)
    if not approve and not comment.strip():
        raise DomainError(_("Say why the report is returned."), field="comment")
    return _transition(
        actor=actor, report=report, allowed={ReportStatus.SUBMITTED},
        to=ReportStatus.REVIEWED if approve else ReportStatus.RETURNED, reason=comment,
        review_comment=comment.strip(), reviewed_at=timezone.now(),
        reviewed_by=actor if getattr(actor, "is_authenticated", False) else None)


def report_export_recorded(*, actor, report: QuarterlyReport | None, fmt: str,
                           label: str = "", region_code: str = "") -> None:
    """Exports are audited (they leave the system)."""
    audit.record(actor=actor, action=AuditAction.EXPORT, instance=report,
                 entity_type="plans.quarterlyreport" if report is None else "",
                 label=label, region_code=region_code, after={"format": fmt})

"""Splitting a plan's targets among the regions below (province → cities → counties)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import DomainError, NotFound
from jineng.core.models import AuditAction
from jineng.plans import actuals
from jineng.plans.choices import (
    DecompositionBase,
    DecompositionMethod,
)
from jineng.plans.models import (
    Plan,
    Target,
    TargetAllocation,
)
from jineng.plans.rules import decompose as dec
from jineng.plans.rules import vocabulary as v
from jineng.plans.services.access import ensure_staff_of
from jineng.plans.services.checks import check_decimal
from jineng.registry.choices import RegionLevel
from jineng.registry.models import Person, Region


def decomposition_message(error: dec.DecompositionError) -> str:
    return _(dec.DecompositionError.MESSAGES[error.code]).format(**error.params)


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
    names = {c.code: c.name for c in children}
    for column, given in (("value", data.shares), ("weight", data.weights)):
        for code, value in (given or {}).items():
            label = TargetAllocation._meta.get_field(column).verbose_name
            check_decimal(value, model=TargetAllocation, column=column,
                          field=f"{'share' if column == 'value' else 'weight'}-{code}",
                          label=f"{names.get(code, code)} · {label}", allow_negative=False)
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



"""Writes made by the system rather than a person (the demo builder, a province's set-up
scripts): the same steps the staff services take, without a user to check, audited as the
system (actor None). They take no `actor`, so no user-facing path can reach them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core.errors import DomainError
from jineng.plans.choices import DecompositionMethod, ReportStatus
from jineng.plans.models import ActualFact, Plan, QuarterlyReport
from jineng.plans.rules import decompose as dec
from jineng.plans.rules.packs import check_pack, read_shipped
from jineng.plans.services.decomposition import _apply_split, child_regions, target_value_for
from jineng.plans.services.facts import rollup_rebuild
from jineng.plans.services.packs import PackInvalid, _create_plan
from jineng.plans.services.reports import _create_report, _transition
from jineng.registry.models import Region


def plan_install_shipped(*, pack: str, region: Region, key: str, short_title: str = "",
                         is_demo: bool = False) -> Plan:
    """Load one of the packs shipped with jineng as a plan of `region` (e.g. the demo
    province runs Guizhou's pack)."""
    text = read_shipped(pack)
    result = check_pack(text)
    if not result.ok:
        raise PackInvalid(result)
    return _create_plan(actor=None, text=text, result=result, home=region, key=key,
                        short_title=short_title, is_demo=is_demo)


def target_split_system(*, target, parent: Region, method: str,
                        weights: Mapping[str, Decimal] | None = None) -> dict[str, int]:
    """Split a count target's value for `parent` among the regions below it (proportional to
    `weights`, or equal). Returns region code → share."""
    whole = target_value_for(target, parent)
    children = child_regions(parent)
    if whole is None or not target.is_decomposable or not children:
        return {}
    if method == DecompositionMethod.PROPORTIONAL:
        weights = dict(weights or {})
        split = dec.largest_remainder(int(whole), weights)
        base = "custom"
    elif method == DecompositionMethod.EQUAL:
        weights, base = {}, ""
        split = dec.equal_split(int(whole), [c.code for c in children])
    else:
        raise DomainError(_("Unknown method."), field="method")
    _apply_split(actor=None, target=target, parent=parent, children=children, split=split,
                 method=method, base=base, weights=weights)
    return dict(split.shares)


def report_prepare_system(*, plan: Plan, region: Region, year: int, quarter: int,
                          first_comment: str = "") -> QuarterlyReport:
    """A region's draft report, pre-filled as staff would get it; `first_comment` on the
    first target's line."""
    report = _create_report(actor=None, plan=plan, region=region, year=year, quarter=quarter,
                            department="")
    if first_comment:
        report.lines.filter(pk__in=report.lines.order_by("target__position").values("pk")[:1]
                            ).update(comment=first_comment)
    return report


def report_move_system(*, report: QuarterlyReport, to: str, comment: str = "",
                       at: dt.datetime | None = None) -> QuarterlyReport:
    """Submit a draft (to=submitted), or review a submitted report (reviewed / returned)."""
    at = at or timezone.now()
    if to == ReportStatus.SUBMITTED:
        return _transition(actor=None, report=report, allowed={ReportStatus.DRAFT},
                           to=to, submitted_at=at)
    return _transition(actor=None, report=report, allowed={ReportStatus.SUBMITTED}, to=to,
                       reason=comment, review_comment=comment, reviewed_at=at)


def actual_facts_remove(*, source: str) -> int:
    """Remove the facts of one (demo) source and rebuild the rollup over the days they
    covered (call before removing the organizations they point at)."""
    with transaction.atomic():
        facts = ActualFact.objects.filter(source=source)
        first = facts.order_by("day").values_list("day", flat=True).first()
        last = facts.order_by("-day").values_list("day", flat=True).first()
        n_facts, _ = facts.delete()
        if first and last:
            rollup_rebuild(start=first, end=last)
    return n_facts


def demo_plans_remove() -> int:
    """Remove every demo plan (with its targets, allocations and reports)."""
    with transaction.atomic():
        plans = Plan.objects.filter(is_demo=True)
        n_plans = plans.count()
        plans.delete()
    return n_plans

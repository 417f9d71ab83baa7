"""Who may write in plans: the services' side of `plans.rules.permissions` (the facts of a
user and a region as the rules see them, refusals translated and raised as Forbidden). Views
and templates ask the same rules through `may(...)`, so they offer only what will succeed."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from jineng.core.errors import Forbidden
from jineng.core.scoping import scope_of
from jineng.plans.actors import actor_facts, place
from jineng.plans.rules import permissions as rules
from jineng.registry.models import Region


def enforce(check: Callable, *args, **kwargs) -> None:
    """Run an `ensure_*` rule; its refusal becomes a Forbidden in the reader's language."""
    try:
        check(*args, **kwargs)
    except rules.Refused as refused:
        raise Forbidden(_(refused.template) % refused.params) from refused


def _is_everything(actor) -> bool:
    return scope_of(actor).everything


def ensure_staff_of(actor, region: Region) -> None:
    """HRSS staff of exactly this region (or a system administrator)."""
    enforce(rules.ensure_staff_of, actor_facts(actor), place(region))


def ensure_governs(actor, region: Region) -> None:
    """HRSS staff whose subtree holds the region (or a system administrator)."""
    enforce(rules.ensure_governs, actor_facts(actor), place(region))


# --- what pages offer (the same rules the services enforce) ------------------------------------

def may_see_region(actor, region: Region) -> bool:
    return rules.may_see_region(actor_facts(actor), region.code)


def may_edit_checklist(actor, plan) -> bool:
    return rules.may_edit_checklist(actor_facts(actor), place(plan.region))


def may_decompose(actor, parent: Region) -> bool:
    return rules.may_decompose(actor_facts(actor), place(parent))


def may_load_packs(actor) -> bool:
    return rules.may_load_packs(actor_facts(actor))


def may_prepare_report(actor, plan, region: Region, *, department: str | None = None) -> bool:
    """Whether the actor may prepare a report for `region`: its own (department ""), a
    department's (at the plan's region), or either (department None)."""
    facts, plan_region = actor_facts(actor), place(plan.region)
    if department is None:
        return rules.may_prepare_report(facts, plan_region=plan_region, region=place(region))
    if department and region.pk != plan.region_id:
        return False
    return rules.may_file_report(facts, plan_region=plan_region, region=place(region),
                                 department=department)

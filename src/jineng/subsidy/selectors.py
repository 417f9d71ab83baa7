"""Every read of the subsidy app, starting from `Model.objects.visible_to(actor)`: HRSS staff
see their region's subtree (claims, budgets, batches); an institution or enterprise sees the
claims it filed; published parameter sets are public. Out of scope answers like missing."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.core.errors import NotFound
from jineng.subsidy import messages
from jineng.subsidy.models import (
    Budget,
    ClaimStatusChange,
    ParameterSet,
    PaymentBatch,
    PaymentItem,
    SubsidyClaim,
)
from jineng.subsidy.rules import lifecycle as lc
from jineng.subsidy.rules.types import Step
from jineng.subsidy.services.claims import actor_kinds

__all__ = ["available_claim_actions", "batch_get", "batch_items", "batch_list", "budget_list",
           "claim_get", "claim_history", "claim_list", "explained_steps", "parameter_set_get",
           "parameter_set_list"]

CLAIM_RELATED = ("region", "organization", "person", "occupation", "level", "budget")


def claim_list(*, actor, status: str = "", kind: str = "", class_id: int | None = None,
               ) -> QuerySet[SubsidyClaim]:
    qs = SubsidyClaim.objects.visible_to(actor).select_related(*CLAIM_RELATED)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if class_id is not None:
        qs = qs.filter(training_class_id=class_id)
    return qs.order_by("-created_at", "-id")


def claim_get(*, actor, pk: int) -> SubsidyClaim:
    found = SubsidyClaim.objects.visible_to(actor).select_related(*CLAIM_RELATED) \
        .filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def claim_history(*, actor, claim: SubsidyClaim) -> QuerySet[ClaimStatusChange]:
    return ClaimStatusChange.objects.visible_to(actor).filter(claim=claim).order_by("at", "id")


def available_claim_actions(*, actor, claim: SubsidyClaim) -> list[str]:
    """The buttons a claim's page shows the actor (the lifecycle's actions, and
    `reevaluate` for a claim the rules refused, to HRSS staff over its region)."""
    from jineng.subsidy.services.reevaluation import may_reevaluate

    actions = lc.available_actions(claim.status, actor_kinds(actor, claim),
                                   city_review=claim.needs_city_review)
    if may_reevaluate(actor, claim):
        actions.append("reevaluate")
    return actions


def explained_steps(claim: SubsidyClaim) -> list[dict]:
    """The stored steps of a claim's computation, each with its sentence."""
    out = []
    for step in claim.steps or []:
        again = Step(rule=step.get("rule", ""), parameter=step.get("parameter", ""),
                     value=str(step.get("value", "")), code=step.get("code", ""),
                     params=step.get("params") or {}, source=step.get("source", ""))
        out.append({**step, "explanation": messages.explain_step(again)})
    return out


def budget_list(*, actor, year: int | None = None) -> QuerySet[Budget]:
    qs = Budget.objects.visible_to(actor).select_related("region").with_balances()
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "region__code", "source")


def parameter_set_list(*, actor) -> QuerySet[ParameterSet]:
    return ParameterSet.objects.visible_to(actor).select_related("region") \
        .order_by("region__code", "-valid_from", "-id")


def parameter_set_get(*, actor, pk: int) -> ParameterSet:
    found = ParameterSet.objects.visible_to(actor).select_related("region").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def batch_list(*, actor) -> QuerySet[PaymentBatch]:
    return PaymentBatch.objects.visible_to(actor).select_related("region") \
        .order_by("-created_at", "-id")


def batch_get(*, actor, pk: int) -> PaymentBatch:
    found = PaymentBatch.objects.visible_to(actor).select_related("region").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def batch_items(*, actor, batch: PaymentBatch) -> QuerySet[PaymentItem]:
    batch_get(actor=actor, pk=batch.pk)
    return PaymentItem.objects.filter(batch=batch).select_related("claim").order_by("pk")

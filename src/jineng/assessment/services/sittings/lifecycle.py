"""A sitting's status steps (rules.sitting_lifecycle), the sitting locked, each step kept."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from jineng.assessment import access
from jineng.assessment.models import (
    AssessmentSitting,
    SittingStatusChange,
)
from jineng.assessment.rules import sitting_lifecycle as lc
from jineng.assessment.selectors import sittings as selectors
from jineng.assessment.services import class_step
from jineng.assessment.services.sittings.declaring import (
    REASON_MAX,
    _check_second,
    _listing,
    _primary_item,
)
from jineng.core import audit
from jineng.core.errors import DomainError, Forbidden
from jineng.core.history import record_transition
from jineng.core.models import AuditAction
from jineng.training import selectors as training_selectors

# --- the lifecycle ---------------------------------------------------------------------------

def _lock(pk: int) -> AssessmentSitting:
    return (AssessmentSitting.objects.select_for_update(of=("self",))
            .select_related("region", "evaluator", "occupation", "level", "training_class")
            .get(pk=pk))


def _transition_error(refused: lc.TransitionRefused, sitting: AssessmentSitting) -> DomainError:
    if refused.code == "not_permitted":
        return Forbidden(_("You may not take this step on this sitting."))
    if refused.code == "reason_required":
        return DomainError(_("Give a reason."), field="reason", code="reason_required")
    if refused.code == "unknown_action":
        return DomainError(_("Unknown action."), field="action", code="unknown_action")
    return DomainError(_("This step cannot be taken while the sitting is %(status)s.")
                       % {"status": sitting.get_status_display()}, field="status",
                       code="not_allowed_from")


def sitting_step(sitting: AssessmentSitting, action: str, *, kinds: Iterable[str], user,
                 reason: str = "", note: dict | None = None) -> str:
    """Apply one lifecycle step to a sitting the caller has LOCKED, inside the caller's
    transaction: plan it (rules.sitting_lifecycle), save the status and keep the history
    entry. No audit event: the caller writes its own (the results area's `record_results`,
    issuance's `close`). Raises the DomainError of a refused step. Returns the new status."""
    try:
        target = lc.plan_transition(action, sitting.status, frozenset(kinds), reason)
    except lc.TransitionRefused as refused:
        raise _transition_error(refused, sitting) from None
    before = sitting.status
    sitting.status = target
    sitting.save(update_fields=["status"])
    record_transition(SittingStatusChange, subject_field="sitting", subject=sitting,
                      actor=user, action=action, from_status=before, to_status=target,
                      reason=reason, note=note)
    return target


def sitting_transition(*, actor, sitting: AssessmentSitting, action: str,
                       reason: str = "") -> AssessmentSitting:
    """Take a manual step: approve, return (with a reason), resubmit, cancel (with a reason;
    HRSS staff alone once the results are in: cancel_results).
    Approving and resubmitting check again that the evaluator is listed on the sitting date.
    `record_results` and `close` are the results' and issuance's steps, not buttons."""
    visible = selectors.sitting_get(actor=actor, pk=sitting.pk)
    if action not in lc.MANUAL_ACTIONS:
        if action in lc.TRANSITIONS:
            raise DomainError(_("This step is taken by the app when results are recorded or "
                                "certificates issued."), field="action", code="not_by_hand")
        raise DomainError(_("Unknown action."), field="action", code="unknown_action")
    if len(reason) > REASON_MAX:
        raise DomainError(_("At most %(n)s characters.") % {"n": REASON_MAX}, field="reason",
                          code="too_long")
    cancelling = lc.TRANSITIONS[action].target == lc.CANCELLED
    with transaction.atomic():
        if cancelling and visible.training_class_id:
            # Lock order of the class step: the class, then the sitting.
            training_selectors.class_lock(visible.training_class_id)
        locked = _lock(visible.pk)
        kinds = access.sitting_kinds(actor, locked)
        before = locked.status
        try:
            lc.plan_transition(action, locked.status, kinds, reason)
        except lc.TransitionRefused as refused:
            raise _transition_error(refused, locked) from None
        note = None
        if action in ("approve", "resubmit"):
            listing = _listing(locked.evaluator, locked.occupation, locked.level,
                               locked.sitting_date, _primary_item(locked))
            _check_second(locked.evaluator, locked.occupation, locked.level,
                          locked.special_ability_item, locked.sitting_date,
                          locked.second_certificate_kind)
            if listing.version_id != locked.listing_version_id:
                locked.listing_version_id = listing.version_id
                locked.save(update_fields=["listing_version_id"])
            note = {"listing_version_id": listing.version_id}
        target = sitting_step(locked, action, kinds=kinds, user=actor, reason=reason.strip(),
                              note=note)
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=locked,
                     before={"status": before}, after={"status": target, "action": action},
                     reason=reason.strip())
        if cancelling:
            # The cancelled sitting may have been the class's last open one: the class is
            # assessed by its closed sittings, never by this one (services.class_step).
            class_step.assess_class_if_done(actor, locked.training_class_id)
    return locked

"""Who may act on the assessment app's records, for a Django user: `rules.permissions` (pure)
asked with the user's facts, its refusals turned into translated `core.errors`.

Services call `ensure_*`; pages and the API ask `may_*` through `facts_of` / `sitting_kinds`.
A sitting (or certificate) the actor cannot see is NotFound before any of this is asked.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from jineng.assessment.rules import permissions as perms
from jineng.assessment.rules import sitting_lifecycle as lc
from jineng.core.errors import DomainError, Forbidden
from jineng.core.scoping import scope_of


def facts_of(actor) -> perms.ActorFacts:
    """A user (or None / anonymous) as the plain facts the permission rules read."""
    scope = scope_of(actor)
    return perms.ActorFacts(
        role=str(getattr(actor, "role", "") or ""),
        organization_id=scope.organization_id,
        is_hrss_staff=bool(getattr(actor, "is_hrss_staff", False)),
        region_prefix=scope.region_prefix,
        everything=scope.everything,
        sees_persons=scope.sees_persons,
    )


def sitting_kinds(actor, sitting) -> frozenset[str]:
    """The lifecycle roles (sitting_lifecycle.EVALUATOR / HRSS) the actor holds for a
    sitting."""
    return perms.kinds_for(facts_of(actor), region_code=sitting.region.code,
                           evaluator_id=sitting.evaluator_id)


MESSAGES: dict[str, Callable[[], str]] = {
    "not_assessor": lambda: _("Only an evaluation institution's operators may do this."),
    "not_hrss": lambda: _("Only HRSS staff of the sitting's region may do this."),
    "not_evaluator": lambda: _("Only the sitting's evaluator may do this."),
    "roster_closed": lambda: _("Candidates and examiners can no longer change: the sitting is "
                               "past approval."),
    "not_approved": lambda: _("Results are entered only for an approved sitting."),
    "no_results": lambda: _("Certificates are issued only once the sitting's results are "
                            "recorded."),
    "approval_closed": lambda: _("Direct recognitions are approved until the sitting's "
                                 "certificates are issued."),
    "not_permitted": lambda: _("You may not do this."),
}


def _raise(refused: perms.Refused) -> None:
    message = MESSAGES.get(refused.code, MESSAGES["not_permitted"])()
    if refused.forbidden:
        raise Forbidden(message) from None
    raise DomainError(message, field="status", code=refused.code) from None


def _guard(check: Callable[[], None]) -> None:
    try:
        check()
    except perms.Refused as refused:
        _raise(refused)


def ensure_declare(actor) -> None:
    _guard(lambda: perms.ensure_declare(facts_of(actor)))


def ensure_review(actor) -> None:
    _guard(lambda: perms.ensure_review(facts_of(actor)))


def ensure_roster(actor, sitting) -> None:
    """The sitting's evaluator, while candidates and examiners may still change. Ask with the
    sitting locked."""
    _guard(lambda: perms.ensure_roster(sitting.status, sitting_kinds(actor, sitting)))


def ensure_approve_direct_recognition(actor, sitting) -> None:
    _guard(lambda: perms.ensure_approve_direct_recognition(sitting.status,
                                                           sitting_kinds(actor, sitting)))


def ensure_enter_results(actor, sitting, *, system: bool = False) -> None:
    kinds = sitting_kinds(actor, sitting) | ({lc.SYSTEM} if system else set())
    _guard(lambda: perms.ensure_enter_results(sitting.status, kinds))


def ensure_issue(actor, sitting, *, system: bool = False) -> None:
    kinds = sitting_kinds(actor, sitting) | ({lc.SYSTEM} if system else set())
    _guard(lambda: perms.ensure_issue(sitting.status, kinds))


def ensure_revoke(actor, *, region_code: str, evaluator_id: int | None) -> None:
    kinds = perms.kinds_for(facts_of(actor), region_code=region_code,
                            evaluator_id=evaluator_id)
    _guard(lambda: perms.ensure_revoke(kinds))


def ensure_record_outside(actor) -> None:
    _guard(lambda: perms.ensure_record_outside(facts_of(actor)))


def ensure_see_records(actor) -> None:
    _guard(lambda: perms.ensure_see_records(facts_of(actor)))

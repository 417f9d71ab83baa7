"""Who may do what in training, as pure predicates over plain values (no Django).

The pages and templates ask `may_*` to decide which forms and buttons to show; the services
ask the same predicates through their `ensure_*` guards before they write. One answer for
both, so no role is shown a form that the service then refuses.

`kinds` is the set of lifecycle roles an actor holds for one class (`lifecycle.INSTITUTION`,
`lifecycle.HRSS`), worked out by `services.actor_kinds`; `status` is the class's state.
"""

from __future__ import annotations

from collections.abc import Set

from jineng.training.rules import lifecycle

# The class states in which its roster may still change (withdrawals).
ROSTER_OPEN_STATES = frozenset({lifecycle.DECLARED, lifecycle.APPROVED, lifecycle.OPEN})


def may_declare(*, is_operator: bool, has_organization: bool) -> bool:
    """A training institution's operator declares classes (开班申报) for their institution."""
    return is_operator and has_organization


def may_manage_teachers(*, is_operator: bool, has_organization: bool) -> bool:
    return is_operator and has_organization


def may_review(*, is_hrss_staff: bool) -> bool:
    """HRSS staff see the queue of declarations waiting for review."""
    return is_hrss_staff


def may_act(action: str, status: str, kinds: Set[str]) -> bool:
    """Whether a lifecycle action is open to the actor now (the buttons of a class page)."""
    return action in lifecycle.available_actions(status, kinds)


def actions(status: str, kinds: Set[str]) -> list[str]:
    """The lifecycle actions the actor may take now, except `resubmit`, which is the revise
    form's submit button."""
    return [a for a in lifecycle.available_actions(status, kinds) if a != "resubmit"]


def may_revise(status: str, kinds: Set[str]) -> bool:
    """The institution edits a declaration the HRSS office returned for correction."""
    return lifecycle.INSTITUTION in kinds and status in lifecycle.REVISABLE_STATES


def may_enroll(status: str, kinds: Set[str]) -> bool:
    """The class's institution enrolls trainees until the class opens, and late (with a
    reason) while it is open."""
    return lifecycle.INSTITUTION in kinds and status in (
        lifecycle.ENROLLING_STATES | lifecycle.LATE_ENROLLING_STATES)


def enrolls_late(status: str) -> bool:
    return status in lifecycle.LATE_ENROLLING_STATES


def may_withdraw(status: str, kinds: Set[str]) -> bool:
    """The institution or the governing HRSS office records a dropout while the roster can
    still change."""
    return bool(kinds & {lifecycle.INSTITUTION, lifecycle.HRSS}) and status in ROSTER_OPEN_STATES

"""The class state machine (开班 → 结业 → 评价 → 结算), as data. Pure.

declared → approved → open → finished → assessed → settled, with rejected, cancelled,
suspended and returned. A declaration the HRSS office returns for correction (退回修改) goes
back to the institution, which edits it and resubmits it (declared again, checked again by the
same rules); rejection stays final. "assessed" is reached only through the assessment app,
when every assessment of a finished class is closed (its certificates issued), not by hand.
Each action names the states it starts from, where it goes, who may take it and whether a
reason is required. A suspended class is in HRSS hands:
the institution can take no action on it.
"""

from __future__ import annotations

from dataclasses import dataclass

DECLARED = "declared"
APPROVED = "approved"
REJECTED = "rejected"
OPEN = "open"
FINISHED = "finished"
ASSESSED = "assessed"
SETTLED = "settled"
CANCELLED = "cancelled"
SUSPENDED = "suspended"
RETURNED = "returned"

STATES = (DECLARED, RETURNED, APPROVED, REJECTED, OPEN, FINISHED, ASSESSED, SETTLED, CANCELLED,
          SUSPENDED)
FINAL_STATES = frozenset({REJECTED, SETTLED, CANCELLED})
# States in which a class is still running or about to run.
ACTIVE_STATES = frozenset({DECLARED, APPROVED, OPEN, SUSPENDED})
# States in which a class holds the hours of its site, its teachers and its trainees: every
# class that did or will take place, finished ones too (a finished class still used those
# hours). A rejected or cancelled class never held them; a returned one holds them again only
# when it is resubmitted (and checked again then).
HOLDING_STATES = frozenset(STATES) - {REJECTED, CANCELLED, RETURNED}
# States in which the institution may edit its declaration.
REVISABLE_STATES = frozenset({RETURNED})
# States in which attendance may be recorded.
RECORDING_STATES = frozenset({OPEN})
# Enrollment is open until the class opens; afterwards only with a reason (late join).
ENROLLING_STATES = frozenset({DECLARED, APPROVED})
LATE_ENROLLING_STATES = frozenset({OPEN})

INSTITUTION = "institution"  # an operator of the class's own training institution
HRSS = "hrss"  # HRSS staff governing the class's region
# The assessment app: a finished class whose assessments are all closed is "assessed" by it
# (services.class_mark_assessed), never by hand.
ASSESSMENT = "assessment"

RESUME_TO_PREVIOUS = "<previous>"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    reason_required: bool = False


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("approve", frozenset({DECLARED}), APPROVED, frozenset({HRSS})),
    Transition("reject", frozenset({DECLARED}), REJECTED, frozenset({HRSS}), True),
    Transition("return", frozenset({DECLARED}), RETURNED, frozenset({HRSS}), True),
    Transition("resubmit", frozenset({RETURNED}), DECLARED, frozenset({INSTITUTION})),
    Transition("open", frozenset({APPROVED}), OPEN, frozenset({INSTITUTION, HRSS})),
    Transition("finish", frozenset({OPEN}), FINISHED, frozenset({INSTITUTION, HRSS})),
    Transition("assess", frozenset({FINISHED}), ASSESSED, frozenset({ASSESSMENT})),
    Transition("settle", frozenset({ASSESSED}), SETTLED, frozenset({HRSS})),
    Transition("cancel", frozenset({DECLARED, RETURNED, APPROVED, SUSPENDED}), CANCELLED,
               frozenset({INSTITUTION, HRSS}), True),
    Transition("suspend", frozenset({APPROVED, OPEN}), SUSPENDED, frozenset({HRSS}), True),
    Transition("resume", frozenset({SUSPENDED}), RESUME_TO_PREVIOUS, frozenset({HRSS}), True),
)}


class TransitionRefused(Exception):
    """Why an action cannot be taken: `code` is one of not_allowed_from, not_permitted,
    reason_required, unknown_action."""

    def __init__(self, code: str, action: str, status: str) -> None:
        super().__init__(f"{code}: {action} from {status}")
        self.code = code
        self.action = action
        self.status = status


def plan_transition(action: str, status: str, actor_kinds: frozenset[str] | set[str],
                    reason: str, previous: str = "") -> str:
    """The state `action` leads to from `status` for an actor of `actor_kinds`; raises
    TransitionRefused otherwise. `previous` is the state a suspended class came from."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise TransitionRefused("unknown_action", action, status)
    if not (t.actors & set(actor_kinds)) or (status == SUSPENDED and HRSS not in actor_kinds):
        raise TransitionRefused("not_permitted", action, status)
    if status not in t.sources:
        raise TransitionRefused("not_allowed_from", action, status)
    if t.reason_required and not reason.strip():
        raise TransitionRefused("reason_required", action, status)
    if t.target == RESUME_TO_PREVIOUS:
        return previous if previous in (APPROVED, OPEN) else APPROVED
    return t.target


def available_actions(status: str, actor_kinds: frozenset[str] | set[str]) -> list[str]:
    """The actions an actor may take now (for buttons)."""
    out = []
    for t in TRANSITIONS.values():
        if status in t.sources and t.actors & set(actor_kinds) and (
                status != SUSPENDED or HRSS in actor_kinds):
            out.append(t.action)
    return out

"""The assessment sitting's state machine (技能评价), as data. Pure.

declared → approved → results → closed, with returned (退回修改, back to the evaluator, who
corrects and resubmits it: declared again, checked again) and cancelled (by the evaluator or
HRSS before the results; by HRSS alone, with a reason, once the results are in:
`cancel_results`). The evaluator declares
a sitting; HRSS staff of the sitting's region review it (approve or return) — issue 10, "the
assessor role declares the sitting, HRSS staff of the region may review it". "results" is set by
the results area when the scores are in (`record_results`), "closed" by issuance when the
certificates are issued (`close`); neither is a button of the sitting page. Each action names
the states it starts from, where it goes, who may take it and whether a reason is required.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

DECLARED = "declared"
RETURNED = "returned"
APPROVED = "approved"
RESULTS = "results"
CLOSED = "closed"
CANCELLED = "cancelled"

STATES = (DECLARED, RETURNED, APPROVED, RESULTS, CLOSED, CANCELLED)
FINAL_STATES = frozenset({CLOSED, CANCELLED})
# States in which the evaluator may still change the sitting's candidates and examiners.
ROSTER_STATES = frozenset({DECLARED, RETURNED, APPROVED})
# States in which scores may be entered or corrected (the results area).
RESULT_STATES = frozenset({APPROVED, RESULTS})
# States in which HRSS staff approve a direct recognition (Zhejiang (七)): until the
# certificates are issued — the approval may follow the results, and issuing waits for it.
APPROVAL_STATES = frozenset({DECLARED, RETURNED, APPROVED, RESULTS})
# States in which certificates may be issued (the issuance area).
ISSUING_STATES = frozenset({RESULTS})
# States waiting for the HRSS office.
REVIEW_STATES = frozenset({DECLARED})

EVALUATOR = "evaluator"  # an operator of the sitting's own evaluator
HRSS = "hrss"  # HRSS staff governing the sitting's region
SYSTEM = "system"  # the app itself (results recorded, certificates issued)
ACTORS = (EVALUATOR, HRSS, SYSTEM)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    reason_required: bool = False
    manual: bool = True  # a button of the sitting page (sitting_transition)


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("approve", frozenset({DECLARED}), APPROVED, frozenset({HRSS})),
    Transition("return", frozenset({DECLARED}), RETURNED, frozenset({HRSS}), True),
    Transition("resubmit", frozenset({RETURNED}), DECLARED, frozenset({EVALUATOR})),
    Transition("cancel", frozenset({DECLARED, RETURNED, APPROVED}), CANCELLED,
               frozenset({EVALUATOR, HRSS}), True),
    # A sitting whose results are in but whose certificates cannot be issued (the evaluator
    # lost its listing, fraud found at the sitting, …) would otherwise be stuck: only HRSS
    # staff of its region cancel it then, with a reason; its results stay as recorded, no
    # certificate is issued and it never counts as an assessment of its class.
    Transition("cancel_results", frozenset({RESULTS}), CANCELLED, frozenset({HRSS}), True),
    # Set by the results area once every candidate has a result.
    Transition("record_results", frozenset({APPROVED}), RESULTS,
               frozenset({SYSTEM, EVALUATOR}), manual=False),
    # Set by the issuance area once the sitting's certificates are issued.
    Transition("close", frozenset({RESULTS}), CLOSED, frozenset({SYSTEM, EVALUATOR}),
               manual=False),
)}
MANUAL_ACTIONS = frozenset(a for a, t in TRANSITIONS.items() if t.manual)


class TransitionRefused(Exception):
    """Why an action cannot be taken: `code` is one of unknown_action, not_permitted,
    not_allowed_from, reason_required."""

    def __init__(self, code: str, action: str, status: str) -> None:
        super().__init__(f"{code}: {action} from {status}")
        self.code = code
        self.action = action
        self.status = status


def plan_transition(action: str, status: str, actor_kinds: Set[str], reason: str = "") -> str:
    """The state `action` leads to from `status` for an actor of `actor_kinds`; raises
    TransitionRefused otherwise."""
    t = TRANSITIONS.get(action)
    if t is None:
        raise TransitionRefused("unknown_action", action, status)
    if not t.actors & set(actor_kinds):
        raise TransitionRefused("not_permitted", action, status)
    if status not in t.sources:
        raise TransitionRefused("not_allowed_from", action, status)
    if t.reason_required and not reason.strip():
        raise TransitionRefused("reason_required", action, status)
    return t.target


def available_actions(status: str, actor_kinds: Set[str], *,
                      manual_only: bool = False) -> list[str]:
    """The actions an actor may take now (for buttons: `manual_only=True`)."""
    return [t.action for t in TRANSITIONS.values()
            if status in t.sources and t.actors & set(actor_kinds)
            and (t.manual or not manual_only)]

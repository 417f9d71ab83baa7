"""The alert state machine, as data. Pure.

open → acknowledged (under investigation) → confirmed / dismissed; an open alert may be
confirmed or dismissed directly. Dismissing and confirming need a reason (the findings);
confirmed and dismissed are final (a rerun that finds the same evidence again updates
last-seen only). Inspectors and HRSS staff of the alert's region act; an institution takes
no action (and does not see the alerts: issue 13 gives the queue to the inspectors)."""

from __future__ import annotations

from dataclasses import dataclass

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
CONFIRMED = "confirmed"
DISMISSED = "dismissed"
STATES = (OPEN, ACKNOWLEDGED, CONFIRMED, DISMISSED)
FINAL_STATES = frozenset({CONFIRMED, DISMISSED})

INSPECTOR = "inspector"
HRSS = "hrss"
INSTITUTION = "institution"
ACTOR_KINDS = (INSPECTOR, HRSS, INSTITUTION)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    reason_required: bool = False


STAFF = frozenset({INSPECTOR, HRSS})
TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("acknowledge", frozenset({OPEN}), ACKNOWLEDGED, STAFF),
    Transition("confirm", frozenset({OPEN, ACKNOWLEDGED}), CONFIRMED, STAFF, True),
    Transition("dismiss", frozenset({OPEN, ACKNOWLEDGED}), DISMISSED, STAFF, True),
)}


class TransitionRefused(Exception):
    """`code`: unknown_action, not_permitted, not_allowed_from, reason_required."""

    def __init__(self, code: str, action: str, status: str) -> None:
        super().__init__(f"{code}: {action} from {status}")
        self.code = code
        self.action = action
        self.status = status


def plan_transition(action: str, status: str, actor_kinds, reason: str = "") -> str:
    t = TRANSITIONS.get(action)
    if t is None:
        raise TransitionRefused("unknown_action", action, status)
    if not (t.actors & set(actor_kinds)):
        raise TransitionRefused("not_permitted", action, status)
    if status not in t.sources:
        raise TransitionRefused("not_allowed_from", action, status)
    if t.reason_required and not (reason or "").strip():
        raise TransitionRefused("reason_required", action, status)
    return t.target


def available_actions(status: str, actor_kinds) -> list[str]:
    return [t.action for t in TRANSITIONS.values()
            if status in t.sources and t.actors & set(actor_kinds)]

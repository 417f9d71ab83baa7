"""The demand forecast's state machine, as data. Pure (the shape of
training/rules/lifecycle.py).

draft → in_review → approved → published, with return (in review → draft, with a reason) and
reject (final, with a reason). The HRSS office builds the forecast and sends it to the industry
departments (Guizhou (十三): "各行业主管部门……定期发布需求预测目录"; Zhejiang 七: "各行业部门负责
行业技能人才需求预测"), whose staff comment on or agree with each line of their sector while it
is in review (not a state change: a line review, see services.forecast_line_review). Province or
city HRSS staff over the region approve it; the office of the forecast's own region — the
keeper of that region's urgently-needed catalog — publishes it, which drafts a new version of
that catalog through the catalog's own workflow.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

DRAFT = "draft"
IN_REVIEW = "in_review"
APPROVED = "approved"
PUBLISHED = "published"
REJECTED = "rejected"

STATES = (DRAFT, IN_REVIEW, APPROVED, PUBLISHED, REJECTED)
FINAL_STATES = frozenset({PUBLISHED, REJECTED})
# While a forecast is in review, industry departments comment on its lines.
LINE_REVIEW_STATES = frozenset({IN_REVIEW})
# A forecast in these states may be rebuilt from fresh data (its lines replaced).
REBUILD_STATES = frozenset({DRAFT})

HRSS = "hrss"  # HRSS staff whose region contains the forecast's
APPROVER = "approver"  # province or city HRSS staff whose region contains the forecast's
KEEPER = "keeper"  # HRSS staff of exactly the forecast's region (keeps its catalog)
INDUSTRY = "industry"  # industry department staff whose region contains the forecast's
ACTORS = (HRSS, APPROVER, KEEPER, INDUSTRY)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    reason_required: bool = False


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("submit", frozenset({DRAFT}), IN_REVIEW, frozenset({HRSS})),
    Transition("return", frozenset({IN_REVIEW, APPROVED}), DRAFT, frozenset({HRSS}), True),
    Transition("approve", frozenset({IN_REVIEW}), APPROVED, frozenset({APPROVER})),
    Transition("publish", frozenset({APPROVED}), PUBLISHED, frozenset({KEEPER})),
    Transition("reject", frozenset({DRAFT, IN_REVIEW, APPROVED}), REJECTED,
               frozenset({HRSS}), True),
)}


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


def available_actions(status: str, actor_kinds: Set[str]) -> list[str]:
    """The actions an actor may take now (for buttons)."""
    return [t.action for t in TRANSITIONS.values()
            if status in t.sources and t.actors & set(actor_kinds)]


def may_review_lines(status: str, actor_kinds: Set[str]) -> bool:
    return status in LINE_REVIEW_STATES and INDUSTRY in actor_kinds

"""The subsidy claim state machine, as data. Pure (no Django): the services ask it, the tests
walk it as an actor × state matrix.

draft → submitted (county review) → city review (where the region sets one) → approved →
in payment → paid; a failed payment (支付失败) is re-applied (back to approved, into a new
batch) or withdrawn; a reviewer returns a claim for correction (退回修改: the claimant edits
and submits again) or refuses it with a reason; the claimant withdraws a claim not yet
approved; a paid claim found fraudulent is recovered (追回).

Who acts:
- CLAIMANT: an operator of the organization that files the claim (institution, enterprise),
  or HRSS staff filing for a person;
- COUNTY: HRSS staff governing the claim's region (first review);
- CITY: HRSS staff of the claim's city or province (second review, payments, recovery);
- BANK: the bank's result file, imported by CITY staff (paid / failed).
"""

from __future__ import annotations

from dataclasses import dataclass

DRAFT = "draft"
SUBMITTED = "submitted"
CITY_REVIEW = "city_review"
RETURNED = "returned"
APPROVED = "approved"
IN_PAYMENT = "in_payment"
PAID = "paid"
PAYMENT_FAILED = "payment_failed"
WITHDRAWN = "withdrawn"
REFUSED = "refused"
RECOVERED = "recovered"

STATES = (DRAFT, SUBMITTED, CITY_REVIEW, RETURNED, APPROVED, IN_PAYMENT, PAID, PAYMENT_FAILED,
          WITHDRAWN, REFUSED, RECOVERED)
FINAL_STATES = frozenset({WITHDRAWN, REFUSED, RECOVERED})
# A claim in these states uses up a person's limits (a refused or withdrawn claim uses
# nothing; a recovered one was paid and counts, as the money was once granted).
COUNTING_STATES = frozenset(set(STATES) - {WITHDRAWN, REFUSED})
# States in which the budget holds a commitment or a spending for the claim.
COMMITTED_STATES = frozenset({APPROVED, IN_PAYMENT, PAYMENT_FAILED})
# States a reviewer acts in.
REVIEW_STATES = frozenset({SUBMITTED, CITY_REVIEW})

CLAIMANT = "claimant"
COUNTY = "county"
CITY = "city"
BANK = "bank"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    reason_required: bool = False
    # Only when the claim needs (True) or does not need (False) a city review; None: always.
    city_review: bool | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", frozenset({DRAFT, RETURNED}), SUBMITTED, frozenset({CLAIMANT})),
    # County review: to the city where one is set, else approved.
    Transition("approve", frozenset({SUBMITTED}), CITY_REVIEW, frozenset({COUNTY, CITY}),
               city_review=True),
    Transition("approve", frozenset({SUBMITTED}), APPROVED, frozenset({COUNTY, CITY}),
               city_review=False),
    Transition("approve", frozenset({CITY_REVIEW}), APPROVED, frozenset({CITY})),
    Transition("return", frozenset({SUBMITTED}), RETURNED, frozenset({COUNTY, CITY}), True),
    Transition("return", frozenset({CITY_REVIEW}), RETURNED, frozenset({CITY}), True),
    Transition("refuse", frozenset({SUBMITTED}), REFUSED, frozenset({COUNTY, CITY}), True),
    Transition("refuse", frozenset({CITY_REVIEW}), REFUSED, frozenset({CITY}), True),
    Transition("withdraw", frozenset({DRAFT, SUBMITTED, RETURNED}), WITHDRAWN,
               frozenset({CLAIMANT})),
    # A failed payment given up: its commitment is released.
    Transition("withdraw", frozenset({PAYMENT_FAILED}), WITHDRAWN, frozenset({CLAIMANT, CITY}),
               True),
    Transition("pay", frozenset({APPROVED}), IN_PAYMENT, frozenset({CITY})),
    Transition("mark_paid", frozenset({IN_PAYMENT}), PAID, frozenset({BANK})),
    Transition("mark_failed", frozenset({IN_PAYMENT}), PAYMENT_FAILED, frozenset({BANK}), True),
    Transition("reapply", frozenset({PAYMENT_FAILED}), APPROVED, frozenset({CLAIMANT, CITY})),
    Transition("recover", frozenset({PAID}), RECOVERED, frozenset({CITY}), True),
)

ACTIONS = tuple(dict.fromkeys(t.action for t in TRANSITIONS))


class TransitionRefused(Exception):
    """Why an action cannot be taken: `code` is one of unknown_action, not_allowed_from,
    not_permitted, reason_required."""

    def __init__(self, code: str, action: str, status: str) -> None:
        super().__init__(f"{code}: {action} from {status}")
        self.code = code
        self.action = action
        self.status = status


def _rows(action: str, status: str, city_review: bool) -> list[Transition]:
    return [t for t in TRANSITIONS if t.action == action and status in t.sources
            and (t.city_review is None or t.city_review == city_review)]


def plan_transition(action: str, status: str, actor_kinds: frozenset[str] | set[str],
                    reason: str = "", *, city_review: bool = False) -> str:
    """The state `action` leads to from `status` for an actor of `actor_kinds`; raises
    TransitionRefused otherwise. `city_review`: the claim's region sets a second review."""
    if action not in ACTIONS:
        raise TransitionRefused("unknown_action", action, status)
    rows = _rows(action, status, city_review)
    if not rows:
        raise TransitionRefused("not_allowed_from", action, status)
    allowed = [t for t in rows if t.actors & set(actor_kinds)]
    if not allowed:
        raise TransitionRefused("not_permitted", action, status)
    t = allowed[0]
    if t.reason_required and not (reason or "").strip():
        raise TransitionRefused("reason_required", action, status)
    return t.target


def available_actions(status: str, actor_kinds: frozenset[str] | set[str], *,
                      city_review: bool = False) -> list[str]:
    """The actions an actor may take now (for buttons)."""
    return list(dict.fromkeys(
        t.action for t in TRANSITIONS
        if status in t.sources and t.actors & set(actor_kinds)
        and (t.city_review is None or t.city_review == city_review)))

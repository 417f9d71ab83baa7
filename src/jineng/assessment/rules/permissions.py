"""Who may do what in the assessment app, as pure predicates over plain values (no Django).

Pages and templates ask `may_*` to decide which forms and buttons to show; the services ask the
same predicates through `ensure_*` before they write (one answer for both). `ensure_*` raise
`Refused` (a stable `code`, no message): the Django side (`jineng.assessment.access`) turns it
into a translated `core.errors.Forbidden` / `DomainError` naming the field.

`ActorFacts` is what a user is (role, organization, governed region); `kinds` is the set of
lifecycle roles the actor holds for one sitting (`sitting_lifecycle.EVALUATOR`, `HRSS`,
`SYSTEM`), worked out by `kinds_for`.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from jineng.assessment.rules import sitting_lifecycle as lc

EVALUATION_OPERATOR = "evaluation_operator"
ENTERPRISE = "enterprise"  # an enterprise approved for self-evaluation (企业自主评价)
TRAINING_OPERATOR = "training_operator"  # a school the evaluation catalog lists as evaluator
# Roles that run assessments for their own organization; the evaluation catalog decides for
# what (catalog.selectors.evaluator_listed_as_of lists evaluation institutions, enterprises
# approved for self-evaluation and training institutions such as 技工院校).
ASSESSOR_ROLES = frozenset({EVALUATION_OPERATOR, ENTERPRISE, TRAINING_OPERATOR})


@dataclass(frozen=True)
class ActorFacts:
    role: str = ""
    organization_id: int | None = None
    is_hrss_staff: bool = False
    region_prefix: str | None = None  # the subtree a staff user governs
    everything: bool = False  # superuser / system administrator
    sees_persons: bool = False


class Refused(Exception):
    """`code`: forbidden (the actor may never do this here) or a state code (wrong state)."""

    def __init__(self, code: str, *, forbidden: bool = True) -> None:
        super().__init__(code)
        self.code = code
        self.forbidden = forbidden


def kinds_for(facts: ActorFacts, *, region_code: str, evaluator_id: int | None,
              system: bool = False) -> frozenset[str]:
    """The lifecycle roles of an actor for a sitting of `evaluator_id` in `region_code`."""
    kinds: set[str] = set()
    if facts.everything or (facts.is_hrss_staff and facts.region_prefix is not None
                            and region_code.startswith(facts.region_prefix)):
        kinds.add(lc.HRSS)
    if (facts.role in ASSESSOR_ROLES and facts.organization_id is not None
            and facts.organization_id == evaluator_id):
        kinds.add(lc.EVALUATOR)
    if system:
        kinds.add(lc.SYSTEM)
    return frozenset(kinds)


def may_declare(facts: ActorFacts) -> bool:
    """An evaluator's operator (or a self-evaluating enterprise's user) declares sittings for
    their own organization."""
    return facts.role in ASSESSOR_ROLES and facts.organization_id is not None


def may_review(facts: ActorFacts) -> bool:
    """HRSS staff see the queue of sittings waiting for review."""
    return facts.is_hrss_staff or facts.everything


def may_act(action: str, status: str, kinds: Set[str]) -> bool:
    """Whether a manual lifecycle action (a button) is open to the actor now."""
    return action in lc.available_actions(status, kinds, manual_only=True)


def actions(status: str, kinds: Set[str]) -> list[str]:
    """The buttons of a sitting page: every manual action open to the actor now."""
    return lc.available_actions(status, kinds, manual_only=True)


def may_manage_roster(status: str, kinds: Set[str]) -> bool:
    """The evaluator adds and removes candidates and examiners until results are recorded."""
    return lc.EVALUATOR in kinds and status in lc.ROSTER_STATES


def may_approve_direct_recognition(status: str, kinds: Set[str]) -> bool:
    """HRSS staff of the sitting's region approve a direct recognition (Zhejiang (七)), until
    the sitting's certificates are issued (issuing waits for every approval)."""
    return lc.HRSS in kinds and status in lc.APPROVAL_STATES


def may_enter_results(status: str, kinds: Set[str]) -> bool:
    """The evaluator enters scores of an approved sitting (and corrects them until issued)."""
    return bool(kinds & {lc.EVALUATOR, lc.SYSTEM}) and status in lc.RESULT_STATES


def may_issue(status: str, kinds: Set[str]) -> bool:
    """Certificates are issued for a sitting whose results are recorded."""
    return bool(kinds & {lc.EVALUATOR, lc.SYSTEM}) and status in lc.ISSUING_STATES


def may_revoke(kinds: Set[str]) -> bool:
    """HRSS staff of the region, or the issuing evaluator, revoke a certificate."""
    return bool(kinds & {lc.HRSS, lc.EVALUATOR})


def may_record_outside(facts: ActorFacts) -> bool:
    """HRSS staff (and evaluators, for their candidates' earlier certificates) record
    certificates issued elsewhere."""
    return may_review(facts) or (facts.role == EVALUATION_OPERATOR
                                 and facts.organization_id is not None)


def may_see_records(facts: ActorFacts) -> bool:
    """A person's skill record (电子档案) is for staff who read real-name records."""
    return facts.everything or (facts.is_hrss_staff and facts.sees_persons)


# --- ensure_*: the same answers, as refusals -------------------------------------------------

def ensure_declare(facts: ActorFacts) -> None:
    if not may_declare(facts):
        raise Refused("not_assessor")


def ensure_review(facts: ActorFacts) -> None:
    if not may_review(facts):
        raise Refused("not_hrss")


def ensure_roster(status: str, kinds: Set[str]) -> None:
    if lc.EVALUATOR not in kinds:
        raise Refused("not_evaluator")
    if not may_manage_roster(status, kinds):
        raise Refused("roster_closed", forbidden=False)


def ensure_approve_direct_recognition(status: str, kinds: Set[str]) -> None:
    if lc.HRSS not in kinds:
        raise Refused("not_hrss")
    if not may_approve_direct_recognition(status, kinds):
        raise Refused("approval_closed", forbidden=False)


def ensure_enter_results(status: str, kinds: Set[str]) -> None:
    if not kinds & {lc.EVALUATOR, lc.SYSTEM}:
        raise Refused("not_evaluator")
    if not may_enter_results(status, kinds):
        raise Refused("not_approved", forbidden=False)


def ensure_issue(status: str, kinds: Set[str]) -> None:
    if not kinds & {lc.EVALUATOR, lc.SYSTEM}:
        raise Refused("not_evaluator")
    if not may_issue(status, kinds):
        raise Refused("no_results", forbidden=False)


def ensure_revoke(kinds: Set[str]) -> None:
    if not may_revoke(kinds):
        raise Refused("not_permitted")


def ensure_record_outside(facts: ActorFacts) -> None:
    if not may_record_outside(facts):
        raise Refused("not_permitted")


def ensure_see_records(facts: ActorFacts) -> None:
    if not may_see_records(facts):
        raise Refused("not_permitted")

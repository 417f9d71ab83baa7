"""What the training services share: settings read at call time and who may act on a class."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, Forbidden
from jineng.core.scoping import scope_of
from jineng.registry.choices import OrganizationStatus
from jineng.registry.models import (
    Organization,
)
from jineng.training.models import (
    TrainingClass,
)
from jineng.training.rules import lifecycle
from jineng.training.rules import permissions as perms

ONE_PLACE = Decimal("0.1")


def _username(actor) -> str:
    return getattr(actor, "username", "") or "system"


def _setting(name: str, default):
    return getattr(settings, name, default)


def grace() -> dt.timedelta:
    """How far outside a session's window a check-in or -out may be before it is flagged."""
    return dt.timedelta(minutes=_setting("TRAINING_WINDOW_GRACE_MINUTES", 60))


def future_tolerance() -> dt.timedelta:
    """Events stamped later than now + this are refused (a terminal clock far in the future)."""
    return dt.timedelta(seconds=_setting("TRAINING_FUTURE_TOLERANCE_SECONDS", 300))


def default_radius_m() -> int:
    return int(_setting("TRAINING_CHECKIN_RADIUS_M", 500))


def late_declaration_days() -> int:
    """How many days after its first session a class may still be declared (with a stated
    reason). Older classes are history: the migration import loads them."""
    return int(_setting("TRAINING_LATE_DECLARATION_MAX_DAYS", 30))


# --- who may act on a class ------------------------------------------------------------------

def actor_kinds(actor, training_class: TrainingClass) -> frozenset[str]:
    """The lifecycle roles the actor holds for this class (see rules.lifecycle)."""
    scope = scope_of(actor)
    kinds: set[str] = set()
    governs = (getattr(actor, "is_hrss_staff", False) and scope.region_prefix is not None
               and training_class.region.code.startswith(scope.region_prefix))
    if scope.everything or governs:
        kinds.add(lifecycle.HRSS)
    if (getattr(actor, "role", "") == Role.TRAINING_OPERATOR
            and scope.organization_id == training_class.institution_id):
        kinds.add(lifecycle.INSTITUTION)
    return frozenset(kinds)


def is_operator(actor) -> bool:
    return getattr(actor, "role", "") == Role.TRAINING_OPERATOR


def may_declare(actor) -> bool:
    """rules.permissions.may_declare for a user (pages and the API ask this)."""
    return perms.may_declare(is_operator=is_operator(actor),
                             has_organization=bool(getattr(actor, "organization_id", None)))


def _ensure_operator(actor) -> Organization:
    """The training institution an operator acts for."""
    if not may_declare(actor):
        raise Forbidden(_("Only a training institution's operators may do this."))
    return actor.organization


def ensure_enrolling_institution(actor, training_class: TrainingClass) -> None:
    if lifecycle.INSTITUTION not in actor_kinds(actor, training_class):
        raise Forbidden(_("Only the class's institution enrolls trainees."))


def ensure_may_withdraw(actor, training_class: TrainingClass) -> None:
    """Forbidden for an actor who is neither the institution nor the governing office;
    DomainError when the roster can no longer change. Ask with the class locked."""
    kinds = actor_kinds(actor, training_class)
    if not kinds & {lifecycle.INSTITUTION, lifecycle.HRSS}:
        raise Forbidden()
    if not perms.may_withdraw(training_class.status, kinds):
        raise DomainError(_("The roster of this class can no longer change."),
                          field="status", code="roster_closed")


def ensure_may_revise(actor, training_class: TrainingClass) -> None:
    """Only the class's institution edits a declaration, and only once it was returned."""
    kinds = actor_kinds(actor, training_class)
    if lifecycle.INSTITUTION not in kinds:
        raise Forbidden(_("Only the class's institution edits its declaration."))
    if not perms.may_revise(training_class.status, kinds):
        raise DomainError(_("Only a declaration returned for correction can be edited."),
                          field="status", code="not_revisable")


def _ensure_institution_listed(org: Organization) -> None:
    if org.status != OrganizationStatus.LISTED:
        raise DomainError(
            _("Your institution is %(status)s since %(day)s and may not declare or run "
              "classes.") % {"status": org.get_status_display(), "day": org.status_since},
            code="institution_status")

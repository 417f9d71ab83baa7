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


def _ensure_operator(actor) -> Organization:
    """The training institution an operator acts for."""
    if getattr(actor, "role", "") != Role.TRAINING_OPERATOR or not actor.organization_id:
        raise Forbidden(_("Only a training institution's operators may do this."))
    return actor.organization


def _ensure_institution_listed(org: Organization) -> None:
    if org.status != OrganizationStatus.LISTED:
        raise DomainError(
            _("Your institution is %(status)s since %(day)s and may not declare or run "
              "classes.") % {"status": org.get_status_display(), "day": org.status_since},
            code="institution_status")

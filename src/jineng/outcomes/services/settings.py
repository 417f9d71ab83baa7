"""Setting the province's indicator parameters (IndicatorSettings): the composite's five weights,
the smallest cell shown on public pages and the record linker's two thresholds.

Settings are dated: each call adds a row valid from a day (today or later); a recorded row never
changes, so every past run can be explained by the row in force on its day. Only province HRSS
staff (or a system administrator naming the province) set them. One transaction, audited; a
refused call changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.outcomes.models import IndicatorSettings
from jineng.registry import selectors as registry
from jineng.registry.choices import RegionLevel

__all__ = ["WEIGHT_FIELDS", "indicator_settings_set", "may_set_indicator_settings"]

PROVINCE_STAFF = "province_staff"
WEIGHT_FIELDS = ("weight_demand_match", "weight_pass_rate", "weight_level_up",
                 "weight_employment", "weight_wage_growth")
SUM_TOLERANCE = Decimal("0.001")


def may_set_indicator_settings(actor) -> bool:
    scope = scope_of(actor)
    return scope.everything or (getattr(actor, "role", "") == PROVINCE_STAFF
                                and scope.region_prefix is not None)


def _province(actor, region_code: str | None):
    """The province the settings are for: the staff member's own (or one inside their scope),
    a named one for a system administrator; outside the actor's scope answers like missing."""
    scope = scope_of(actor)
    if not (scope.everything or scope.region_prefix is not None):
        raise Forbidden(_("Only the province HRSS office sets the indicator parameters."))
    code = (region_code or "").strip()
    if not code:
        place = getattr(actor, "region", None)
        if place is None:
            raise DomainError(_("Name the province the settings are for."), field="region_code",
                              code="required")
        code = place.code
    code = f"{code[:2]}0000"
    province = (registry.region_list(actor=None)
                .filter(code=code, level=RegionLevel.PROVINCE).first())
    if province is None:
        raise DomainError(_("No province with the code %(code)s.") % {"code": code},
                          field="region_code", code="unknown")
    # Staff of the same province see its settings (a city may read them, not set them).
    if not (scope.everything or (scope.region_prefix is not None
                                 and scope.region_prefix[:2] == code[:2])):
        raise NotFound()
    return province


def _decimal(value, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        number = None
    if number is None or not number.is_finite():
        raise DomainError(_("%(field)s must be a number between 0 and 1.") % {"field": name},
                          field=name, code="invalid")
    return number


def indicator_settings_set(*, actor, valid_from: dt.date, weight_demand_match,
                           weight_pass_rate, weight_level_up, weight_employment,
                           weight_wage_growth, min_cell: int, link_auto_probability: float,
                           link_review_probability: float, reason: str,
                           region_code: str | None = None,
                           today: dt.date | None = None) -> IndicatorSettings:
    """Record the province's parameters valid from `valid_from` (today or later); returns the
    new row. Weights each in [0, 1] summing to 1 (±0.001); the smallest public cell 1–1000;
    the review threshold not above the automatic-link threshold."""
    province = _province(actor, region_code)
    if not may_set_indicator_settings(actor):
        raise Forbidden(_("Only the province HRSS office sets the indicator parameters."))
    today = today or timezone.localdate()
    if not isinstance(valid_from, dt.date):
        raise DomainError(_("The first day is a date."), field="valid_from", code="invalid")
    if valid_from < today:
        raise DomainError(_("Settings start today or later: past days keep the settings they "
                            "had."), field="valid_from", code="in_past")
    weights = {}
    for name, value in zip(WEIGHT_FIELDS, (weight_demand_match, weight_pass_rate,
                                           weight_level_up, weight_employment,
                                           weight_wage_growth), strict=True):
        number = _decimal(value, name)
        if number < 0 or number > 1:
            raise DomainError(_("%(field)s must be between 0 and 1.") % {"field": name},
                              field=name, code="out_of_range")
        if number != number.quantize(Decimal("0.001")):
            raise DomainError(_("%(field)s has at most three decimals.") % {"field": name},
                              field=name, code="too_precise")
        weights[name] = number
    total = sum(weights.values())
    if abs(total - 1) > SUM_TOLERANCE:
        raise DomainError(_("The five weights add up to %(total)s; they must add up to 1.")
                          % {"total": total}, field="weight_wage_growth", code="sum")
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or not 1 <= min_cell <= 1000:
        raise DomainError(_("The smallest public cell is a whole number of trainees from 1 to "
                            "1000."), field="min_cell", code="out_of_range")
    probabilities = {}
    for name, value, low in (("link_auto_probability", link_auto_probability, 0.5),
                             ("link_review_probability", link_review_probability, 0.0)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not low <= number <= 1.0:
            raise DomainError(_("%(field)s must be between %(low)s and 1.")
                              % {"field": name, "low": low}, field=name, code="out_of_range")
        probabilities[name] = number
    if probabilities["link_review_probability"] > probabilities["link_auto_probability"]:
        raise DomainError(_("The threshold for proposing a link cannot be above the threshold "
                            "for linking automatically."), field="link_review_probability",
                          code="order")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the parameters change."), field="reason", code="required")
    try:
        with transaction.atomic():
            # The province row is the lock: two settings for the same day cannot both pass.
            registry.region_list(actor=None).select_for_update().filter(pk=province.pk).first()
            if IndicatorSettings.objects.filter(region=province, valid_from=valid_from).exists():
                raise Conflict(_("Settings from %(day)s are already recorded and are never "
                                 "changed; choose a later first day.") % {"day": valid_from},
                               field="valid_from", code="exists")
            row = IndicatorSettings.objects.create(
                region=province, valid_from=valid_from, min_cell=min_cell, reason=reason[:2000],
                set_by=actor if getattr(actor, "is_authenticated", False) else None,
                **weights, **probabilities)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                         after=audit.snapshot(row), region_code=province.code,
                         reason=reason[:500])
    except IntegrityError as clash:
        raise Conflict(_("Settings from %(day)s are already recorded and are never changed; "
                         "choose a later first day.") % {"day": valid_from},
                       field="valid_from", code="exists") from clash
    return row

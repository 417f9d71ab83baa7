"""What every subsidy service needs: who the actor is to a region or a claim, money parsing."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry

CITY_ROLES = {"province_staff", "city_staff"}
HRSS_ROLES = CITY_ROLES | {"county_staff"}
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")


def is_hrss(actor) -> bool:
    scope = scope_of(actor)
    return scope.everything or (getattr(actor, "role", "") in HRSS_ROLES
                                and scope.region_prefix is not None)


def governs(actor, region_code: str) -> bool:
    """HRSS staff whose subtree holds the region (or a system administrator)."""
    scope = scope_of(actor)
    if scope.everything:
        return True
    return is_hrss(actor) and region_code.startswith(scope.region_prefix or "#")


def governs_as_city(actor, region_code: str) -> bool:
    """City or province HRSS staff over the region: the second review, budgets, payments."""
    scope = scope_of(actor)
    return scope.everything or (governs(actor, region_code)
                                and getattr(actor, "role", "") in CITY_ROLES)


def sees_region(actor, region_code: str) -> bool:
    scope = scope_of(actor)
    return scope.everything or (scope.region_prefix is not None
                                and region_code.startswith(scope.region_prefix))


def region_by_code(code: str, *, field: str = "region_code"):
    code = (code or "").strip()
    region = registry.region_list(actor=None).filter(code=code).first() if code else None
    if region is None:
        raise DomainError(_("No region with the code %(code)s.") % {"code": code or "—"},
                          field=field, code="unknown")
    return region


def ensure_hrss_over(actor, region_code: str, *, city: bool = False) -> None:
    """Forbidden for a non-HRSS account; NotFound for a region outside the actor's scope."""
    if not is_hrss(actor):
        raise Forbidden(_("Only HRSS staff may do this."))
    if not governs(actor, region_code):
        raise NotFound()
    if city and not governs_as_city(actor, region_code):
        raise Forbidden(_("Only city or province HRSS staff may do this."))


def money(value, *, field: str = "amount", positive: bool = True) -> Decimal:
    """A yuan amount with at most two decimals (a Decimal, an int or a numeric string)."""
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, float) else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise DomainError(_("%(field)s must be an amount in yuan, such as 1200.00.")
                          % {"field": field}, field=field, code="invalid")
    if number != number.quantize(CENT):
        raise DomainError(_("%(field)s has at most two decimals (fen).") % {"field": field},
                          field=field, code="too_precise")
    if number < 0 or (positive and number == 0) or number > MAX_AMOUNT:
        raise DomainError(_("%(field)s must be greater than zero and within range.")
                          % {"field": field}, field=field, code="out_of_range")
    return number.quantize(CENT)


def reason_text(reason: str, *, required: bool = True) -> str:
    text = (reason or "").strip()
    if required and not text:
        raise DomainError(_("Give a reason."), field="reason", code="required")
    return text[:2000]

"""Whether a number fits a decimal column (digits before and after the point), checked before
anything is stored: a figure the column cannot hold would make its record unreadable on some
databases (SQLite keeps it, and reading it back fails). Pure: no Django.

    number_problem(Decimal("99999999999999999999"), max_digits=14, decimal_places=2)
    -> Problem("too_large", {"whole": 12, "places": 2})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


def _(text: str) -> str:
    """Marks a message for the catalog; callers translate it before filling it in."""
    return text


MESSAGES = {
    "not_finite": _("%(field)s: give a number."),
    "too_large": _("%(field)s: at most %(whole)s digits before the decimal point."),
    "too_precise": _("%(field)s: at most %(places)s digits after the decimal point."),
    "negative": _("%(field)s cannot be negative."),
}

# The figures of plans (targets, allocations, report lines): DecimalField(14, 2) in the models;
# tests/plans/test_numbers.py keeps these equal to the columns.
FIGURE_DIGITS, FIGURE_PLACES = 14, 2
# The largest whole number a figure column holds.
FIGURE_MAX = 10 ** (FIGURE_DIGITS - FIGURE_PLACES) - 1
# A BigIntegerField.
BIGINT_MAX = 9_223_372_036_854_775_807


@dataclass(frozen=True)
class Problem:
    code: str
    params: dict = field(default_factory=dict)

    @property
    def template(self) -> str:
        return MESSAGES[self.code]


def number_problem(value: Decimal, *, max_digits: int = FIGURE_DIGITS,
                   decimal_places: int = FIGURE_PLACES,
                   allow_negative: bool = True) -> Problem | None:
    """What is wrong with `value` for a decimal(max_digits, decimal_places) column, if any."""
    whole = max_digits - decimal_places
    limits = {"whole": whole, "places": decimal_places}
    if not isinstance(value, Decimal) or not value.is_finite():
        return Problem("not_finite", limits)
    if abs(value) >= Decimal(10) ** whole:
        return Problem("too_large", limits)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -decimal_places:
        return Problem("too_precise", limits)
    if not allow_negative and value < 0:
        return Problem("negative", limits)
    return None


def integer_problem(value: int, *, maximum: int = BIGINT_MAX) -> Problem | None:
    """What is wrong with `value` for an integer column holding up to ±maximum, if any."""
    if isinstance(value, bool) or not isinstance(value, int):
        return Problem("not_finite")
    if abs(value) > maximum:
        return Problem("too_large", {"whole": len(str(maximum)), "places": 0})
    return None

"""Splitting a target among the regions below: by hand, or in proportion to a base.

Pure functions over plain numbers. Integer shares always add up exactly to the whole: proportional
splits use the largest-remainder method (Hamilton), and hand-typed shares that do not add up are
refused with the difference shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal


def _(message: str) -> str:
    """Marks a message template for translation (makemessages extracts `_("…")`); the rules
    stay free of Django, and the web layer translates the template before filling it in."""
    return message


class DecompositionError(ValueError):
    """The split cannot be made; `code` and `params` say why (messages are built by callers)."""

    MESSAGES = {
        "shares_mismatch": _("The shares add up to {total}, not {expected} "
                             "(difference {difference})"),
        "negative_share": _("The share of {region} is negative ({value})"),
        "not_whole": _("The share of {region} is not a whole number ({value})"),
        "no_weights": _("The base gives no weight to any region, so nothing can be split by it"),
        "negative_weight": _("The base of {region} is negative ({value})"),
        "no_regions": _("There are no regions to split among"),
        "unknown_region": _("{region} is not one of the regions being split among"),
    }

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.MESSAGES[code].format(**params))


@dataclass(frozen=True)
class Split:
    """The result of a split: integer shares keyed by region code, adding up to `total`."""

    total: int
    shares: dict[str, int] = field(default_factory=dict)
    method: str = "manual"
    weights: dict[str, Decimal] = field(default_factory=dict)


def _signed(value: int) -> str:
    return f"+{value:,}" if value > 0 else (f"−{abs(value):,}" if value < 0 else "0")


def largest_remainder(total: int, weights: Mapping[str, Decimal | int]) -> Split:
    """Shares of `total` proportional to `weights`, rounded so they add up exactly.

    Each region first gets the floor of its exact quota; the units left over go one each to the
    regions with the largest fractional remainders (ties: larger weight, then region code)."""
    if not weights:
        raise DecompositionError("no_regions")
    clean: dict[str, Decimal] = {}
    for region, w in weights.items():
        w = Decimal(w)
        if w < 0:
            raise DecompositionError("negative_weight", region=region, value=w)
        clean[region] = w
    weight_sum = sum(clean.values(), Decimal(0))
    if weight_sum == 0:
        raise DecompositionError("no_weights")
    quotas = {r: Decimal(total) * w / weight_sum for r, w in clean.items()}
    floors = {r: int(q.to_integral_value(rounding=ROUND_FLOOR)) for r, q in quotas.items()}
    left = total - sum(floors.values())
    order = sorted(clean, key=lambda r: (-(quotas[r] - floors[r]), -clean[r], r))
    for region in order[:left]:
        floors[region] += 1
    return Split(total=total, shares=floors, method="proportional", weights=clean)


def equal_split(total: int, regions: list[str]) -> Split:
    split = largest_remainder(total, dict.fromkeys(regions, 1))
    return Split(total=total, shares=split.shares, method="equal", weights=split.weights)


def check_manual(total: int, shares: Mapping[str, Decimal | int],
                 regions: list[str] | None = None) -> Split:
    """Hand-typed shares: whole numbers, not negative, for known regions, adding up to total."""
    clean: dict[str, int] = {}
    for region, value in shares.items():
        if regions is not None and region not in regions:
            raise DecompositionError("unknown_region", region=region)
        value = Decimal(value)
        if value < 0:
            raise DecompositionError("negative_share", region=region, value=value)
        if value != value.to_integral_value():
            raise DecompositionError("not_whole", region=region, value=value)
        clean[region] = int(value)
    for region in regions or []:
        clean.setdefault(region, 0)
    got = sum(clean.values())
    if got != total:
        raise DecompositionError("shares_mismatch", total=f"{got:,}", expected=f"{total:,}",
                                 difference=_signed(got - total))
    return Split(total=total, shares=clean, method="manual")

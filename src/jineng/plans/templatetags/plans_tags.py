"""Number formatting for plan pages: whole numbers without decimals, thousands separated."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def num(value) -> str:
    if value is None or value == "":
        return "—"
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


@register.filter
def pct(value) -> str:
    if value is None:
        return "—"
    return f"{Decimal(str(value)).normalize():f}%"


@register.filter
def metric_unit(target) -> str:
    from jineng.plans.rules.vocabulary import METRICS

    return METRICS[target.metric].unit_zh if target.metric in METRICS else ""

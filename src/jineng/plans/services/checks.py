"""The services' last line against figures a column cannot hold: every number a plans service
stores is checked against its column's range (rules/numbers.py), with a message naming the
field, before anything is written."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _

from jineng.core.errors import DomainError
from jineng.plans.rules import numbers


def check_decimal(value: Decimal | None, *, model: type[models.Model], column: str,
                  field: str, label: str, allow_negative: bool = True) -> None:
    """Refuse (DomainError on `field`) a value that `model.column` cannot hold."""
    if value is None:
        return
    spec = model._meta.get_field(column)
    problem = numbers.number_problem(value, max_digits=spec.max_digits,
                                     decimal_places=spec.decimal_places,
                                     allow_negative=allow_negative)
    if problem is not None:
        raise DomainError(_(problem.template) % {"field": label, **problem.params},
                          field=field, code=problem.code)


def check_integer(value: int, *, field: str, label: str,
                  maximum: int = numbers.FIGURE_MAX) -> None:
    """Refuse an integer beyond ±maximum (by default what a figure column holds, so a fact
    always fits the report lines and progress figures it adds to)."""
    problem = numbers.integer_problem(value, maximum=maximum)
    if problem is not None:
        raise DomainError(_(problem.template) % {"field": label, **problem.params},
                          field=field, code=problem.code)

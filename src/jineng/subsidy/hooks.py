"""Hooks of the subsidy app (core.hooks): what a higher app tells the subsidy rules.

`person_barred_until(person_id, day)`: the last day of a sanction barring the person from
subsidies on `day` (an ISO date string), or None. The supervision app registers it (its
sanctions); with no provider nobody is barred."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from jineng.core.hooks import Providers

person_barred_until = Providers[Callable[[int, dt.date], str | None]](
    "subsidy.person_barred_until")


def barred_until(person_id: int | None, day: dt.date) -> str:
    """"" when the person is not barred on `day`."""
    if not person_id:
        return ""
    return person_barred_until.first(int(person_id), day, default="") or ""

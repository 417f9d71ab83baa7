"""Quarters (按季度报送): explicit year and quarter number, dates both ends included."""

from __future__ import annotations

import datetime as dt


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1 to 4, not {quarter}")
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end = (dt.date(year + 1, 1, 1) if quarter == 4
           else dt.date(year, 3 * quarter + 1, 1)) - dt.timedelta(days=1)
    return start, end


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def last_closed_quarter(day: dt.date) -> tuple[int, int]:
    """The latest quarter that has ended by `day` (the one being reported on)."""
    year, quarter = quarter_of(day)
    _, end = quarter_bounds(year, quarter)
    return (year, quarter) if day >= end else previous_quarter(year, quarter)


def quarters_between(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """Every quarter touching [start, end], in order."""
    out = []
    year, quarter = quarter_of(start)
    while quarter_bounds(year, quarter)[0] <= end:
        out.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return out



# The years a plan page or report can be asked about: wide enough for any plan, narrow enough
# that date arithmetic (a year after, a quarter before) never leaves the calendar.
YEAR_MIN = 2000
YEAR_MAX = 2099
DAY_MIN = dt.date(YEAR_MIN, 1, 1)
DAY_MAX = dt.date(YEAR_MAX, 12, 31)

import datetime as dt

import pytest

from jineng.plans.rules.quarters import (
    last_closed_quarter,
    quarter_bounds,
    quarter_of,
    quarters_between,
)


def test_quarters():
    assert quarter_of(dt.date(2026, 11, 21)) == (2026, 4)
    assert quarter_bounds(2026, 1) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert quarter_bounds(2026, 4) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert last_closed_quarter(dt.date(2026, 11, 21)) == (2026, 3)
    assert last_closed_quarter(dt.date(2026, 12, 31)) == (2026, 4)
    assert last_closed_quarter(dt.date(2026, 1, 5)) == (2025, 4)
    assert quarters_between(dt.date(2025, 2, 1), dt.date(2025, 7, 1)) == [
        (2025, 1), (2025, 2), (2025, 3)]
    with pytest.raises(ValueError):
        quarter_bounds(2026, 5)

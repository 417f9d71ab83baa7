"""The statutory retirement age by birth month and gender (2024 NPCSC decision, in force
2025-01-01): table-driven boundaries."""

import datetime as dt

import pytest

from jineng.training.rules.retirement import (
    SCHEME_FIXED_1978,
    add_months,
    age_on,
    delay_months,
    statutory_retirement,
)

D = dt.date


@pytest.mark.parametrize(("birth", "gender", "basis", "years", "months", "reached"), [
    # men: 60, one month more every four months from January 2025, up to 63
    (D(1964, 12, 15), "M", 50, 60, 0, D(2024, 12, 15)),  # retired before the reform
    (D(1965, 1, 15), "M", 50, 60, 1, D(2025, 2, 15)),
    (D(1965, 4, 30), "M", 50, 60, 1, D(2025, 5, 30)),
    (D(1965, 5, 1), "M", 50, 60, 2, D(2025, 7, 1)),
    (D(1966, 1, 10), "M", 50, 60, 4, D(2026, 5, 10)),
    (D(1976, 8, 1), "M", 50, 62, 11, D(2039, 7, 1)),
    (D(1976, 9, 1), "M", 50, 63, 0, D(2039, 9, 1)),
    (D(1990, 5, 17), "M", 50, 63, 0, D(2053, 5, 17)),
    # women workers (original 50): one month every two months, up to 55
    (D(1974, 12, 31), "F", 50, 50, 0, D(2024, 12, 31)),
    (D(1975, 1, 1), "F", 50, 50, 1, D(2025, 2, 1)),
    (D(1975, 2, 28), "F", 50, 50, 1, D(2025, 3, 28)),
    (D(1975, 3, 1), "F", 50, 50, 2, D(2025, 5, 1)),
    (D(1984, 10, 5), "F", 50, 54, 11, D(2039, 9, 5)),
    (D(1984, 11, 5), "F", 50, 55, 0, D(2039, 11, 5)),
    # women cadres (original 55): one month every four months, up to 58
    (D(1969, 12, 1), "F", 55, 55, 0, D(2024, 12, 1)),
    (D(1970, 1, 1), "F", 55, 55, 1, D(2025, 2, 1)),
    (D(1970, 5, 1), "F", 55, 55, 2, D(2025, 7, 1)),
    (D(1981, 8, 1), "F", 55, 57, 11, D(2039, 7, 1)),
    (D(1981, 9, 1), "F", 55, 58, 0, D(2039, 9, 1)),
])
def test_gradual_retirement_age(birth, gender, basis, years, months, reached):
    r = statutory_retirement(birth, gender, female_basis=basis)
    assert (r.years, r.months, r.reached_on) == (years, months, reached)


def test_the_birth_day_is_clamped_to_a_shorter_month():
    assert add_months(D(1965, 1, 31), 721) == D(2025, 2, 28)
    assert statutory_retirement(D(1965, 1, 31), "M").reached_on == D(2025, 2, 28)


def test_fixed_scheme_before_2025():
    r = statutory_retirement(D(1966, 1, 10), "M", scheme=SCHEME_FIXED_1978)
    assert (r.years, r.months, r.delay_months) == (60, 0, 0)
    assert statutory_retirement(D(1980, 1, 1), "F", female_basis=50,
                                scheme=SCHEME_FIXED_1978).years == 50


def test_label_and_delay():
    assert statutory_retirement(D(1965, 5, 1), "M").label == "60周岁2个月"
    assert statutory_retirement(D(1990, 1, 1), "M").label == "63周岁"
    assert delay_months(D(1964, 12, 1), 60) == 0


def test_unknown_inputs_are_refused():
    with pytest.raises(ValueError):
        statutory_retirement(D(1980, 1, 1), "F", female_basis=52)
    with pytest.raises(ValueError):
        statutory_retirement(D(1980, 1, 1), "M", scheme="nope")


@pytest.mark.parametrize(("birth", "day", "age"), [
    (D(2010, 3, 2), D(2026, 3, 1), 15), (D(2010, 3, 2), D(2026, 3, 2), 16),
    (D(2008, 2, 29), D(2026, 2, 28), 17),
])
def test_age_on(birth, day, age):
    assert age_on(birth, day) == age

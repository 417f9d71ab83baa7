"""Splitting a target: largest remainders add up exactly; hand shares that do not are refused."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.plans.rules.decompose import (
    DecompositionError,
    check_manual,
    equal_split,
    largest_remainder,
)


def test_largest_remainder_hand_computed():
    # 100 by 1:1:1 → quotas 33.33 each; the one left over goes to the first by code.
    assert largest_remainder(100, {"a": 1, "b": 1, "c": 1}).shares == {"a": 34, "b": 33, "c": 33}
    # 1,000,000 by 599:303:661 (1,563) → 383,237.36 / 193,857.96 / 422,904.67
    # floors 383,237 + 193,857 + 422,904 = 999,998; two left: .96 (b) then .67 (c)
    split = largest_remainder(1000000, {"a": 599, "b": 303, "c": 661})
    assert split.shares == {"a": 383237, "b": 193858, "c": 422905}
    assert sum(split.shares.values()) == 1000000


@given(total=st.integers(min_value=0, max_value=10**8),
       weights=st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3),
                               st.integers(min_value=0, max_value=10**6), min_size=1,
                               max_size=20).filter(lambda w: sum(w.values()) > 0))
def test_proportional_shares_always_add_up_and_stay_within_one_of_the_quota(total, weights):
    split = largest_remainder(total, weights)
    assert sum(split.shares.values()) == total
    weight_sum = sum(weights.values())
    for region, share in split.shares.items():
        quota = D(total) * weights[region] / weight_sum
        assert abs(D(share) - quota) < 1


def test_manual_shares_must_add_up_and_the_difference_is_shown():
    assert check_manual(100, {"a": 60, "b": 40}).shares == {"a": 60, "b": 40}
    with pytest.raises(DecompositionError) as exc:
        check_manual(1000000, {"a": 600000, "b": 390000})
    assert exc.value.code == "shares_mismatch"
    assert exc.value.params["difference"] == "−10,000"
    assert "990,000" in str(exc.value) and "1,000,000" in str(exc.value)
    with pytest.raises(DecompositionError) as exc:
        check_manual(100, {"a": 70, "b": 40})
    assert exc.value.params["difference"] == "+10"


def test_manual_shares_refuse_negatives_fractions_and_strangers():
    with pytest.raises(DecompositionError, match="negative"):
        check_manual(10, {"a": 20, "b": -10})
    with pytest.raises(DecompositionError) as exc:
        check_manual(10, {"a": D("5.5"), "b": D("4.5")})
    assert exc.value.code == "not_whole"
    with pytest.raises(DecompositionError) as exc:
        check_manual(10, {"x": 10}, regions=["a", "b"])
    assert exc.value.code == "unknown_region"
    # regions not named get 0
    assert check_manual(10, {"a": 10}, regions=["a", "b"]).shares == {"a": 10, "b": 0}


def test_no_weight_no_split():
    with pytest.raises(DecompositionError) as exc:
        largest_remainder(10, {"a": 0, "b": 0})
    assert exc.value.code == "no_weights"
    assert equal_split(10, ["a", "b", "c"]).shares == {"a": 4, "b": 3, "c": 3}

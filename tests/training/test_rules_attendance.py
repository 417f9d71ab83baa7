"""Pure attendance rules: distance, session matching, credited hours, durations, completion."""

import datetime as dt
from decimal import Decimal

import pytest

from jineng.training.rules import attendance as r

TZ = dt.timezone(dt.timedelta(hours=8))


def t(h, m=0, day=2):
    return dt.datetime(2026, 3, day, h, m, tzinfo=TZ)


def test_haversine():
    assert r.haversine_m(26.57, 106.71, 26.57, 106.71) == 0
    assert r.haversine_m(26.0, 106.0, 26.01, 106.0) == pytest.approx(1111.95, abs=0.5)
    assert r.too_far(501, 500) and not r.too_far(500, 500) and not r.too_far(None, 500)


SESSIONS = [r.SessionWindow(1, t(9), t(12)), r.SessionWindow(2, t(14), t(17)),
            r.SessionWindow(3, t(9, day=3), t(12, day=3))]
GRACE = dt.timedelta(minutes=60)


@pytest.mark.parametrize(("at", "expected"), [
    (t(10), (1, False)), (t(8, 30), (1, False)), (t(7, 30), (1, True)),
    (t(13, 10), (2, False)),  # nearer the afternoon session
    (t(17, 50), (2, False)), (t(18, 30), (2, True)), (t(10, day=4), (None, True)),
])
def test_match_session(at, expected):
    assert r.match_session(at, SESSIONS, GRACE) == expected


@pytest.mark.parametrize(("check_in", "check_out", "seconds"), [
    (t(8, 50), t(12, 5), 3 * 3600),  # whole session
    (t(9, 30), t(12, 0), int(2.5 * 3600)),  # late arrival
    (t(9, 0), t(11, 0), 2 * 3600),  # early leave
    (t(9, 0), None, 0), (None, t(12), 0),  # no pair, no credit
    (t(12, 30), t(13, 0), 0),  # outside the window
])
def test_credited_session_seconds(check_in, check_out, seconds):
    assert r.credited_session_seconds(t(9), t(12), 3 * 3600, check_in, check_out) == seconds


def test_credit_is_capped_at_the_session_hours():
    # a 9-17 window with a lunch break counts 7 hours at most
    assert r.credited_session_seconds(t(9), t(17), 7 * 3600, t(8), t(18)) == 7 * 3600


@pytest.mark.parametrize(("text", "seconds"), [
    ("PT1H30M", 5400), ("PT45M10.5S", 2710), ("P1DT2H", 93600), ("PT0.5H", 1800),
    ("pt10m", 600),
])
def test_parse_duration(text, seconds):
    assert r.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "1H", "P1Y", "P2M", "P1W", "PT1H30", "PTXM"])
def test_parse_duration_refuses(text):
    with pytest.raises(ValueError):
        r.parse_duration(text)


def test_online_credit_is_capped_by_the_online_share():
    assert r.online_credit_seconds(100 * 3600, Decimal(40), Decimal("0.25")) == 10 * 3600
    assert r.online_credit_seconds(3600, Decimal(40), Decimal("0.25")) == 3600
    assert r.online_credit_seconds(3600, Decimal(40), Decimal(0)) == 0


def test_completion_at_the_threshold():
    done = r.completion(offline_seconds=24 * 3600, online_seconds=0,
                        required_hours=Decimal(30), min_share=Decimal("0.8"),
                        online_share=Decimal(0))
    short = r.completion(offline_seconds=24 * 3600 - 60, online_seconds=0,
                         required_hours=Decimal(30), min_share=Decimal("0.8"),
                         online_share=Decimal(0))
    assert done.completed and done.threshold_hours == Decimal("24.00")
    assert not short.completed and short.attended_hours == Decimal("23.98")
    assert "24.00 ≥ 30 × 0.8 = 24.00" in done.rule
    blended = r.completion(offline_seconds=20 * 3600, online_seconds=9 * 3600,
                           required_hours=Decimal(30), min_share=Decimal("0.8"),
                           online_share=Decimal("0.2"))
    assert blended.online_hours == Decimal("6.00") and blended.completed

"""The matching rules (demand.rules.matching), table-driven, and the set-based engine
(demand.rules.matching_vector) checked against them with Hypothesis."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.demand.rules import matching as r
from jineng.demand.rules import matching_vector as v

TODAY = 740000  # an ordinal day
GUIYANG = (26.647, 106.630)


def wish(**kw) -> r.WishFacts:
    values = {"occupation_ids": frozenset({10}), "level_rank": None, "preferred_time": r.ANY,
              "lat": GUIYANG[0], "lon": GUIYANG[1], "max_km": 20.0,
              "key_groups": frozenset()}
    values.update(kw)
    return r.WishFacts(**values)


def klass(**kw) -> r.ClassFacts:
    values = {"occupation_id": 10, "occupation_parent_id": None, "level_rank": 2,
              "start_ordinal": TODAY + 3, "end_ordinal": TODAY + 20, "status": "approved",
              "lat": GUIYANG[0] + 0.05, "lon": GUIYANG[1], "windows": (r.WEEKEND,) * 4,
              "subsidized": True}
    values.update(kw)
    return r.ClassFacts(**values)


def first_failed(verdict: r.Verdict) -> str | None:
    failed = [x["rule"] for x in verdict.reasons if not x["ok"]]
    return failed[0] if failed else None


# --- distance --------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b", "km"), [
    ((26.647, 106.630), (26.647, 106.630), 0.0),
    ((0.0, 0.0), (0.0, 1.0), 111.195),  # one degree of longitude on the equator
    ((26.647, 106.630), (27.725, 106.927), 123.0),  # 贵阳 → 遵义, about 123 km
    ((39.904, 116.407), (31.230, 121.474), 1067.0),  # 北京 → 上海
])
def test_haversine_known_distances(a, b, km):
    assert r.haversine_km(*a, *b) == pytest.approx(km, abs=1.5)


@given(st.floats(-80, 80), st.floats(-179, 179), st.floats(-80, 80), st.floats(-179, 179))
def test_haversine_is_symmetric_and_bounded(lat1, lon1, lat2, lon2):
    d = r.haversine_km(lat1, lon1, lat2, lon2)
    assert d == pytest.approx(r.haversine_km(lat2, lon2, lat1, lon1), abs=1e-6)
    assert 0 <= d <= math.pi * r.EARTH_RADIUS_KM + 1e-6
    assert float(v.haversine_km(lat1, lon1, lat2, lon2)) == pytest.approx(d, abs=1e-6)


# --- time ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("weekday", "minute", "window"), [
    (0, 9 * 60, r.WEEKDAY_DAY), (4, 17 * 60 + 59, r.WEEKDAY_DAY),
    (2, 18 * 60, r.WEEKDAY_EVENING), (5, 9 * 60, r.WEEKEND), (6, 19 * 60, r.WEEKEND),
])
def test_session_window(weekday, minute, window):
    assert r.session_window(weekday, minute) == window


@pytest.mark.parametrize(("preferred", "windows", "share"), [
    (r.ANY, (r.WEEKDAY_DAY,), 1.0),
    (r.WEEKEND, (), 1.0),
    (r.WEEKEND, (r.WEEKEND, r.WEEKDAY_DAY), 0.5),
    (r.WEEKDAY_EVENING, (r.WEEKDAY_DAY,) * 3, 0.0),
])
def test_time_share(preferred, windows, share):
    assert r.time_share(preferred, windows) == share


# --- a wish → a class, each criterion -------------------------------------------------------

@pytest.mark.parametrize(("w", "c", "fits", "failed"), [
    (wish(), klass(), True, None),
    (wish(occupation_ids=frozenset({11})), klass(), False, "occupation"),
    (wish(occupation_ids=frozenset({7})), klass(occupation_parent_id=7), True, None),
    (wish(), klass(status="declared"), False, "dates"),
    (wish(), klass(end_ordinal=TODAY - 1, start_ordinal=TODAY - 9), False, "dates"),
    (wish(), klass(status="open", start_ordinal=TODAY - r.JOIN_LATE_DAYS), True, None),
    (wish(), klass(status="open", start_ordinal=TODAY - r.JOIN_LATE_DAYS - 1), False, "dates"),
    (wish(), klass(status="approved", start_ordinal=TODAY - 1), False, "dates"),
    (wish(), klass(seats_left=0), False, "seats"),
    (wish(lat=None, lon=None), klass(), False, "distance"),
    (wish(max_km=5), klass(), False, "distance"),  # 5.6 km away
    (wish(max_km=6), klass(), True, None),
    (wish(preferred_time=r.WEEKDAY_EVENING), klass(), False, "time"),
    (wish(preferred_time=r.WEEKEND), klass(windows=(r.WEEKEND, r.WEEKDAY_DAY)), True, None),
    (wish(preferred_time=r.WEEKEND),
     klass(windows=(r.WEEKEND, r.WEEKDAY_DAY, r.WEEKDAY_DAY)), False, "time"),
    (wish(level_rank=3), klass(level_rank=2), False, "level"),
    (wish(level_rank=2), klass(level_rank=2), True, None),
    (wish(), klass(target_group="migrant_worker"), False, "key_group"),
    (wish(key_groups=frozenset({"migrant_worker"})), klass(target_group="migrant_worker"),
     True, None),
])
def test_match_class_each_rule(w, c, fits, failed):
    verdict = r.match_class(w, c, TODAY)
    assert verdict.fits is fits
    assert first_failed(verdict) == failed
    if fits:
        rules = [x["rule"] for x in verdict.reasons]
        assert {"occupation", "dates", "distance", "time", "level", "key_group",
                "subsidy"} <= set(rules)
        assert 0 < verdict.score <= 100


def test_score_prefers_near_subsidized_wished_level_and_own_group():
    base = r.match_class(wish(), klass(), TODAY).score
    assert r.match_class(wish(), klass(lat=GUIYANG[0] + 0.01), TODAY).score > base
    assert r.match_class(wish(), klass(subsidized=False), TODAY).score < base
    assert r.match_class(wish(level_rank=2), klass(), TODAY).score > base
    assert r.match_class(wish(key_groups=frozenset({"veteran"})),
                         klass(target_group="veteran"), TODAY).score > base


def test_best_matches_orders_by_score_then_distance_then_id():
    a = r.Verdict(True, 50.0, 3.0)
    b = r.Verdict(True, 50.0, 1.0)
    c = r.Verdict(True, 80.0, 9.0)
    d = r.Verdict(False, 0.0, 0.0)
    assert [cid for cid, _ in r.best_matches([(1, a), (2, b), (3, c), (4, d)])] == [3, 2, 1]
    assert len(r.best_matches([(i, a) for i in range(9)], limit=5)) == 5


# --- institutions and referrals --------------------------------------------------------------

@pytest.mark.parametrize(("facts", "fits", "failed"), [
    (r.InstitutionFacts(1, True, "listed", 10.0, 2), True, None),
    (r.InstitutionFacts(1, False, "level_not_listed", 10.0, 2), False, "listed"),
    (r.InstitutionFacts(1, True, "listed", 60.0, 2), False, "distance"),
    (r.InstitutionFacts(1, True, "listed", None, 0), False, "distance"),
])
def test_rank_institution(facts, fits, failed):
    verdict = r.rank_institution(facts)
    assert verdict.fits is fits and first_failed(verdict) == failed


def test_rank_institution_prefers_near_and_experienced():
    near = r.rank_institution(r.InstitutionFacts(1, True, "listed", 5.0, 0)).score
    far = r.rank_institution(r.InstitutionFacts(1, True, "listed", 30.0, 0)).score
    seasoned = r.rank_institution(r.InstitutionFacts(1, True, "listed", 30.0, 10)).score
    assert near > far and seasoned > far


def trainee(**kw) -> r.TraineeFacts:
    values = {"completed": True, "occupation_id": 10, "occupation_parent_id": None,
              "level_rank": 2, "finished_ordinal": TODAY - 5, "lat": GUIYANG[0],
              "lon": GUIYANG[1]}
    values.update(kw)
    return r.TraineeFacts(**values)


def demand(**kw) -> r.DemandFacts:
    values = {"occupation_id": 10, "level_rank": 2, "open": True,
              "needed_by_ordinal": TODAY + 30, "lat": GUIYANG[0] + 0.1, "lon": GUIYANG[1],
              "wage_min": 4000, "wage_max": 6000}
    values.update(kw)
    return r.DemandFacts(**values)


@pytest.mark.parametrize(("t", "d", "fits", "failed"), [
    (trainee(), demand(), True, None),
    (trainee(completed=False), demand(), False, "completed"),
    (trainee(occupation_id=11), demand(), False, "occupation"),
    (trainee(occupation_id=11, occupation_parent_id=10), demand(), True, None),
    (trainee(level_rank=1), demand(), False, "level"),
    (trainee(level_rank=3), demand(), True, None),
    (trainee(), demand(level_rank=None), True, None),
    (trainee(), demand(open=False), False, "demand_open"),
    (trainee(), demand(needed_by_ordinal=TODAY - 1), False, "demand_open"),
    (trainee(lat=None), demand(), False, "distance"),
    (trainee(), demand(lat=GUIYANG[0] + 1.0), False, "distance"),
])
def test_match_referral(t, d, fits, failed):
    verdict = r.match_referral(t, d, TODAY)
    assert verdict.fits is fits and first_failed(verdict) == failed
    if fits:
        assert any(x["rule"] == "wage" for x in verdict.reasons)


# --- lifecycles ------------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "party", "agree", "after"), [
    ((r.PROPOSED, False, False), r.ENTERPRISE, True, (r.PROPOSED, True, False)),
    ((r.PROPOSED, True, False), r.INSTITUTION, True, (r.AGREED, True, True)),
    ((r.PROPOSED, False, True), r.ENTERPRISE, True, (r.AGREED, True, True)),
    ((r.PROPOSED, True, False), r.INSTITUTION, False, (r.DECLINED, True, False)),
    ((r.PROPOSED, False, False), r.ENTERPRISE, False, (r.DECLINED, False, False)),
])
def test_proposal_answers(state, party, agree, after):
    status, ent, inst = state
    assert r.proposal_after_answer(status, enterprise_agreed=ent, institution_agreed=inst,
                                   party=party, agree=agree) == after


@pytest.mark.parametrize(("state", "party"), [
    ((r.AGREED, True, True), r.ENTERPRISE), ((r.DECLINED, False, False), r.INSTITUTION),
    ((r.DECLARED, True, True), r.INSTITUTION), ((r.PROPOSED, True, False), r.ENTERPRISE),
    ((r.PROPOSED, False, False), "stranger"),
])
def test_proposal_answers_refused(state, party):
    status, ent, inst = state
    with pytest.raises(ValueError):
        r.proposal_after_answer(status, enterprise_agreed=ent, institution_agreed=inst,
                                party=party, agree=True)


@pytest.mark.parametrize(("status", "action", "after"), [
    ("referred", "interview", "interviewed"), ("interviewed", "hire", "hired"),
    ("referred", "hire", "hired"), ("interviewed", "decline", "declined"),
    ("hired", "confirm", "confirmed"), ("referred", "withdraw", "withdrawn"),
    ("referred", "confirm", None), ("declined", "hire", None), ("confirmed", "hire", None),
    ("hired", "decline", None), ("referred", "teleport", None),
])
def test_referral_transitions(status, action, after):
    assert r.referral_next(status, action) == after


# --- the set-based engine keeps exactly what the rule keeps ---------------------------------

GROUPS = ("migrant_worker", "veteran", "unemployed")
WINDOWS = (r.WEEKDAY_DAY, r.WEEKDAY_EVENING, r.WEEKEND)

coord = st.tuples(st.floats(26.0, 27.5), st.floats(106.0, 107.5))
class_st = st.builds(
    dict, occ=st.integers(1, 4), parent=st.sampled_from([None, 1, 5]),
    level=st.integers(1, 4), start=st.integers(-10, 10), length=st.integers(0, 30),
    status=st.sampled_from(["approved", "open", "declared"]), where=coord,
    windows=st.lists(st.sampled_from(WINDOWS), max_size=6).map(tuple),
    subsidized=st.booleans(), group=st.sampled_from(["", *GROUPS]), seats=st.integers(0, 3))
wish_st = st.builds(
    dict, occs=st.sets(st.integers(1, 5), min_size=1, max_size=2),
    level=st.sampled_from([None, 1, 2, 3]), time=st.sampled_from([*WINDOWS, r.ANY]),
    where=st.one_of(st.none(), coord), max_km=st.integers(1, 120),
    groups=st.sets(st.sampled_from(GROUPS), max_size=2))


def _class_facts(x) -> r.ClassFacts:
    return r.ClassFacts(
        occupation_id=x["occ"], occupation_parent_id=x["parent"], level_rank=x["level"],
        start_ordinal=TODAY + x["start"], end_ordinal=TODAY + x["start"] + x["length"],
        status=x["status"], lat=x["where"][0], lon=x["where"][1], windows=x["windows"],
        subsidized=x["subsidized"], target_group=x["group"], seats_left=x["seats"])


def _wish_facts(x) -> r.WishFacts:
    lat, lon = x["where"] if x["where"] else (None, None)
    return r.WishFacts(occupation_ids=frozenset(x["occs"]), level_rank=x["level"],
                       preferred_time=x["time"], lat=lat, lon=lon, max_km=float(x["max_km"]),
                       key_groups=frozenset(x["groups"]))


def class_arrays(facts: list[r.ClassFacts]) -> v.ClassArrays:
    def shares(c):
        return [r.time_share(k, c.windows) for k in WINDOWS]

    return v.ClassArrays(
        class_id=np.arange(1, len(facts) + 1),
        occupation=np.array([c.occupation_id for c in facts]),
        parent=np.array([c.occupation_parent_id or -1 for c in facts]),
        level=np.array([c.level_rank for c in facts]),
        start=np.array([c.start_ordinal for c in facts]),
        end=np.array([c.end_ordinal for c in facts]),
        status=np.array([v.STATUS_CODES.get(c.status, 0) for c in facts]),
        lat=np.array([c.lat for c in facts]), lon=np.array([c.lon for c in facts]),
        shares=np.array([shares(c) for c in facts], dtype=float).reshape(len(facts), 3),
        subsidized=np.array([c.subsidized for c in facts], dtype=bool),
        group=np.array([GROUPS.index(c.target_group) + 1 if c.target_group else 0
                        for c in facts]),
        seats=np.array([c.seats_left for c in facts]))


def wish_arrays(facts: list[r.WishFacts]) -> v.WishArrays:
    pairs = [(i, o) for i, w in enumerate(facts) for o in sorted(w.occupation_ids)]
    return v.WishArrays(
        wish_id=np.arange(1, len(facts) + 1),
        lat=np.array([np.nan if w.lat is None else w.lat for w in facts]),
        lon=np.array([np.nan if w.lon is None else w.lon for w in facts]),
        max_km=np.array([w.max_km for w in facts]),
        level=np.array([-1 if w.level_rank is None else w.level_rank for w in facts]),
        time=np.array([v.TIME_CODES[w.preferred_time] for w in facts]),
        groups=np.array([sum(1 << GROUPS.index(g) for g in w.key_groups) for w in facts]),
        pair_wish=np.array([p[0] for p in pairs]), pair_occupation=np.array([p[1] for p in pairs]))


@settings(max_examples=150, deadline=None)
@given(st.lists(wish_st, min_size=1, max_size=8), st.lists(class_st, min_size=1, max_size=12),
       st.integers(1, 5))
def test_engine_agrees_with_the_rule(wishes, classes, limit):
    wf, cf = [_wish_facts(x) for x in wishes], [_class_facts(x) for x in classes]
    got = v.match(wish_arrays(wf), class_arrays(cf), TODAY, limit=limit)
    engine = {}
    for wid, cid, score, km in zip(got.wish_id, got.class_id, got.score, got.distance_km,
                                   strict=True):
        engine.setdefault(int(wid), []).append((int(cid), float(score), float(km)))
    for i, w in enumerate(wf, start=1):
        best = r.best_matches([(j, r.match_class(w, c, TODAY)) for j, c in enumerate(cf, 1)],
                              limit=limit)
        mine = engine.get(i, [])
        assert [cid for cid, _ in best] == [cid for cid, _s, _k in mine] or \
            _near_tie(best, mine)
        for (cid, verdict), (other, score, km) in zip(best, mine, strict=False):
            if cid != other:
                continue
            assert score == pytest.approx(verdict.score, abs=2e-3)
            assert km == pytest.approx(verdict.distance_km, abs=0.11)


def _near_tie(best, mine) -> bool:
    """Orders may differ only where two scores tie to the third decimal."""
    a = sorted(round(v.score, 2) for _c, v in best)
    b = sorted(round(s, 2) for _c, s, _k in mine)
    return a == pytest.approx(b, abs=0.01)


def test_engine_empty_and_limits():
    wf = [wish(occupation_ids=frozenset({10}))] * 3
    cf = [klass(lat=GUIYANG[0] + 0.01 * k) for k in range(8)]
    got = v.match(wish_arrays(wf), class_arrays(cf), TODAY, limit=5)
    assert len(got.wish_id) == 15
    assert list(got.class_id[:5]) == [1, 2, 3, 4, 5]  # nearest first
    none = v.match(wish_arrays([wish(occupation_ids=frozenset({99}))]), class_arrays(cf),
                   TODAY)
    assert len(none.wish_id) == 0

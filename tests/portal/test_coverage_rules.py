"""The pure rules of the 30-minute circle: travel time (a hand-checked example), nearest sites
through the grid against a plain scan, shares, and placement against brute force."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.portal.rules import coverage as cov
from jineng.portal.rules import placement as pl
from jineng.portal.rules import travel


def test_haversine_hand_checked():
    # 0.1° of latitude on a sphere of R = 6371.0088 km: 2πR/3600 = 11.1195 km.
    assert travel.haversine_km(106.0, 26.0, 106.0, 26.1) == pytest.approx(11.1195, abs=1e-3)
    # 1° of longitude at the equator: 111.195 km.
    assert travel.haversine_km(0, 0, 1, 0) == pytest.approx(111.195, abs=1e-3)


@pytest.mark.parametrize(("km", "mode", "terrain", "minutes"), [
    # 11.1195 km × 1.40 ÷ 35 km/h × 60 = 26.687 min (by hand)
    (11.1195, "drive", "hill", 26.687),
    # 10 km × 1.25 ÷ 40 × 60 = 18.75
    (10.0, "drive", "plain", 18.75),
    # 10 km × 1.60 ÷ 15 × 60 = 64.0
    (10.0, "bus", "mountain", 64.0),
    # 2 km × 1.25 ÷ 4.5 × 60 = 33.333
    (2.0, "walk", "plain", 33.333),
    (0.0, "ebike", "hill", 0.0),
])
def test_minutes_table(km, mode, terrain, minutes):
    assert travel.minutes_for_distance(km, mode=mode, terrain=terrain) == pytest.approx(
        minutes, abs=1e-3)


def test_travel_minutes_end_to_end_hand_checked():
    assert travel.travel_minutes(106.0, 26.0, 106.0, 26.1, mode="drive",
                                 terrain="hill") == pytest.approx(26.687, abs=1e-2)


def test_reach_is_the_inverse():
    km = travel.reach_km(30, mode="drive", terrain="mountain")
    assert km == pytest.approx(30 / 60 * 30 / 1.6)
    assert travel.minutes_for_distance(km, mode="drive", terrain="mountain") == pytest.approx(30)


@pytest.mark.parametrize(("call", "code"), [
    (lambda: travel.minutes_for_distance(-1), "distance_out_of_range"),
    (lambda: travel.minutes_for_distance(10_000), "distance_out_of_range"),
    (lambda: travel.minutes_for_distance(math.nan), "distance_out_of_range"),
    (lambda: travel.minutes_for_distance(1, mode="rocket"), "unknown_mode"),
    (lambda: travel.minutes_for_distance(1, terrain="sea"), "unknown_terrain"),
    (lambda: travel.travel_minutes(200, 26, 106, 26), "longitude_out_of_range"),
    (lambda: travel.TravelParameters(detour={"plain": 0.5, "hill": 1, "mountain": 1}).check(),
     "detour_out_of_range"),
    (lambda: travel.TravelParameters(speed_kmh={"drive": {"plain": 900}}).check(),
     "speed_out_of_range"),
])
def test_absurd_inputs_refused(call, code):
    with pytest.raises(travel.InvalidTravelInput) as refused:
        call()
    assert refused.value.code == code


points = st.tuples(st.floats(105.0, 107.0), st.floats(25.0, 27.0))


@settings(max_examples=40, deadline=None)
@given(st.lists(points, min_size=1, max_size=40), points)
def test_grid_nearest_equals_a_plain_scan(sites, probe):
    grid = cov.Grid(sites)
    i, km = grid.nearest(*probe)
    plain = min(travel.haversine_km(*probe, *s) for s in sites)
    assert km == pytest.approx(plain)
    assert travel.haversine_km(*probe, *sites[i]) == pytest.approx(plain)


@settings(max_examples=30, deadline=None)
@given(st.lists(points, min_size=0, max_size=60), points, st.floats(1.0, 60.0))
def test_grid_within_equals_a_plain_scan(pts, probe, radius):
    found = {i for i, _ in cov.Grid(pts).within(*probe, radius)}
    assert found == {i for i, p in enumerate(pts) if travel.haversine_km(*probe, *p) <= radius}


def _area(code, lon, lat, pop, county="520102", town=None, designation="", terrain="hill"):
    return cov.Area(code=code, name=code, county_code=county, town_code=town or code,
                    lon=lon, lat=lat, population=pop, terrain=terrain, designation=designation)


def test_shares_per_county_and_town_and_gaps():
    # One site at (106.0, 26.0); reach by car in hills: 30/60 × 35 / 1.4 = 12.5 km.
    site = cov.Site("s1", 106.0, 26.0)
    areas = [
        _area("A", 106.0, 26.05, 1000, town="T1", designation="county_seat"),  # 5.6 km: in
        _area("B", 106.0, 26.10, 3000, town="T1"),  # 11.1 km → 26.7 min: in
        _area("C", 106.0, 26.20, 500, town="T2", designation="key_village"),  # 22 km: out
        _area("D", 107.0, 26.00, 1500, county="520103", town="T3"),  # 100 km: out
    ]
    reaches = cov.nearest_reach(areas, [site])
    summary = cov.summarize(areas, reaches, threshold=30, county_names={}, town_names={})
    by_county = {s.code: s for s in summary.counties}
    assert by_county["520102"].population == 4500
    assert by_county["520102"].covered == 4000
    assert by_county["520102"].share == pytest.approx(0.8889)
    assert by_county["520103"].share == 0
    assert {s.code: s.share for s in summary.towns} == {"T1": 1.0, "T2": 0.0, "T3": 0.0}
    assert summary.total.covered == 4000 and summary.total.population == 6000
    assert [g["code"] for g in summary.gaps] == ["D", "C"]  # farthest first
    assert [(x["code"], x["covered"]) for x in summary.axis] == [("A", True), ("C", False)]


def test_matrix_replaces_the_model_and_ignores_inactive_sites():
    areas = [_area("A", 106.0, 26.05, 10), _area("B", 106.0, 26.05, 10)]
    sites = [cov.Site("1", 106.0, 26.0)]
    reaches = cov.nearest_reach(areas, sites, matrix={"A": {"1": 45.0, "9": 5.0}})
    assert reaches[0].from_matrix and reaches[0].minutes == 45.0  # site 9 is not active
    assert not reaches[1].from_matrix and reaches[1].minutes < 30


def test_no_sites_means_no_reach():
    reaches = cov.nearest_reach([_area("A", 106, 26, 5)], [])
    assert reaches[0].minutes is None and not reaches[0].covered(30)


def test_county_seat_by_position():
    areas = [_area("A", 106.0, 26.0, 1), _area("B", 106.5, 26.0, 1),
             _area("C", 107.0, 26.0, 1, county="520103", designation="county_seat")]
    seats = {"520102": (106.45, 26.0), "520103": (106.0, 26.0)}
    assert cov.county_seat_by_position(areas, seats) == {"520102": "B"}


@pytest.mark.parametrize("seed", range(8))
def test_placement_matches_brute_force(seed):
    rng = random.Random(seed)
    areas = [_area(str(i), 106 + rng.random() * 0.6, 26 + rng.random() * 0.6,
                   rng.randint(0, 5000), terrain=rng.choice(travel.TERRAINS))
             for i in range(25)]
    candidates = [cov.Site(f"c{j}", 106 + rng.random() * 0.6, 26 + rng.random() * 0.6)
                  for j in range(9)]
    sets = pl.coverage_sets(areas, candidates, threshold=30)
    weights = [a.population for a in areas]
    for k in (1, 2, 3):
        proposal = pl.propose(weights, sets, k)
        assert proposal.covered == pl.brute_force(weights, sets, k)
        # The gains add up, each one is what that choice newly covers, best first.
        assert sum(c.gain for c in proposal.choices) == proposal.covered
        gains = [c.gain for c in proposal.choices]
        assert gains[0] == max(sum(weights[i] for i in sets[int(c.key)])
                               for c in proposal.choices)


def test_placement_refusals():
    with pytest.raises(pl.InvalidPlacement) as refused:
        pl.propose([1], [{0}], 0)
    assert refused.value.code == "k_out_of_range"
    with pytest.raises(pl.InvalidPlacement) as refused:
        pl.propose([1], [], 1)
    assert refused.value.code == "no_candidates"


def test_placement_with_fewer_useful_candidates_than_k():
    proposal = pl.propose([10, 20], [{0}, set(), {1}], 5)
    assert proposal.status == "trivial" and proposal.covered == 30

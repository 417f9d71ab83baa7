"""Where to put k new training sites: the maximal covering location problem (MCLP). Pure.

Church & ReVelle, "The maximal covering location problem", Papers of the Regional Science
Association 32 (1974) 101–118:

    maximise   Σ_i pop_i · y_i
    subject to y_i ≤ Σ_{j ∈ N_i} x_j     (an area counts only if a chosen site reaches it)
               Σ_j x_j = k               (k new sites; fewer if fewer candidates)
               x_j, y_i ∈ {0, 1}

where i runs over the areas NOT yet covered (beyond the threshold from every existing site) and
N_i are the candidates within the threshold of area i by the travel model (travel.py, with area
i's terrain). Solved with PuLP and the CBC solver that ships in its wheel (pinned in
requirements.lock), with a time limit; the solver's status is reported (optimal, or the best
found within the limit).

Areas reached by exactly the same candidates are merged (their populations summed) before the
model is built: the optimum is the same and the model smaller.

The gain of each choice: the chosen sites are ordered greedily — first the one that covers the
most population, then the one adding the most to it, … — and each shows its marginal gain (the
population it newly covers given those before it). The gains add up to the optimum.
"""

from __future__ import annotations

import itertools
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from jineng.portal.rules import travel
from jineng.portal.rules.coverage import Area, Grid, Site

MAX_K = 500
MAX_CANDIDATES = 20_000
DEFAULT_TIME_LIMIT_S = 50


class InvalidPlacement(ValueError):
    def __init__(self, code: str, field: str) -> None:
        super().__init__(f"{code}: {field}")
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Choice:
    rank: int
    key: str
    gain: int  # population newly covered by this choice, given those before it
    cumulative: int


@dataclass(frozen=True)
class Proposal:
    choices: list[Choice]
    covered: int  # population newly covered by all the choices
    uncovered_before: int  # population beyond the threshold before
    status: str  # "optimal" | "time_limit" | "trivial"
    candidates: int
    areas: int


def coverage_sets(areas: Sequence[Area], candidates: Sequence[Site], *, threshold: float,
                  mode: str = travel.DEFAULT_MODE,
                  params: travel.TravelParameters = travel.DEFAULT_PARAMETERS,
                  params_by_county: dict[str, travel.TravelParameters] | None = None,
                  ) -> list[set[int]]:
    """For each candidate, the indexes of the areas it reaches within the threshold (each
    area by its county's parameters where `params_by_county` names them)."""
    params_by_county = params_by_county or {}
    every = [params, *params_by_county.values()]
    for p in every:
        p.check()
    grid = Grid([(a.lon, a.lat) for a in areas])
    radius = max(travel.reach_km(threshold, mode=mode, terrain=t, params=p)
                 for t in travel.TERRAINS for p in every)
    sets: list[set[int]] = []
    for c in candidates:
        reached = set()
        for i, km in grid.within(c.lon, c.lat, radius):
            if travel.minutes_for_distance(
                    km, mode=mode, terrain=areas[i].terrain,
                    params=params_by_county.get(areas[i].county_code, params)) <= threshold:
                reached.add(i)
        sets.append(reached)
    return sets


def _greedy_order(chosen: list[int], sets: list[set[int]], weight: list[int]) -> list[Choice]:
    remaining, seen, out, total = list(chosen), set(), [], 0
    while remaining:
        best = max(remaining, key=lambda j: (sum(weight[i] for i in sets[j] - seen), -j))
        gain = sum(weight[i] for i in sets[best] - seen)
        seen |= sets[best]
        total += gain
        out.append((best, gain, total))
        remaining.remove(best)
    return [Choice(rank=n, key=str(j), gain=g, cumulative=c)
            for n, (j, g, c) in enumerate(out, start=1)]


def solve_mclp(weights: Sequence[int], sets: Sequence[set[int]], k: int, *,
               time_limit_s: int = DEFAULT_TIME_LIMIT_S) -> tuple[list[int], str]:
    """The candidates (indexes) to choose, and the solver's status."""
    import pulp  # the library made for it (CBC inside the wheel)

    if k < 1 or k > MAX_K:
        raise InvalidPlacement("k_out_of_range", "k")
    useful = [j for j, s in enumerate(sets) if any(weights[i] > 0 for i in s)]
    if len(useful) <= k:
        return useful, "trivial"
    # Merge areas reached by the same candidates.
    reached_by: dict[int, list[int]] = defaultdict(list)
    for j in useful:
        for i in sets[j]:
            if weights[i] > 0:
                reached_by[i].append(j)
    groups: dict[tuple[int, ...], int] = defaultdict(int)
    for i, js in reached_by.items():
        groups[tuple(sorted(js))] += weights[i]
    model = pulp.LpProblem("mclp", pulp.LpMaximize)
    x = {j: model.add_variable(f"x{j}", cat="Binary") for j in useful}
    y = {g: model.add_variable(f"y{n}", lowBound=0, upBound=1) for n, g in enumerate(groups)}
    # y may stay continuous: with x binary an optimal y is 0/1 (each y_g ≤ 1 and ≤ Σ x).
    model += pulp.lpSum(groups[g] * y[g] for g in groups)
    for g in groups:
        model += y[g] <= pulp.lpSum(x[j] for j in g)
    model += pulp.lpSum(x.values()) == k
    with warnings.catch_warnings():  # PuLP 3.3 announces COIN_CMD for 4.0; the wheel's CBC stays
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=0, timeLimit=time_limit_s)
    model.solve(solver)
    status = pulp.LpStatus[model.status]
    chosen = [j for j in useful if (x[j].value() or 0) > 0.5]
    if status != "Optimal" and not chosen:
        raise InvalidPlacement("solver_failed", "k")
    # CBC reports "Optimal" on a time-limited stop with an incumbent too; ask its own status.
    sol_status = getattr(model, "sol_status", pulp.LpSolutionOptimal)
    return chosen, "optimal" if sol_status == pulp.LpSolutionOptimal else "time_limit"


def propose(weights: Sequence[int], sets: Sequence[set[int]], k: int, *,
            time_limit_s: int = DEFAULT_TIME_LIMIT_S) -> Proposal:
    """Choose k of the candidates (their coverage `sets` over areas of `weights`)."""
    if len(sets) > MAX_CANDIDATES:
        raise InvalidPlacement("too_many_candidates", "candidates")
    if not sets:
        raise InvalidPlacement("no_candidates", "candidates")
    chosen, status = solve_mclp(weights, sets, k, time_limit_s=time_limit_s)
    choices = _greedy_order(chosen, [set(s) for s in sets], list(weights))
    return Proposal(choices=choices, covered=choices[-1].cumulative if choices else 0,
                    uncovered_before=sum(weights), status=status, candidates=len(sets),
                    areas=sum(1 for w in weights if w > 0))


def brute_force(weights: Sequence[int], sets: Sequence[set[int]], k: int) -> int:
    """The best coverage by trying every k-subset (for tests on small cases)."""
    best = 0
    for combo in itertools.combinations(range(len(sets)), min(k, len(sets))):
        reached = set().union(*(sets[j] for j in combo))
        best = max(best, sum(weights[i] for i in reached))
    return best

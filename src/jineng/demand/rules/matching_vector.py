"""The wish → class rule of `rules.matching.match_class`, set-based: every wish of a region
against every offered class at once, with numpy arrays (vectorized haversine), never a Python
loop over pairs. Pure (numpy only). tests/demand/test_matching_rules.py checks with Hypothesis
that it keeps exactly the classes the scalar rule keeps, with the same scores.

Work is grouped by occupation: a wish is compared only with the classes of an occupation it
wished (or whose parent it wished), in blocks of at most BLOCK pairs, so memory stays flat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jineng.demand.rules import matching as rules

BLOCK = 2_000_000  # wish × class pairs compared at once
TIME_CODES = {rules.WEEKDAY_DAY: 0, rules.WEEKDAY_EVENING: 1, rules.WEEKEND: 2, rules.ANY: 3}
STATUS_CODES = {"approved": 1, "open": 2}  # 0: any other state (never offered)


@dataclass
class ClassArrays:
    """One row per class. `shares[:, k]` is the share of its sessions in window k (day,
    evening, weekend); `group` is 0 or a key group's bit number (1-based)."""

    class_id: np.ndarray
    occupation: np.ndarray
    parent: np.ndarray  # -1: none
    level: np.ndarray
    start: np.ndarray
    end: np.ndarray
    status: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    shares: np.ndarray  # (n, 3) float
    subsidized: np.ndarray
    group: np.ndarray
    seats: np.ndarray


@dataclass
class WishArrays:
    """One row per wish; `pair_wish` / `pair_occupation` list each (wish row, occupation)."""

    wish_id: np.ndarray
    lat: np.ndarray  # nan: no place known
    lon: np.ndarray
    max_km: np.ndarray
    level: np.ndarray  # -1: no level wished
    time: np.ndarray  # TIME_CODES
    groups: np.ndarray  # bit mask of the key groups declared (bit g-1 for group g)
    pair_wish: np.ndarray
    pair_occupation: np.ndarray


@dataclass
class Matches:
    """The kept (wish, class) pairs, best first within each wish."""

    wish_id: np.ndarray
    class_id: np.ndarray
    score: np.ndarray
    distance_km: np.ndarray


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """rules.matching.haversine_km over arrays (broadcasting)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * rules.EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _offered(c: ClassArrays, today: int) -> np.ndarray:
    """rules.class_dates_fit and seats, for every class."""
    upcoming = (c.start >= today) & (c.status > 0)
    joinable = (c.status == STATUS_CODES["open"]) & (c.start < today) & \
        (today - c.start <= rules.JOIN_LATE_DAYS)
    return (upcoming | joinable) & (c.end >= today) & (c.seats > 0)


def _by_key(keys: np.ndarray, rows: np.ndarray) -> dict[int, np.ndarray]:
    if len(keys) == 0:
        return {}
    order = np.argsort(keys, kind="stable")
    keys, rows = keys[order], rows[order]
    uniq, starts = np.unique(keys, return_index=True)
    bounds = [*starts[1:].tolist(), len(keys)]
    return {int(k): rows[s:e] for k, s, e in zip(uniq, starts, bounds, strict=True)}


def match(w: WishArrays, c: ClassArrays, today: int,
          limit: int = rules.MAX_MATCHES_PER_WISH) -> Matches:
    """The best `limit` fitting classes of every wish (rules.match_class, rules.best_matches)."""
    offered = np.flatnonzero(_offered(c, today))
    # A class is reached by its occupation and by its parent occupation.
    has_parent = (c.parent[offered] >= 0) & (c.parent[offered] != c.occupation[offered])
    class_keys = np.concatenate([c.occupation[offered], c.parent[offered][has_parent]])
    class_rows = np.concatenate([offered, offered[has_parent]])
    classes_of = _by_key(class_keys, class_rows)
    wishes_of = _by_key(w.pair_occupation, w.pair_wish)
    out_w, out_c, out_s, out_d = [], [], [], []
    for occ, wrows in wishes_of.items():
        crows = classes_of.get(occ)
        if crows is None:
            continue
        step = max(1, BLOCK // len(crows))
        for b in range(0, len(wrows), step):
            wr = wrows[b:b + step][:, None]
            cr = crows[None, :]
            d = haversine_km(w.lat[wr], w.lon[wr], c.lat[cr], c.lon[cr])
            max_km = w.max_km[wr]
            wt = w.time[wr]
            share = np.where(wt == 3, 1.0, c.shares[cr, np.minimum(wt, 2)])
            wl = w.level[wr]
            level_ok = (wl < 0) | (wl == c.level[cr])
            g = c.group[cr]
            group_ok = (g == 0) | ((w.groups[wr] >> np.maximum(g - 1, 0)) & 1 == 1)
            fits = (d <= max_km) & (share >= rules.TIME_SHARE_MIN) & level_ok & group_ok
            fits &= ~np.isnan(d)
            if not fits.any():
                continue
            wi, ci = np.nonzero(fits)
            wr1, cr1 = wr[wi, 0], cr[0, ci]
            dd, mk = d[wi, ci], w.max_km[wr1]
            near = np.where(mk > 0, 1.0 - np.minimum(dd, mk) / np.where(mk > 0, mk, 1), 0.0)
            score = (rules.W_DISTANCE * near + rules.W_TIME * share[wi, ci]
                     + rules.W_LEVEL * np.where(w.level[wr1] >= 0, 1.0, 2 / 3)
                     + rules.W_SUBSIDY * c.subsidized[cr1].astype(float)
                     + rules.W_GROUP * np.where(c.group[cr1] > 0, 1.0, 0.5))
            out_w.append(wr1)
            out_c.append(cr1)
            out_s.append(np.round(score, 3))
            out_d.append(np.round(dd, 1))
    if not out_w:
        empty = np.array([], dtype=np.int64)
        return Matches(empty, empty, np.array([]), np.array([]))
    wr_all, cr_all = np.concatenate(out_w), np.concatenate(out_c)
    s_all, d_all = np.concatenate(out_s), np.concatenate(out_d)
    wid, cid = w.wish_id[wr_all], c.class_id[cr_all]
    # Best first within each wish; a class reached twice (occupation and parent) counts once.
    order = np.lexsort((cid, d_all, -s_all, wid))
    wid, cid, s_all, d_all = wid[order], cid[order], s_all[order], d_all[order]
    pair = np.stack([wid, cid], axis=1)
    _, first = np.unique(pair, axis=0, return_index=True)
    keep = np.zeros(len(wid), dtype=bool)
    keep[first] = True
    wid, cid, s_all, d_all = wid[keep], cid[keep], s_all[keep], d_all[keep]
    # Rank within each wish (rows are grouped by wish, best first).
    starts = np.r_[0, np.flatnonzero(wid[1:] != wid[:-1]) + 1]
    group_start = np.repeat(starts, np.diff(np.r_[starts, len(wid)]))
    rank = np.arange(len(wid)) - group_start
    top = rank < limit
    return Matches(wid[top], cid[top], s_all[top], d_all[top])

"""Typo- and pinyin-tolerant occupation search for search boxes (the wish form's autocomplete,
the public search page): by Chinese name, code, full pinyin ("diangong"), pinyin initials
("dg") and, for a mistyped character, by closeness (rapidfuzz) — a homophone typed by a pinyin
input method ("电攻" → 电工) or a wrong character ("电王" → 电工).

The ~1,600 occupations and work types of the 2022 classification fit in memory: the index
(names, pinyin readings, initials) is built once per process, on first use, and built again
when the table changes. The index checks the table's fingerprint (count, highest id) — one
cheap query — so a worker process sees occupations imported by another;
a save or delete in this process (signals) throws the index away at once.
The fingerprint query runs at most once a second per process (FINGERPRINT_SECONDS).
Building the index takes about 0.1 s (pypinyin); a search over it a few ms.

Scores (higher first; ties: shorter name, then code):

    100 exact name or code        95 name starts with the query    90 name contains it
     88 pinyin initials exactly   86 full pinyin exactly           85 same pinyin (homophone)
     80 initials start with it, or the name's pinyin contains the query's (homophone)
     78 full pinyin starts with it                                 72 pinyin contains it
     65 one character wrong (Levenshtein distance 1 on the name, or on the full pinyin
        for queries of 5 letters and more)
"""

from __future__ import annotations

import itertools
import re
import threading
import time
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from jineng.registry.models import Occupation

RANKS = ("occupation", "work_type")
MAX_QUERY_CHARS = 50
_HAN = re.compile(r"[\u3400-\u9fff]")
_CODE = re.compile(r"^[0-9][0-9-]*$")
_LETTERS = re.compile(r"^[a-z]+$")
# The table's fingerprint is asked for at most once a second per process (saves and deletes in
# the process throw the index away at once; another process's import shows within a second).
FINGERPRINT_SECONDS = 1.0
# A name with many polyphonic characters has many readings; keep the first few combinations.
MAX_READINGS = 8


@dataclass(frozen=True)
class Entry:
    id: int
    name: str
    code: str
    spellings: tuple[str, ...]  # full pinyin readings without tones: ("diangong",)
    initials: tuple[str, ...]  # ("dg",)


@dataclass(frozen=True)
class Match:
    id: int
    score: int
    how: str  # name, code, initials, pinyin, homophone, typo


def normalize(text: str) -> str:
    """Full-width to half-width (NFKC), lower case, no spaces or apostrophes (xi'an)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s'’·]+", "", text)


def readings(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """All (up to MAX_READINGS) full-pinyin spellings and initials of a Chinese text. Non-Han
    characters are kept as they are (lower case)."""
    # imported here: pypinyin loads its phrase dictionary on import (~1 s), which every
    # process paid at start-up (the registry's selectors import this module) though only a
    # search needs it
    from pypinyin import Style, pinyin

    syllables = pinyin(text, style=Style.NORMAL, heteronym=True, errors=lambda s: [s.lower()])
    choices = [list(dict.fromkeys(s or [""]))[:3] for s in syllables]
    spellings: list[str] = []
    initials: list[str] = []
    for combo in itertools.islice(itertools.product(*choices), MAX_READINGS):
        spelling = "".join(combo)
        spellings.append(spelling)
        initials.append("".join(s[:1] for s in combo))
    return tuple(dict.fromkeys(spellings)), tuple(dict.fromkeys(initials))


class _Index:
    """The process's occupation index (thread-safe rebuild)."""

    def __init__(self) -> None:
        self.fingerprint: tuple | None = None
        self.checked = 0.0
        self.entries: list[Entry] = []
        self.names: list[str] = []
        self.codes: list[str] = []
        self.flat: list[tuple[int, str, str]] = []
        self.by_spelling: dict[str, list[int]] = {}
        self.by_initials: dict[str, list[int]] = {}
        self.lock = threading.Lock()

    def invalidate(self, **_kwargs) -> None:
        self.fingerprint = None

    def current(self) -> list[Entry]:
        now = time.monotonic()
        if self.fingerprint is not None and now - self.checked < FINGERPRINT_SECONDS:
            return self.entries
        self.checked = now
        found = Occupation.objects.filter(rank__in=RANKS).aggregate(n=Count("id"), top=Max("id"))
        fingerprint = (found["n"], found["top"])
        if fingerprint != self.fingerprint:
            with self.lock:
                if fingerprint != self.fingerprint:
                    rows = Occupation.objects.filter(rank__in=RANKS).values_list(
                        "id", "name", "code")
                    entries = []
                    for pk, name, code in rows:
                        spellings, initials = readings(normalize(name))
                        entries.append(Entry(pk, name, code or "", spellings, initials))
                    self.entries = entries
                    self.names = [normalize(e.name) for e in entries]
                    self.codes = [e.code for e in entries]
                    # (position, spelling, "") and (position, "", initials) rows
                    self.flat = [row for i, e in enumerate(entries) for row in (
                        *[(i, sp, "") for sp in e.spellings],
                        *[(i, "", ini) for ini in e.initials])]
                    by_spelling: dict[str, list[int]] = {}
                    by_initials: dict[str, list[int]] = {}
                    for i, sp, ini in self.flat:
                        if sp:
                            by_spelling.setdefault(sp, []).append(i)
                        if ini:
                            by_initials.setdefault(ini, []).append(i)
                    self.by_spelling, self.by_initials = by_spelling, by_initials
                    self.fingerprint = fingerprint
        return self.entries


INDEX = _Index()
post_save.connect(INDEX.invalidate, sender=Occupation, dispatch_uid="occupation_search")
post_delete.connect(INDEX.invalidate, sender=Occupation, dispatch_uid="occupation_search_del")


def _passes(q: str) -> list[tuple[int, str, list[int]]]:
    """(score, how, entry positions) of every rule that applies to the query. Each pass is one
    comprehension or one rapidfuzz call over the whole index (no per-entry function calls)."""
    names, flat = INDEX.names, INDEX.flat
    out: list[tuple[int, str, list[int]]] = []
    if _CODE.match(q):
        codes = INDEX.codes
        out.append((100, "code", [i for i, c in enumerate(codes) if c == q]))
        out.append((96, "code", [i for i, c in enumerate(codes) if c and c.startswith(q)]))
    if _HAN.search(q):
        out.append((100, "name", [i for i, n in enumerate(names) if n == q]))
        out.append((95, "name", [i for i, n in enumerate(names) if n.startswith(q)]))
        out.append((90, "name", [i for i, n in enumerate(names) if q in n]))
        spellings = readings(q)[0]
        out.append((85, "homophone", [i for sp in spellings
                                      for i in INDEX.by_spelling.get(sp, ())]))
        if len(q) >= 2:
            out.append((80, "homophone", [i for i, sp, _ini in flat if sp
                                          for qs in spellings if qs in sp]))
            near = process.extract(q, names, scorer=Levenshtein.distance, score_cutoff=1,
                                   limit=None)
            out.append((65, "typo", [i for _name, d, i in near if d == 1]))
        return out
    if _LETTERS.match(q):
        out.append((88, "initials", list(INDEX.by_initials.get(q, ()))))
        out.append((86, "pinyin", list(INDEX.by_spelling.get(q, ()))))
        if len(q) >= 2:
            out.append((80, "initials", [i for i, _sp, ini in flat if ini.startswith(q)]))
            out.append((78, "pinyin", [i for i, sp, _ini in flat if sp.startswith(q)]))
        if len(q) >= 4:
            out.append((72, "pinyin", [i for i, sp, _ini in flat if sp and q in sp]))
        if len(q) >= 5:
            spelled = [sp for _i, sp, _ini in flat]
            near = process.extract(q, spelled, scorer=Levenshtein.distance, score_cutoff=1,
                                   limit=None)
            out.append((65, "typo", [flat[k][0] for _sp, d, k in near if d == 1]))
        return out
    out.append((90, "name", [i for i, n in enumerate(names) if q in n]))
    return out


def matches(q: str, *, limit: int = 20) -> list[Match]:
    """The best `limit` occupations and work types for a query, with why each matched."""
    q = normalize((q or "")[:MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
    if not q or limit <= 0:
        return []
    entries = INDEX.current()
    best: dict[int, tuple[int, str]] = {}
    for score, how, positions in _passes(q):
        for i in positions:
            if i not in best or best[i][0] < score:
                best[i] = (score, how)
    ranked = sorted(best.items(), key=lambda item: (
        -item[1][0], len(entries[item[0]].name), entries[item[0]].code or "~",
        entries[item[0]].name))
    return [Match(entries[i].id, score, how) for i, (score, how) in ranked[:limit]]


def search(q: str, *, limit: int = 20) -> list[Occupation]:
    """Occupation rows for `matches`, best first; each carries `search_match` (how it
    matched) and `search_score`."""
    ranked = matches(q, limit=limit)
    rows = Occupation.objects.in_bulk([m.id for m in ranked])
    result = []
    for m in ranked:
        occupation = rows.get(m.id)
        if occupation is not None:  # deleted since the index was built
            occupation.search_match = m.how
            occupation.search_score = m.score
            result.append(occupation)
    return result

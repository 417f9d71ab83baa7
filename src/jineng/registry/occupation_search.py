"""Typo- and pinyin-tolerant occupation search for search boxes (the wish form's autocomplete,
the public search page): by Chinese name, code, full pinyin ("diangong"), pinyin initials
("dg") and, for a mistyped character, by closeness (rapidfuzz) — a homophone typed by a pinyin
input method ("电攻" → 电工) or a wrong character ("电王" → 电工).

The ~1,600 occupations and work types of the 2022 classification fit in memory: the index
(names, pinyin readings, initials) is built once per process, on first use, and built again
when the table changes. Every call asks the database for the table's fingerprint (count,
highest id) — one cheap query — so a worker process sees occupations imported by another;
a save or delete in this process (signals) throws the index away at once. Building it takes
about 0.1 s (pypinyin); a search over it under 2 ms.

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
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from pypinyin import Style, pinyin
from rapidfuzz.distance import Levenshtein

from jineng.registry.models import Occupation

RANKS = ("occupation", "work_type")
MAX_QUERY_CHARS = 50
_HAN = re.compile(r"[\u3400-\u9fff]")
_CODE = re.compile(r"^[0-9][0-9-]*$")
_LETTERS = re.compile(r"^[a-z]+$")
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
        self.entries: list[Entry] = []
        self.names: list[str] = []
        self.lock = threading.Lock()

    def invalidate(self, **_kwargs) -> None:
        self.fingerprint = None

    def current(self) -> list[Entry]:
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
                    self.fingerprint = fingerprint
        return self.entries


INDEX = _Index()
post_save.connect(INDEX.invalidate, sender=Occupation, dispatch_uid="occupation_search")
post_delete.connect(INDEX.invalidate, sender=Occupation, dispatch_uid="occupation_search_del")


def _score(q: str, q_spellings: tuple[str, ...], entry: Entry,
           name: str) -> tuple[int, str] | None:
    if _CODE.match(q) and entry.code:
        if entry.code == q:
            return 100, "code"
        if entry.code.startswith(q):
            return 96, "code"
    if _HAN.search(q):
        if name == q:
            return 100, "name"
        if name.startswith(q):
            return 95, "name"
        if q in name:
            return 90, "name"
        if any(s in entry.spellings for s in q_spellings):
            return 85, "homophone"
        if len(q) >= 2 and any(s in e for s in q_spellings for e in entry.spellings):
            return 80, "homophone"
        if len(q) >= 2 and abs(len(name) - len(q)) <= 1 and Levenshtein.distance(q, name) == 1:
            return 65, "typo"
        return None
    if _LETTERS.match(q):
        if q in entry.initials:
            return 88, "initials"
        if q in entry.spellings:
            return 86, "pinyin"
        if len(q) >= 2 and any(i.startswith(q) for i in entry.initials):
            return 80, "initials"
        if len(q) >= 2 and any(s.startswith(q) for s in entry.spellings):
            return 78, "pinyin"
        if len(q) >= 4 and any(q in s for s in entry.spellings):
            return 72, "pinyin"
        if len(q) >= 5 and any(Levenshtein.distance(q, s, score_cutoff=1) <= 1
                               for s in entry.spellings):
            return 65, "typo"
        return None
    if q in name:
        return 90, "name"
    return None


def matches(q: str, *, limit: int = 20) -> list[Match]:
    """The best `limit` occupations and work types for a query, with why each matched."""
    q = normalize((q or "")[:MAX_QUERY_CHARS * 2])[:MAX_QUERY_CHARS]
    if not q or limit <= 0:
        return []
    entries = INDEX.current()
    names = INDEX.names
    q_spellings = readings(q)[0] if _HAN.search(q) else ()
    found: list[tuple[int, int, str, str, Match]] = []
    for entry, name in zip(entries, names, strict=True):
        scored = _score(q, q_spellings, entry, name)
        if scored is not None:
            score, how = scored
            found.append((-score, len(entry.name), entry.code or "~", entry.name,
                          Match(entry.id, score, how)))
    found.sort(key=lambda row: row[:4])
    return [row[4] for row in found[:limit]]


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

"""Pure rules of a person's skill record (电子档案) and of the worker's identity check. No
Django.

Level over time: a person's level in an occupation is the highest level of the valid
skill-level (or legacy qualification) certificates they hold in it; it rises on the date a
certificate of a higher level is issued and never falls because a lower one comes later.
Revoked certificates do not count (a revocation takes the level away as if never issued).

Identity check: a one-time code of six digits, valid ten minutes, five tries; at most a few
codes per person and a few starts per client address in an hour. The answer to the visitor
never depends on whether the person is registered.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
LIMIT_WINDOW = dt.timedelta(hours=1)
CODES_PER_PERSON = 3  # codes sent to one person in LIMIT_WINDOW
STARTS_PER_ADDRESS = 10  # identity checks started from one client address in LIMIT_WINDOW
SESSION_TTL = dt.timedelta(minutes=30)  # how long a verified worker sees their record


@dataclass(frozen=True)
class Holding:
    """One certificate that carries a level: the occupation it is in (key and name), the level
    (rank and name), the date it was issued and its number."""

    occupation_key: object
    occupation_name: str
    rank: int
    level_name: str
    on: dt.date
    number: str


@dataclass(frozen=True)
class LevelStep:
    on: dt.date
    rank: int
    level_name: str
    number: str


@dataclass(frozen=True)
class OccupationLevels:
    """The level history in one occupation: every rise, oldest first; `highest` is the last."""

    occupation_key: object
    occupation_name: str
    steps: tuple[LevelStep, ...]

    @property
    def highest(self) -> LevelStep:
        return self.steps[-1]


def level_history(holdings: Iterable[Holding]) -> list[OccupationLevels]:
    """The rises of a person's level in each occupation (a certificate of the same or a lower
    level than the one already held is no rise; of two on one day the higher counts);
    occupations with the highest level first,
    then by the date it was reached."""
    by_occupation: dict[object, list[Holding]] = {}
    names: dict[object, str] = {}
    for h in holdings:
        by_occupation.setdefault(h.occupation_key, []).append(h)
        names.setdefault(h.occupation_key, h.occupation_name)
    out = []
    for key, items in by_occupation.items():
        steps: list[LevelStep] = []
        for h in sorted(items, key=lambda h: (h.on, h.rank, h.number)):
            if steps and h.rank <= steps[-1].rank:
                continue
            step = LevelStep(on=h.on, rank=h.rank, level_name=h.level_name, number=h.number)
            if steps and steps[-1].on == h.on:  # two on one day: the higher is the level
                steps[-1] = step
            else:
                steps.append(step)
        out.append(OccupationLevels(occupation_key=key, occupation_name=names[key],
                                    steps=tuple(steps)))
    out.sort(key=lambda o: (-o.highest.rank, o.highest.on, o.occupation_name))
    return out


def new_code() -> str:
    """A one-time code: six digits from the system's random source."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def looks_like_code(text: str) -> bool:
    text = (text or "").strip()
    return len(text) == CODE_DIGITS and text.isascii() and text.isdigit()


def names_match(registered: str, entered: str) -> bool:
    """The name as registered, ignoring surrounding spaces and spaces inside (姓 名)."""
    def norm(s: str) -> str:
        return "".join((s or "").split())
    return bool(norm(entered)) and norm(registered) == norm(entered)


def mask_name(name: str) -> str:
    """张三丰 → 张**: the family name only (for the audit trail and the public page)."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 0)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    digits = (phone or "").strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]

"""Who may enroll in a subsidized class. Pure functions over plain data; each check says which
rule it applied, with the figures it used, so the enrollment page can explain the outcome.

Blocking checks: minimum age (16), statutory retirement age (with the regional exception for
workers past it who draw no pension), the class's key group, no other class whose sessions
overlap. Warnings (never blocking here): subsidy frequency limits, supplied by the subsidy rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from jineng.training.rules.retirement import (
    DECISION_2024,
    FIXED_1978,
    MEASURES_2024,
    SCHEME_FIXED_1978,
    age_on,
    statutory_retirement,
)

RULE_MINIMUM_AGE = "《中华人民共和国劳动法》第十五条：禁止用人单位招用未满十六周岁的未成年人"


@dataclass(frozen=True)
class AgeParameter:
    """The dated regional parameter for the age checks (one version)."""

    version: str
    valid_from: dt.date
    region_code: str = ""  # "" = national default
    minimum_age: int = 16
    scheme: str = "gradual_2025"
    female_basis: int = 50  # women's original retirement age used when their category is unknown
    over_age_without_pension: bool = False  # the regional exception
    source: str = ""


@dataclass(frozen=True)
class PersonFacts:
    birth_date: dt.date
    gender: str  # "M" / "F"
    key_groups: frozenset[str] = frozenset()  # groups held on the class's start date
    draws_pension: bool | None = None  # declared at enrollment; None = not asked


@dataclass(frozen=True)
class ClassFacts:
    start_date: dt.date
    target_group: str = ""  # "" = open to everyone


@dataclass(frozen=True)
class Clash:
    """Another class of the person's whose sessions overlap this class's sessions."""

    class_id: int
    class_name: str
    first_overlap: str  # ISO date-time of the first overlapping session


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    params: dict = field(default_factory=dict)
    rule: str = ""
    blocking: bool = True

    def as_dict(self) -> dict:
        return {"code": self.code, "passed": self.passed, "blocking": self.blocking,
                "params": self.params, "rule": self.rule}


@dataclass(frozen=True)
class Eligibility:
    checks: tuple[Check, ...]

    @property
    def eligible(self) -> bool:
        return all(c.passed for c in self.checks if c.blocking)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.blocking and not c.passed]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if not c.blocking and not c.passed]

    def as_list(self) -> list[dict]:
        return [c.as_dict() for c in self.checks]


def check_minimum_age(person: PersonFacts, day: dt.date, param: AgeParameter) -> Check:
    """A trainee is at least `minimum_age` (16) full years old on the start date."""
    age = age_on(person.birth_date, day)
    return Check("minimum_age", age >= param.minimum_age,
                 {"age": age, "minimum": param.minimum_age, "on": day.isoformat(),
                  "parameter": param.version},
                 RULE_MINIMUM_AGE)


def check_retirement_age(person: PersonFacts, day: dt.date, param: AgeParameter) -> Check:
    """A trainee has not reached the statutory retirement age on the start date, unless the
    region admits workers past it who draw no pension (and the person declared none)."""
    basis = 60 if person.gender == "M" else param.female_basis
    retirement = statutory_retirement(person.birth_date, person.gender,
                                      female_basis=param.female_basis, scheme=param.scheme)
    params = {
        "on": day.isoformat(), "retirement_age": retirement.label,
        "reached_on": retirement.reached_on.isoformat(), "original_age": basis,
        "delay_months": retirement.delay_months, "scheme": param.scheme,
        "parameter": param.version, "gender": person.gender,
        "birth_month": person.birth_date.strftime("%Y-%m"),
    }
    rule = FIXED_1978 if param.scheme == SCHEME_FIXED_1978 else f"{DECISION_2024}；{MEASURES_2024}"
    if day < retirement.reached_on:
        return Check("retirement_age", True, params, rule)
    if param.over_age_without_pension and person.draws_pension is False:
        return Check("retirement_age_exception", True,
                     {**params, "region": param.region_code}, param.source or rule)
    params["exception_available"] = param.over_age_without_pension
    params["draws_pension"] = person.draws_pension
    return Check("retirement_age", False, params, rule)


def check_key_group(person: PersonFacts, cls: ClassFacts) -> Check:
    """A class declared for a key group admits only its members (on the start date)."""
    if not cls.target_group:
        return Check("key_group", True, {"target_group": ""})
    return Check("key_group", cls.target_group in person.key_groups,
                 {"target_group": cls.target_group, "held": sorted(person.key_groups)})


def check_no_overlapping_class(clashes: Sequence[Clash]) -> Check:
    """A person cannot be enrolled in two classes whose sessions overlap."""
    return Check("schedule_overlap", not clashes,
                 {"classes": [{"id": c.class_id, "name": c.class_name,
                               "first_overlap": c.first_overlap} for c in clashes]})


def frequency_warnings(messages: Iterable[str]) -> list[Check]:
    """Subsidy frequency limits (e.g. once per person per level per year): shown, not blocking;
    the subsidy rules decide at claim time."""
    return [Check("subsidy_frequency", False, {"message": m}, blocking=False) for m in messages]


def assess_eligibility(person: PersonFacts, cls: ClassFacts, param: AgeParameter, *,
                       clashes: Sequence[Clash] = (),
                       subsidy_warnings: Iterable[str] = ()) -> Eligibility:
    """Every check, in the order the explanation shows them."""
    day = cls.start_date
    return Eligibility((
        check_minimum_age(person, day, param),
        check_retirement_age(person, day, param),
        check_key_group(person, cls),
        check_no_overlapping_class(clashes),
        *frequency_warnings(subsidy_warnings),
    ))


def intervals_overlap(a: tuple[dt.datetime, dt.datetime],
                      b: tuple[dt.datetime, dt.datetime]) -> bool:
    """Half-open intervals [start, end) overlap."""
    return a[0] < b[1] and b[0] < a[1]


def first_overlap(mine: Sequence[tuple[dt.datetime, dt.datetime]],
                  theirs: Sequence[tuple[dt.datetime, dt.datetime]]) -> dt.datetime | None:
    """The start of the earliest of `mine` that overlaps any of `theirs`."""
    clashes = [a[0] for a in mine for b in theirs if intervals_overlap(a, b)]
    return min(clashes) if clashes else None

"""Versioning and as-of look-ups over random version histories, against a brute-force oracle.

The oracle states the meaning independently of the implementation (which cuts the previous
version on publication and keeps its end as published): as known at moment T, the versions
published by T form a sequence in publication order; each is in force from its start until the
day before the next one's start, or until its own declared end, whichever comes first. An
entry's own period narrows that further.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jineng.catalog import selectors, services
from jineng.catalog.choices import CatalogKind
from jineng.catalog.rules.periods import VersionFacts, cut_end, version_in_force
from jineng.core.errors import DomainError
from tests import factories as f
from tests.catalog.helpers import level, occupation

START = dt.date(2025, 1, 1)
T0 = dt.datetime(2024, 12, 1, 9, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Attempt:
    start: int  # days after START
    length: int | None  # declared length in days (None: open-ended)
    entry_from: int | None  # entry's own start, days after the version's start
    entry_length: int | None


attempts = st.lists(st.builds(
    Attempt,
    start=st.integers(0, 90),
    length=st.one_of(st.none(), st.integers(0, 60)),
    entry_from=st.one_of(st.none(), st.integers(0, 10)),
    entry_length=st.one_of(st.none(), st.integers(0, 20)),
), min_size=1, max_size=5)


@dataclass(frozen=True)
class Published:
    number: int
    start: dt.date
    declared_end: dt.date | None
    published_at: dt.datetime
    entry_start: dt.date | None
    entry_end: dt.date | None
    amount: Decimal


def plan(history: list[Attempt]) -> list[tuple[Attempt, bool]]:
    """Which attempts the rules accept: a version must start after the previous one began."""
    result, last_start = [], None
    for a in history:
        ok = last_start is None or a.start > last_start
        result.append((a, ok))
        if ok:
            last_start = a.start
    return result


def periods(a: Attempt) -> tuple[dt.date, dt.date | None, dt.date | None, dt.date | None]:
    start = START + dt.timedelta(days=a.start)
    end = None if a.length is None else start + dt.timedelta(days=a.length)
    entry_start = entry_end = None
    if a.entry_from is not None:
        entry_start = start + dt.timedelta(days=a.entry_from)
        if end is not None and entry_start > end:
            entry_start = end
    if a.entry_length is not None:
        entry_end = (entry_start or start) + dt.timedelta(days=a.entry_length)
        if end is not None and entry_end > end:
            entry_end = end
    return start, end, entry_start, entry_end


def oracle_version(published: list[Published], day: dt.date,
                   known_at: dt.datetime | None) -> Published | None:
    known = [p for p in published if known_at is None or p.published_at <= known_at]
    for i, p in enumerate(known):
        ends = [e for e in (p.declared_end,) if e is not None]
        if i + 1 < len(known):
            ends.append(known[i + 1].start - dt.timedelta(days=1))
        end = min(ends) if ends else None
        if p.start <= day and (end is None or day <= end):
            return p
    return None


def oracle(published: list[Published], day: dt.date, known_at: dt.datetime | None):
    p = oracle_version(published, day, known_at)
    if p is None:
        return None
    entry_ok = ((p.entry_start is None or p.entry_start <= day)
                and (p.entry_end is None or day <= p.entry_end))
    return p if entry_ok else None


def probe_days(published: list[Published]) -> list[dt.date]:
    """The days where answers can change: each start and the day before, each end and the day
    after."""
    one = dt.timedelta(days=1)
    days = {START - one}
    for p in published:
        days |= {p.start - one, p.start}
        for end in (p.declared_end, p.entry_end):
            if end is not None:
                days |= {end, end + one}
        if p.entry_start is not None:
            days |= {p.entry_start - one, p.entry_start}
    return sorted(days)


def probe_moments(published: list[Published]) -> list[dt.datetime | None]:
    """Now, and the moment just before each publication (the state after the previous one)."""
    return [None, *(p.published_at - dt.timedelta(minutes=1) for p in published)]


@given(history=attempts)
@settings(max_examples=60, deadline=None)
def test_pure_timeline_matches_the_oracle(history):
    facts: list[VersionFacts] = []
    published: list[Published] = []
    for n, (a, ok) in enumerate(plan(history), start=1):
        if not ok:
            continue
        start, end, _es, _ee = periods(a)
        at = T0 + dt.timedelta(hours=n)
        if facts:
            prev = facts[-1]
            facts[-1] = VersionFacts(prev.id, prev.effective_from, prev.declared_to,
                                     cut_end(prev.effective_to, start), prev.published_at, at)
        facts.append(VersionFacts(n, start, end, end, at))
        published.append(Published(n, start, end, at, None, None, Decimal(n)))
    for known_at in probe_moments(published):
        for day in probe_days(published):
            expected = oracle(published, day, known_at)
            got = version_in_force(facts, day, known_at)
            assert (got.id if got else None) == (expected.number if expected else None), (
                day, known_at)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@given(history=attempts)
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_database_as_of_lookup_matches_the_oracle(history):
    """Random histories go through the real services; every as-of answer (now and as known at
    past moments) equals the oracle's, and names the version it used."""
    try:
        with transaction.atomic():
            _check_history(history)
            raise Rollback
    except Rollback:
        pass


def _check_history(history: list[Attempt]) -> None:
    care, grade5 = occupation("养老护理员"), level("grade5")
    catalog = services.catalog_create(actor=services.SYSTEM, kind=CatalogKind.SUBSIDY_STANDARD,
                                      region=f.region(f.PROVINCE))
    published: list[Published] = []
    versions: dict[int, int] = {}
    for n, (a, ok) in enumerate(plan(history), start=1):
        start, end, entry_start, entry_end = periods(a)
        if not ok:
            with pytest.raises(DomainError) as refused:
                services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                              effective_from=start, effective_to=end)
            assert refused.value.field == "effective_from"
            continue
        version = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                                effective_from=start, effective_to=end,
                                                copy_entries=False)
        amount = Decimal(1000 + n)
        services.entry_add(actor=services.SYSTEM, version=version, values={
            "occupation": care.name, "skill_level": "初级工", "training_type": "就业技能培训",
            "amount": str(amount), "required_hours": "100", "min_attendance_share": "0.8",
            "valid_from": entry_start.isoformat() if entry_start else "",
            "valid_to": entry_end.isoformat() if entry_end else ""})
        services.version_submit(actor=services.SYSTEM, version=version)
        at = T0 + dt.timedelta(hours=n)
        services.version_publish(actor=services.SYSTEM, version=version, now=at)
        versions[version.number] = version.pk
        published.append(Published(version.number, start, end, at, entry_start, entry_end,
                                   amount))
    for known_at in probe_moments(published):
        for day in probe_days(published):
            expected = oracle(published, day, known_at)
            answer = selectors.subsidy_standard_as_of(care, grade5, f.COUNTY, "employment",
                                                      day, known_at=known_at)
            if expected is None:
                assert answer is None, (day, known_at, answer and answer.version_number)
            else:
                assert answer is not None, (day, known_at)
                assert answer.version_id == versions[expected.number]
                assert answer.entry.amount == expected.amount
    for day in probe_days(published):
        owner = oracle_version(published, day, None)
        in_force = selectors.version_in_force(catalog, day)
        assert (in_force.number if in_force else None) == (owner.number if owner else None)

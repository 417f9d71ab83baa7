"""Business registrations (个体工商户 / enterprises): row checks and the apply step. They are far
fewer than contribution months, so they go row by row through the cached checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from jineng.outcomes.models import (
    BusinessRegistration,
    InsuranceImport,
    RecordLink,
)
from jineng.outcomes.rules import records as rules
from jineng.outcomes.services.imports.common import (
    BUSINESS_COLUMNS,
    CHUNK_ROWS,
    KIND_WORDS,
    _Checks,
    _getter,
    _LinkRow,
    _Pass,
    _row_key,
)
from jineng.outcomes.services.imports.reading import (
    _Table,
)
from jineng.registry.models import Person

# --- businesses ---------------------------------------------------------------------------------

BUSINESS_FIELDS = ("kind", "name", "legal_person_hash", "founded_on", "closed_on", "region_id")


def _businesses_pass(table: _Table, checks: _Checks, state: _Pass,
                     progress: Callable[[int], None]) -> dict[str, tuple[int, dict]]:
    """Pass 1 over business registrations: {credit code: (row, values)} of the good rows
    (registrations are far fewer than contribution months: held in memory)."""
    get = _getter(table.positions, BUSINESS_COLUMNS)
    report = state.report
    good: dict[str, tuple[int, dict]] = {}
    for number, cells in table.rows():
        values = get(cells)
        if not any(values):
            continue
        (code_raw, kind_raw, name, id_raw, person_name, birth_raw, founded_raw, closed_raw,
         region_raw) = values
        state.rows += 1
        if state.rows % CHUNK_ROWS == 0:
            progress(state.rows)
        bad = False

        def fail(fname: str, code: str, **params: Any) -> None:
            nonlocal bad
            report.add(number, fname, code, **params)  # noqa: B023 - called in this iteration
            bad = True

        code, problem = checks.credit_code(code_raw, employer=False) if code_raw else ("",
                                                                                      "required")
        if problem:
            fail("credit_code", problem)
        kind = KIND_WORDS.get(rules.normalize(kind_raw))
        if kind is None:
            fail("kind", "kind_format" if kind_raw else "required")
        name = name.strip()
        if not name:
            fail("name", "required")
        elif len(name) > 200:
            fail("name", "too_long", max=200)
        person_name = person_name.strip()
        if len(person_name) > 50:
            fail("legal_person_name", "too_long", max=50)
        founded, problem = checks.date(founded_raw) if founded_raw else (None, "required")
        if problem:
            fail("founded_on", problem)
        closed = None
        if closed_raw:
            closed, problem = checks.date(closed_raw)
            if problem:
                fail("closed_on", problem)
            elif founded and closed < founded:
                fail("closed_on", "closed_before_founded")
        region_id, problem = checks.region(region_raw) if region_raw else (0, "required")
        if problem:
            fail("region", problem)
        birth = None
        if birth_raw:
            birth, problem = checks.date(birth_raw)
            if problem:
                fail("legal_person_birth_date", problem)
        if bad:
            continue
        who = checks.identity(id_raw)
        row = {"kind": kind, "name": name, "legal_person_hash": who[1] if who[0] == "ok" else "",
               "founded_on": founded, "closed_on": closed, "region_id": region_id}
        seen = good.get(code)
        if seen is not None:
            if seen[1] == row:
                state.duplicates += 1
            else:
                report.add(number, "row", "business_conflict", row=seen[0])
            continue
        good[code] = (number, row)
        if who[0] == "link":
            link = _LinkRow(row=number, reason=who[1], name=person_name,
                            birth_date=birth or who[3], region_id=region_id, id_given=who[2],
                            payload={"credit_code": code})
            link.key = _row_key("businesses", person_name, link.birth_date, who[2], code)
            state.links[link.key] = link
    progress(state.rows)
    return good


def _apply_businesses(good: dict[str, tuple[int, dict]], imp: InsuranceImport,
                      now: dt.datetime, links: dict[str, RecordLink]) -> tuple[int, int, int]:
    """Create, correct (earlier values appended to `history`) or leave each registration."""
    created = corrected = unchanged = 0
    codes = list(good)
    by_code_link = {link.payload.get("credit_code"): link for link in links.values()}
    for start in range(0, len(codes), 2000):
        part = codes[start:start + 2000]
        existing = {b.credit_code: b for b in
                    BusinessRegistration.objects.select_for_update().filter(credit_code__in=part)}
        hashes = {row["legal_person_hash"] for _n, row in (good[c] for c in part)} - {""}
        persons = dict(Person.objects.filter(id_hash__in=hashes).values_list("id_hash", "id"))
        new, changed = [], []
        for code in part:
            row = good[code][1]
            link = by_code_link.get(code)
            person_id = persons.get(row["legal_person_hash"])
            current = existing.get(code)
            if current is None:
                new.append(BusinessRegistration(
                    credit_code=code, source_import=imp, person_id=person_id,
                    link=link, **row))
                continue
            before = {f: getattr(current, f) for f in BUSINESS_FIELDS}
            if before == row:
                unchanged += 1
                continue
            entry = {"import": current.source_import_id, "at": now.isoformat(),
                     **{f: (v.isoformat() if isinstance(v, dt.date) else v)
                        for f, v in before.items()}}
            current.history = [*current.history, entry]
            for f, v in row.items():
                setattr(current, f, v)
            current.person_id = person_id or (current.person_id if row["legal_person_hash"]
                                              == before["legal_person_hash"] else None)
            current.link = link or current.link
            current.source_import = imp
            current.updated_at = now
            changed.append(current)
        BusinessRegistration.objects.bulk_create(new)
        BusinessRegistration.objects.bulk_update(
            changed, [*BUSINESS_FIELDS, "person_id", "link", "source_import", "history",
                      "updated_at"])
        created += len(new)
        corrected += len(changed)
    return created, corrected, unchanged



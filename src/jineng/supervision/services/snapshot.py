"""The risk scan's snapshot: the operational tables the rules read, from the training,
assessment and registry selectors (set-based values_list, streamed in chunks) into Arrow
tables of analytics.schema, with times as integers (seconds / days since the epoch).

Full: everything. Incremental (`since`): attendance events since that moment and the sessions
ending after it (with a lookback so the check-in before the first new one is there for
impossible travel); enrollments, classes, teachers, sites and assessments whole (they are
small beside the events). Online learning segments (R17) are read like the events; the
tables about the trainees and their subsidies (R08, R12–R16) whole."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

import pyarrow as pa

from jineng.supervision.analytics.schema import SCHEMAS

CHUNK = 100_000
EPOCH_DAY = dt.date(1970, 1, 1)
LOOKBACK = dt.timedelta(days=1)


def _s(value: dt.datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _day(value: dt.date | None) -> int | None:
    return None if value is None else (value - EPOCH_DAY).days


def _month(value: dt.date | None) -> int | None:
    return None if value is None else value.year * 12 + value.month - 1


def _f(value) -> float | None:
    return None if value is None else float(value)


def _table(name: str, rows: Iterable[tuple]) -> pa.Table:
    schema = SCHEMAS[name]
    batches, buf = [], []

    def flush():
        cols = list(zip(*buf, strict=True))
        batches.append(pa.RecordBatch.from_arrays(
            [pa.array(c, schema.field(i).type) for i, c in enumerate(cols)], schema=schema))

    for row in rows:
        buf.append(row)
        if len(buf) >= CHUNK:
            flush()
            buf = []
    if buf:
        flush()
    return pa.Table.from_batches(batches, schema=schema) if batches else schema.empty_table()


def build_snapshot(since: dt.datetime | None = None) -> tuple[dict[str, pa.Table], dict]:
    """The snapshot tables and, besides, class id → region id (to scope the alerts)."""
    from jineng.assessment.selectors.risk import risk_snapshot as assessment_snapshot
    from jineng.outcomes.selectors.risk import records_at_employers
    from jineng.registry.selectors import institution_codes_for_risk, sites_for_risk
    from jineng.training.selectors import risk_snapshot as training_snapshot

    tr = training_snapshot(since - LOOKBACK if since is not None else None)
    asmt = assessment_snapshot()
    t: dict[str, pa.Table] = {}
    t["enrollments"] = _table("enrollments", tr["enrollments"].iterator(chunk_size=CHUNK))
    t["sessions"] = _table("sessions", ((pk, c, i, site, _s(a), _s(b)) for pk, c, i, site, a, b
                                        in tr["sessions"].iterator(chunk_size=CHUNK)))
    t["events"] = _table("events", (
        (pk, enr, person, c, ses, inst, kind, method, _s(at), lat, lon, far, out, device or "")
        for pk, enr, person, c, ses, inst, kind, method, at, lat, lon, far, out, device
        in tr["events"].iterator(chunk_size=CHUNK)))
    t["teaching"] = _table("teaching", tr["teaching"].iterator(chunk_size=CHUNK))
    regions: dict[int, int] = {}
    class_rows = []
    for pk, inst, site, end, occ, lvl, region, start in tr["classes"].iterator(
            chunk_size=CHUNK):
        class_rows.append((pk, inst, site, _day(end), occ, lvl, _month(start), _month(end),
                           _day(start)))
        regions[pk] = region
    t["classes"] = _table("classes", class_rows)
    t["sites"] = _table("sites", ((pk, cap, _f(lat), _f(lon)) for pk, cap, lat, lon
                                  in sites_for_risk().iterator(chunk_size=CHUNK)))
    t["candidates"] = _table("candidates", (
        (pk, sitting, person, cls or enr_cls, evaluator, _day(day), _f(score), _f(mark), passed,
         occ, lvl)
        for pk, sitting, person, cls, enr_cls, evaluator, day, score, mark, passed, occ, lvl
        in asmt["candidates"].iterator(chunk_size=CHUNK)))
    codes = institution_codes_for_risk()
    t["institutions"] = _table("institutions", codes.iterator(chunk_size=CHUNK))
    t["employment"] = _table("employment", (
        (person, code, _month(month)) for person, code, month
        in records_at_employers(codes.values("credit_code")).iterator(chunk_size=CHUNK)))
    t["examiners"] = _table("examiners", asmt["examiners"].iterator(chunk_size=CHUNK))
    t["certificates"] = _table("certificates", (
        (pk, person, cls, _day(day)) for pk, person, cls, day
        in asmt["certificates"].iterator(chunk_size=CHUNK)))
    trainees = tr["enrollments"].values("person_id")
    t.update(_people_tables(trainees))
    t["online"] = _table("online", (
        (pk, enr, person, cls, inst, _s(at), seconds) for pk, enr, person, cls, inst, at, seconds
        in tr["online"].iterator(chunk_size=CHUNK)))
    return t, regions


def _city(code: str | None) -> str | None:
    """The city (prefecture) code of a region code: its first four digits and "00"."""
    return None if not code or len(code) < 6 else code[:4] + "00"


def _people_tables(trainees) -> dict[str, pa.Table]:
    """The tables about the trainees (`trainees`: a queryset of person ids) and their
    subsidies: contacts (keyed hashes of phones and payee accounts, R08), claims and imported
    history (R12, R14), social-insurance months with the employer's city and the sites' cities
    (R15), ID hashes with the age limits and the exclusion lists (R16)."""
    from jineng.outcomes.selectors.risk import insured_months_with_city
    from jineng.registry.selectors import (
        person_contacts_for_risk,
        persons_for_risk,
        site_cities_for_risk,
    )
    from jineng.subsidy.selectors_risk import claims_for_risk, payee_accounts_for_risk
    from jineng.supervision.selectors.exclusions import exclusions_for_risk
    from jineng.training.selectors import age_limits_for_risk

    t: dict[str, pa.Table] = {}
    accounts = ((person, "account", h) for person, h
                in payee_accounts_for_risk().iterator(chunk_size=CHUNK))
    t["contacts"] = _table("contacts", itertools.chain(person_contacts_for_risk(trainees),
                                                       accounts))

    def person_rows():
        limits: dict[tuple, tuple] = {}  # birth dates repeat: one computation per date, gender
        for pk, id_hash, birth, gender in persons_for_risk(trainees).iterator(chunk_size=CHUNK):
            key = (birth, gender)
            if key not in limits:
                adult, retire = age_limits_for_risk(birth, gender)
                limits[key] = (_day(adult), _day(retire))
            yield (pk, id_hash, _day(birth), *limits[key])

    t["persons"] = _table("persons", person_rows())
    t["claims"] = _table("claims", (
        (pk, person, key, kind, cls, cert, occ, lvl, _day(day), day.year if day else None)
        for pk, person, key, kind, cls, cert, occ, lvl, day in claims_for_risk()))
    t["site_cities"] = _table("site_cities", (
        (pk, _city(code)) for pk, code in site_cities_for_risk().iterator(chunk_size=CHUNK)))
    t["insured_cities"] = _table("insured_cities", (
        (person, _month(month), _city(code)) for person, month, code
        in insured_months_with_city(trainees).iterator(chunk_size=CHUNK)))
    t["exclusions"] = _table("exclusions", (
        (h, kind, _day(start), _day(end)) for h, kind, start, end in exclusions_for_risk()))
    return t

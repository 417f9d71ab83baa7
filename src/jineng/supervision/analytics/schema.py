"""Arrow schemas of the snapshot tables the risk rules read (analytics.risk). Pure."""

from __future__ import annotations

import pyarrow as pa

INT, F, S, B = pa.int64(), pa.float64(), pa.string(), pa.bool_()

SCHEMAS: dict[str, pa.Schema] = {
    "enrollments": pa.schema([("enrollment_id", INT), ("person_id", INT), ("class_id", INT),
                              ("institution_id", INT)]),
    "sessions": pa.schema([("session_id", INT), ("class_id", INT), ("institution_id", INT),
                           ("site_id", INT), ("starts_s", INT), ("ends_s", INT)]),
    "events": pa.schema([("event_id", INT), ("enrollment_id", INT), ("person_id", INT),
                         ("class_id", INT), ("session_id", INT), ("institution_id", INT),
                         ("kind", INT), ("method", INT), ("occurred_s", INT), ("latitude", F),
                         ("longitude", F), ("too_far", B), ("outside_window", B),
                         ("device", S)]),
    "sites": pa.schema([("site_id", INT), ("capacity", INT), ("latitude", F), ("longitude", F)]),
    "teaching": pa.schema([("class_id", INT), ("institution_id", INT), ("teacher_hash", S)]),
    "candidates": pa.schema([("candidate_id", INT), ("sitting_id", INT), ("person_id", INT),
                             ("class_id", INT), ("evaluator_id", INT), ("sitting_day", INT),
                             ("score", F), ("pass_mark", F), ("passed", B),
                             ("occupation_id", INT), ("level_id", INT)]),
    "examiners": pa.schema([("sitting_id", INT), ("examiner_hash", S)]),
    "certificates": pa.schema([("certificate_id", INT), ("person_id", INT), ("class_id", INT),
                               ("issued_day", INT)]),
    "classes": pa.schema([("class_id", INT), ("institution_id", INT), ("site_id", INT),
                          ("end_day", INT), ("occupation_id", INT), ("level_id", INT),
                          ("start_month", INT), ("end_month", INT), ("start_day", INT)]),
    "institutions": pa.schema([("institution_id", INT), ("credit_code", S)]),
    "employment": pa.schema([("person_id", INT), ("employer_code", S), ("month", INT)]),
    "contacts": pa.schema([("person_id", INT), ("kind", S), ("value_hash", S)]),
    "claims": pa.schema([("claim_id", INT), ("person_id", INT), ("person_key", S), ("kind", S),
                         ("class_id", INT), ("certificate_key", S), ("occupation_id", INT),
                         ("level_id", INT), ("claim_day", INT), ("year", INT)]),
    "insured_cities": pa.schema([("person_id", INT), ("month", INT), ("city", S)]),
    "site_cities": pa.schema([("site_id", INT), ("city", S)]),
    "persons": pa.schema([("person_id", INT), ("id_hash", S), ("birth_day", INT),
                          ("adult_day", INT), ("retire_day", INT)]),
    "exclusions": pa.schema([("id_hash", S), ("list_kind", S), ("from_day", INT),
                             ("to_day", INT)]),
    "online": pa.schema([("event_id", INT), ("enrollment_id", INT), ("person_id", INT),
                         ("class_id", INT), ("institution_id", INT), ("occurred_s", INT),
                         ("seconds", INT)]),
    "interactions": pa.schema([("event_id", INT), ("enrollment_id", INT), ("person_id", INT),
                               ("class_id", INT), ("institution_id", INT),
                               ("occurred_s", INT)]),
}


def empty(name: str) -> pa.Table:
    return SCHEMAS[name].empty_table()


def from_rows(name: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[name]
    return pa.table({f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in schema},
                    schema=schema)

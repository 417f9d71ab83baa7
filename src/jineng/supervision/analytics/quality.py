"""Data quality of the risk scan's snapshot, reported apart from fraud: Ibis expressions over
the same snapshot tables the rules read (analytics.schema). Pure: no Django, no connection.

A data-quality issue is something wrong with the records rather than with the training: it
goes to the institution and the data office, not to an inspector's alert queue. Each kind
answers rows (kind, institution_id, class_id, n); `report` runs them and sums them up into the
dict a scan stores (per kind, per institution, the classes with the most).

Kinds (parameters in brackets are the defaults):
  missing_coordinates      mobile/QR check-ins or check-outs (methods [2, 3]) without latitude
                           or longitude (the method promises them)
  site_without_coordinates sessions held at a site without coordinates (no distance check)
  clock_skew               check-ins more than [3] hours before their session starts or after
                           it ends (check-outs: [3] before, twice that after the end): a device
                           clock set hours wrong, or a time zone mistaken
  duplicate_event          the same enrollment, session, kind and second more than once (n is
                           the extra copies)
  partial_roster           sessions with check-ins where fewer than [50 %] of the class's
                           enrolled people checked in (a roster recorded only in part)
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

KINDS = ("missing_coordinates", "site_without_coordinates", "clock_skew", "duplicate_event",
         "partial_roster")
DEFAULTS: dict[str, Any] = {"located_methods": (2, 3), "skew_hours": 3.0,
                            "roster_min_share": 0.5}
CHECK_IN, CHECK_OUT = 1, 2
TOP_CLASSES = 100
TOP_INSTITUTIONS = 100


def _rows(t: ir.Table, kind: str, institution_id, class_id, n) -> ir.Table:
    return t.select(kind=ibis.literal(kind), institution_id=institution_id.cast("int64"),
                    class_id=class_id.cast("int64"), n=n.cast("int64"))


def missing_coordinates(events: ir.Table, *, located_methods=(2, 3)) -> ir.Table:
    e = events.filter(events.method.isin([int(m) for m in located_methods])
                      & (events.latitude.isnull() | events.longitude.isnull()))
    g = e.group_by(["institution_id", "class_id"]).aggregate(n=e.count())
    return _rows(g, "missing_coordinates", g.institution_id, g.class_id, g.n)


def site_without_coordinates(sessions: ir.Table, sites: ir.Table) -> ir.Table:
    bad = sites.filter(sites.latitude.isnull() | sites.longitude.isnull()).select("site_id")
    s = sessions.join(bad, "site_id")
    g = s.group_by(["institution_id", "class_id"]).aggregate(n=s.count())
    return _rows(g, "site_without_coordinates", g.institution_id, g.class_id, g.n)


def clock_skew(events: ir.Table, sessions: ir.Table, *, skew_hours: float = 3.0) -> ir.Table:
    h = int(float(skew_hours) * 3600)
    s = sessions.select("session_id", "starts_s", "ends_s")
    e = events.filter(events.session_id.notnull() & events.kind.isin([CHECK_IN, CHECK_OUT]))
    j = e.join(s, "session_id")
    late = ibis.cases((j.kind == CHECK_OUT, j.ends_s + 2 * h), else_=j.ends_s + h)
    j = j.filter((j.occurred_s < j.starts_s - h) | (j.occurred_s > late))
    g = j.group_by(["institution_id", "class_id"]).aggregate(n=j.count())
    return _rows(g, "clock_skew", g.institution_id, g.class_id, g.n)


def duplicate_events(events: ir.Table) -> ir.Table:
    # Grouping 46 million check-ins by six columns was most of the report (10 s at tier L):
    # the groups of the four that make a duplicate are found first (6 s), the few events in
    # them taken out by a semi join, and only those grouped by all six as before. The
    # session is null for some events: compared as -1 in the join (NULL matches nothing).
    # (No column added to `events` for it: DuckDB would materialise the 46 million rows of a
    # table expression read twice.)
    key = events.session_id.fill_null(-1)
    twice = events.group_by(
        [events.enrollment_id, key.name("session_key"), events.kind, events.occurred_s]
    ).aggregate(k=events.count())
    twice = twice.filter(twice.k > 1)
    events = events.semi_join(twice, [events.enrollment_id == twice.enrollment_id,
                                      key == twice.session_key, events.kind == twice.kind,
                                      events.occurred_s == twice.occurred_s])
    g = events.group_by(["institution_id", "class_id", "enrollment_id", "session_id", "kind",
                         "occurred_s"]).aggregate(k=events.count())
    g = g.filter(g.k > 1)
    c = g.group_by(["institution_id", "class_id"]).aggregate(n=(g.k - 1).sum())
    return _rows(c, "duplicate_event", c.institution_id, c.class_id, c.n)


def partial_roster(events: ir.Table, enrollments: ir.Table, *,
                   roster_min_share: float = 0.5) -> ir.Table:
    roster = enrollments.group_by("class_id").aggregate(enrolled=enrollments.person_id.nunique())
    e = events.filter((events.kind == CHECK_IN) & events.session_id.notnull()
                      & events.person_id.notnull())
    # distinct rows, then counted: cheaper than a count of distinct people per session
    d = e.select("institution_id", "class_id", "session_id", "person_id").distinct()
    per = d.group_by(["institution_id", "class_id", "session_id"]).aggregate(people=d.count())
    j = per.join(roster, "class_id")
    j = j.filter(j.people.cast("float64") < j.enrolled.cast("float64") * float(roster_min_share))
    g = j.group_by(["institution_id", "class_id"]).aggregate(n=j.count())
    return _rows(g, "partial_roster", g.institution_id, g.class_id, g.n)


def quality_rows(tables: dict[str, ir.Table], parameters: dict | None = None) -> ir.Table:
    """Every kind's rows (kind, institution_id, class_id, n) as one Ibis expression."""
    p = {**DEFAULTS, **(parameters or {})}
    t = tables
    parts = [
        missing_coordinates(t["events"], located_methods=p["located_methods"]),
        site_without_coordinates(t["sessions"], t["sites"]),
        clock_skew(t["events"], t["sessions"], skew_hours=p["skew_hours"]),
        duplicate_events(t["events"]),
        partial_roster(t["events"], t["enrollments"], roster_min_share=p["roster_min_share"]),
    ]
    return ibis.union(*parts, distinct=False)


def summarize(rows: pa.Table, parameters: dict | None = None) -> dict:
    """The stored report: totals per kind (every kind, zero included), per institution (the
    `TOP_INSTITUTIONS` with the most issues) and the `TOP_CLASSES` class × kind rows with the
    most; JSON-ready (string keys)."""
    p = {**DEFAULTS, **(parameters or {})}
    kinds = dict.fromkeys(KINDS, 0)
    per_inst: dict[str, dict[str, int]] = {}
    classes = []
    for r in rows.to_pylist():
        n = int(r["n"] or 0)
        if n <= 0:
            continue
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + n
        inst = str(r["institution_id"]) if r["institution_id"] is not None else ""
        bucket = per_inst.setdefault(inst, {})
        bucket[r["kind"]] = bucket.get(r["kind"], 0) + n
        classes.append({"kind": r["kind"], "institution_id": r["institution_id"],
                        "class_id": r["class_id"], "n": n})
    ranked = sorted(per_inst.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    classes.sort(key=lambda c: (-c["n"], c["kind"], c["class_id"] or 0))
    return {
        "kinds": kinds,
        "total": sum(kinds.values()),
        "institutions": dict(ranked[:TOP_INSTITUTIONS]),
        "institutions_affected": len(per_inst),
        "classes": classes[:TOP_CLASSES],
        "classes_affected": len({c["class_id"] for c in classes}),
        "parameters": {k: list(v) if isinstance(v, tuple | list) else v for k, v in p.items()},
    }


def report(tables: dict[str, ir.Table], parameters: dict | None = None) -> dict:
    """Run the quality expressions on the tables' backend and summarize them."""
    return summarize(quality_rows(tables, parameters).to_pyarrow(), parameters)

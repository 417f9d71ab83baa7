"""The attendance rules rewritten for speed (issue 13, "Speed and memory": R01, R02, R05, R06,
R07 prune with cheap bounds before the exact work) answer exactly what their plain
formulations answer. The plain formulations are kept here as the reference and both run on
DuckDB over seeded random attendance full of edge cases: people in several classes, shared
sites with overlapping sessions, repeated check-ins, bursts in the same seconds, shared
devices and site terminals, missing coordinates, people and sessions missing, moves just
under and over the distance threshold. Also: load_table streams a RecordBatchReader."""

from __future__ import annotations

import random

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from jineng.supervision.analytics import risk
from jineng.supervision.analytics.risk.common import CHECK_IN, _km, _out, _overlap_s
from jineng.supervision.analytics.schema import SCHEMAS, from_rows
from jineng.supervision.services.engine import duckdb_connect, load_snapshot, load_table

T0 = 1_750_000_000


# --- the plain formulations (the expressions before the rewrite) ----------------------------

def ref_r01(enrollments: ir.Table, sessions: ir.Table, *, min_overlap_minutes: int = 1):
    ps = enrollments.join(sessions, "class_id").select(
        "enrollment_id", "person_id", "class_id", "institution_id", "starts_s", "ends_s")
    a, b = ps.view(), ps.view()
    j = a.join(b, [a.person_id == b.person_id, a.enrollment_id < b.enrollment_id,
                   a.class_id != b.class_id, a.starts_s < b.ends_s, b.starts_s < a.ends_s])
    j = j.select(person_id=a.person_id, ea=a.enrollment_id, eb=b.enrollment_id,
                 cls=a.class_id, inst=a.institution_id,
                 ov=_overlap_s(a.starts_s, a.ends_s, b.starts_s, b.ends_s))
    j = j.filter(j.ov >= int(min_overlap_minutes) * 60)
    g = j.group_by(["person_id", "ea", "eb"]).aggregate(
        n=j.count(), cls=j.cls.min(), inst=j.inst.min())
    return _out(g, "R01", "person", g.person_id, g.cls, g.inst, g.ea, g.eb, g.n)


def ref_r02(events: ir.Table, *, max_kmh: float = 120, min_km: float = 5):
    e = events.filter((events.kind == CHECK_IN) & events.latitude.notnull()
                      & events.longitude.notnull())
    w = ibis.window(group_by=e.person_id, order_by=[e.occurred_s, e.event_id])
    e = e.mutate(prev_id=e.event_id.lag().over(w), prev_s=e.occurred_s.lag().over(w),
                 prev_lat=e.latitude.lag().over(w), prev_lon=e.longitude.lag().over(w))
    e = e.filter(e.prev_id.notnull())
    e = e.mutate(km=_km(e.prev_lat, e.prev_lon, e.latitude, e.longitude),
                 dt=(e.occurred_s - e.prev_s).cast("float64"))
    e = e.mutate(kmh=ibis.cases((e.dt <= 0, 1e9), else_=e.km * 3600.0 / e.dt))
    e = e.filter((e.km > float(min_km)) & (e.kmh > float(max_kmh)))
    return _out(e, "R02", "person", e.person_id, e.class_id, e.institution_id, e.prev_id,
                e.event_id, e.kmh.round(1))


def ref_r05(events: ir.Table, sessions: ir.Table, sites: ir.Table, *, tolerance: int = 0):
    s1, s2 = sessions.view(), sessions.view()
    pairs = s1.join(s2, [s1.site_id == s2.site_id, s1.starts_s < s2.ends_s,
                         s2.starts_s < s1.ends_s]).select(
        sid=s1.session_id, site_id=s1.site_id, cls=s1.class_id, inst=s1.institution_id,
        other=s2.session_id)
    ci = events.filter(events.kind == CHECK_IN).select("session_id", "person_id")
    j = pairs.join(ci, pairs.other == ci.session_id)
    g = j.group_by(["sid", "site_id", "cls", "inst"]).aggregate(people=j.person_id.nunique())
    g = g.join(sites, "site_id")
    g = g.filter(g.people > g.capacity + int(tolerance))
    return _out(g, "R05", "site", g.site_id, g.cls, g.inst, g.sid, g.capacity, g.people)


def ref_r06(events: ir.Table, *, window_seconds: int = 2, min_people: int = 8):
    e = events.filter((events.kind == CHECK_IN) & events.session_id.notnull())
    e = e.mutate(bucket=e.occurred_s // int(window_seconds))
    g = e.group_by(["session_id", "class_id", "institution_id", "bucket"]).aggregate(
        people=e.person_id.nunique(), first=e.event_id.min())
    g = g.filter(g.people >= int(min_people))
    s = g.group_by(["session_id", "class_id", "institution_id"]).aggregate(
        people=g.people.max(), first=g.first.min())
    return _out(s, "R06", "class", s.class_id, s.class_id, s.institution_id, s.session_id,
                s.first, s.people)


def ref_r07(events: ir.Table, *, min_people: int = 5, excluded_methods=(1,)):
    e = events.filter((events.kind == CHECK_IN) & events.device.notnull()
                      & (events.device != ""))
    if excluded_methods:
        e = e.filter(~e.method.isin([int(m) for m in excluded_methods]))
    g = e.group_by("device").aggregate(people=e.person_id.nunique(), classes=e.class_id.nunique(),
                                       first=e.event_id.min(), cls=e.class_id.min(),
                                       inst=e.institution_id.min())
    g = g.filter(g.people >= int(min_people))
    return _out(g, "R07", "device", g.device, g.cls, g.inst, g.first, g.classes, g.people)


def ref_r08(contacts: ir.Table, enrollments: ir.Table):
    trainees = enrollments.select("person_id").distinct()
    c = contacts.filter(contacts.value_hash.notnull() & (contacts.value_hash != ""))
    c = c.join(trainees, "person_id").select("person_id", "kind", "value_hash").distinct()
    hub = c.group_by(["kind", "value_hash"]).aggregate(hub=c.person_id.min(),
                                                      holders=c.person_id.nunique())
    hub = hub.filter(hub.holders >= 2)
    e = c.join(hub, ["kind", "value_hash"])
    e = e.filter(e.person_id != e.hub)
    edges = e.select(a=e.hub, b=e.person_id).distinct()
    linked = edges.select(person_id=edges.a).union(edges.select(person_id=edges.b)).distinct()
    nodes = enrollments.join(linked, "person_id").select(
        "person_id", "class_id", "institution_id").distinct()
    return edges, nodes


# --- seeded random attendance ----------------------------------------------------------------

def random_tables(seed: int) -> dict[str, pa.Table]:
    rnd = random.Random(seed)
    n_class, n_people = 12, 60
    enr, ses, ev, sites = [], [], [], []
    for s in range(1, 5):
        sites.append({"site_id": s, "capacity": rnd.choice([3, 5, 8, 12]), "latitude": 26.6,
                      "longitude": 106.7})
    sid = 0
    for c in range(1, n_class + 1):
        inst, site = 1 + c % 4, 1 + c % 5  # site 5 is not in `sites`
        day = rnd.randrange(0, 4)
        for k in range(4):
            sid += 1
            start = T0 + (day + k) * 86_400 + rnd.choice([0, 1800, 3600, 7200])
            ses.append({"session_id": sid, "class_id": c, "institution_id": inst,
                        "site_id": site, "starts_s": start,
                        "ends_s": start + rnd.choice([1800, 3600, 5400])})
    eid = 0
    for e in range(1, 130):
        enr.append({"enrollment_id": e, "person_id": rnd.randrange(1, n_people),
                    "class_id": rnd.randrange(1, n_class + 1),
                    "institution_id": rnd.randrange(1, 5)})
    by_class: dict[int, list[dict]] = {}
    for s in ses:
        by_class.setdefault(s["class_id"], []).append(s)
    for en in enr:
        for s in by_class[en["class_id"]]:
            for _ in range(rnd.choice([0, 1, 1, 1, 2])):  # absent, once, twice
                eid += 1
                burst = rnd.random() < 0.4
                t = s["starts_s"] + (rnd.choice([0, 1]) if burst else rnd.randrange(-900, 900))
                step = rnd.choice([0.0, 0.0, 0.01, 0.044, 0.046, 0.2, 3.0])  # degrees
                north = rnd.random() < 0.5  # a move north, or east
                lat = 26.0 + rnd.random() * 0.02 + (step if north else 0.0)
                lon = 106.0 + rnd.random() * 0.02 + (0.0 if north else step)
                located = rnd.random() > 0.1
                ev.append({"event_id": eid, "enrollment_id": en["enrollment_id"],
                           "person_id": None if rnd.random() < 0.02 else en["person_id"],
                           "class_id": en["class_id"],
                           "session_id": None if rnd.random() < 0.03 else s["session_id"],
                           "institution_id": en["institution_id"],
                           "kind": 1 if rnd.random() < 0.85 else 2,
                           "method": rnd.choice([1, 2, 2, 3]),
                           "occurred_s": None if rnd.random() < 0.01 else t,
                           "latitude": lat if located else None,
                           "longitude": lon if located else None,
                           "too_far": False, "outside_window": False,
                           "device": rnd.choice(["", None, f"ph-{en['person_id']}",
                                                 f"shared-{en['person_id'] % 7}",
                                                 f"term-{s['site_id']}"])})
    contacts = []
    for person in range(1, n_people + 30):  # some are no trainee
        for kind in ("phone", "account"):
            for _ in range(rnd.choice([0, 1, 1, 2])):  # none, one, the same twice or two
                contacts.append({"person_id": person, "kind": kind, "value_hash": rnd.choice(
                    ["", None, f"{kind}-{person}", f"{kind}-{person}",
                     f"shared-{rnd.randrange(25)}"])})
    return {"enrollments": from_rows("enrollments", enr), "sessions": from_rows("sessions", ses),
            "events": from_rows("events", ev), "sites": from_rows("sites", sites),
            "contacts": from_rows("contacts", contacts)}


def _rows(expr: ir.Table) -> list[tuple]:
    out = expr.select(*risk.ALERT_COLUMNS).to_pyarrow().to_pylist()
    return sorted((tuple(r.values()) for r in out), key=repr)


PARAMS = {
    "R01": [{}, {"min_overlap_minutes": 20}],
    "R02": [{}, {"min_km": 0.5, "max_kmh": 30}, {"min_km": 20}],
    "R05": [{}, {"tolerance": 2}],
    "R06": [{}, {"min_people": 3, "window_seconds": 1}, {"min_people": 4, "window_seconds": 5}],
    "R07": [{}, {"min_people": 2, "excluded_methods": []}],
}


@pytest.fixture(scope="module")
def loaded():
    out = []
    for seed in (1, 2, 3, 4):
        con = ibis.duckdb.connect()
        out.append((con, load_snapshot(con, random_tables(seed))))
    yield out
    for con, _ in out:
        con.disconnect()


@pytest.mark.parametrize("code", sorted(PARAMS))
def test_rewritten_rule_answers_what_the_plain_one_does(loaded, code) -> None:
    new = {"R01": lambda t, p: risk.r01_overlapping_enrollments(t["enrollments"],
                                                                t["sessions"], **p),
           "R02": lambda t, p: risk.r02_impossible_travel(t["events"], **p),
           "R05": lambda t, p: risk.r05_over_capacity(t["events"], t["sessions"], t["sites"],
                                                      **p),
           "R06": lambda t, p: risk.r06_machine_like(t["events"], **p),
           "R07": lambda t, p: risk.r07_shared_device(t["events"], **p)}[code]
    ref = {"R01": lambda t, p: ref_r01(t["enrollments"], t["sessions"], **p),
           "R02": lambda t, p: ref_r02(t["events"], **p),
           "R05": lambda t, p: ref_r05(t["events"], t["sessions"], t["sites"], **p),
           "R06": lambda t, p: ref_r06(t["events"], **p),
           "R07": lambda t, p: ref_r07(t["events"], **p)}[code]
    fired = 0
    for _con, tables in loaded:
        for params in PARAMS[code]:
            expected = _rows(ref(tables, params))
            assert _rows(new(tables, params)) == expected, (code, params)
            fired += len(expected)
    assert fired >= 3  # the random data do exercise the rule


def test_load_table_streams_a_record_batch_reader(tmp_path) -> None:
    """A reader goes into DuckDB batch by batch, into a scratch database file; the choice codes
    are stored as SMALLINT; the rows are those of the table."""
    events = random_tables(5)["events"]
    reader = pa.RecordBatchReader.from_batches(events.schema,
                                               events.to_batches(max_chunksize=100))
    con = duckdb_connect(tmp_path / "scan.duckdb", memory_limit="1GB",
                         temp_directory=tmp_path / "spill")
    try:
        t = load_table(con, "events", reader)
        assert str(t.schema()["kind"]) == "int16" and str(t.schema()["method"]) == "int16"
        back = t.to_pyarrow().cast(SCHEMAS["events"]).sort_by("event_id")
        assert back.equals(events.sort_by("event_id"))
        assert (tmp_path / "scan.duckdb").exists()
    finally:
        con.disconnect()


def test_ring_edges_and_nodes_are_those_of_the_plain_formulation(loaded) -> None:
    found = 0
    for _con, tables in loaded:
        ref_edges, ref_nodes = ref_r08(tables["contacts"], tables["enrollments"])
        edges, nodes = risk.r08_ring_edges(tables["contacts"], tables["enrollments"])
        assert _set(edges) == _set(ref_edges) and _set(nodes) == _set(ref_nodes)
        rule = risk.r08_rings(tables["contacts"], tables["enrollments"], min_people=3,
                              min_classes=1)
        found += rule.finish(edges.to_pyarrow(), nodes.to_pyarrow()).num_rows
    assert found >= 2


def _set(expr: ir.Table) -> set[tuple]:
    return {tuple(r.values()) for r in expr.to_pyarrow().to_pylist()}


def test_load_table_into_postgres_keeps_values_exactly() -> None:
    """COPY … CSV batch by batch: an empty string stays an empty string and NULL stays NULL,
    floats come back bit for bit, booleans and large integers too."""
    from tests.supervision.test_conformance import postgres_url

    url = postgres_url()
    if url is None:
        pytest.skip("DATABASE_URL is not PostgreSQL")
    rows = [{"event_id": 2**62 + k, "enrollment_id": None, "person_id": k, "class_id": 1,
             "session_id": None, "institution_id": 1, "kind": 1, "method": 2,
             "occurred_s": T0 + k, "latitude": lat, "longitude": None if k % 2 else -lat,
             "too_far": k % 3 == 0, "outside_window": None, "device": dev}
            for k, (lat, dev) in enumerate([(0.1, ""), (26.600000000000001, None),
                                            (1e-300, 'a "quoted", value'), (1 / 3, "x\ny"),
                                            (-179.99999999999997, "设备")])]
    table = from_rows("events", rows)
    con = ibis.connect(url)
    try:
        reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=2))
        back = load_table(con, "events", reader).to_pyarrow().cast(SCHEMAS["events"])
        assert back.sort_by("event_id").equals(table.sort_by("event_id"))
    finally:
        con.disconnect()

"""The risk rules as Ibis expressions over the snapshot tables. Pure: no Django, no connection.

The same expressions run on DuckDB (production), inside PostgreSQL (`ibis.postgres`) and on
PySpark (`ibis.pyspark`); tests/supervision/test_conformance.py requires identical alerts.
Times are integers (seconds since the epoch, days since the epoch) so no backend's timestamp
semantics enter a rule.

Snapshot tables (see services/snapshot.py):
  enrollments:  enrollment_id, person_id, class_id, institution_id   (withdrawn ones left out)
  sessions:     session_id, class_id, institution_id, site_id, starts_s, ends_s
  events:       event_id, enrollment_id, person_id, class_id, session_id, institution_id,
                kind, method, occurred_s, latitude, longitude, too_far, outside_window, device
                (check-ins and check-outs not voided; coordinates may be NULL)
  sites:        site_id, capacity, latitude, longitude
  teaching:     class_id, institution_id, teacher_hash    (keyed ID hash of each class teacher)
  candidates:   candidate_id, sitting_id, person_id, class_id, evaluator_id, sitting_day,
                score, pass_mark, passed, occupation_id, level_id
  examiners:    sitting_id, examiner_hash
  certificates: certificate_id, person_id, class_id, issued_day
  classes:      class_id, institution_id, site_id, end_day, occupation_id, level_id,
                start_month, end_month   (months are year * 12 + month - 1)
  institutions: institution_id, credit_code
  employment:   person_id, employer_code, month   (social-insurance months at institutions)
  contacts:     person_id, kind, value_hash   (keyed hashes of a trainee's phone, of the bank
                account subsidies are paid to; never plaintext)
  claims:       claim_id, person_id, person_key, kind, class_id, certificate_key,
                occupation_id, level_id, claim_day, year   (live subsidy claims, claim_id > 0,
                and subsidies imported from the previous system, claim_id = -pk; person_key
                is the keyed ID hash, person_id NULL when the person is not registered)
  insured_cities: person_id, month, city   (social-insurance months, employer's city code)
  site_cities:  site_id, city
  persons:      person_id, id_hash, birth_day, adult_day, retire_day   (trainees; the day
                they reach the minimum age and the statutory retirement age)
  exclusions:   id_hash, list_kind, from_day, to_day   (exclusion lists; to_day NULL = open)
  online:       event_id, enrollment_id, person_id, class_id, institution_id, occurred_s,
                seconds   (online learning segments from xAPI, not voided)

Every rule answers rows of ALERT_COLUMNS: the rule code, the subject (kind and reference),
the class and institution involved (when one is), two record references and a measure: the
evidence a person checks (catalog.RuleSpec names what each reference is)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

ALERT_COLUMNS = ("rule", "subject_kind", "subject_ref", "class_id", "institution_id", "ref_a",
                 "ref_b", "measure")
ALERT_ARROW = pa.schema([("rule", pa.string()), ("subject_kind", pa.string()),
                         ("subject_ref", pa.string()), ("class_id", pa.int64()),
                         ("institution_id", pa.int64()), ("ref_a", pa.int64()),
                         ("ref_b", pa.int64()), ("measure", pa.float64())])
CHECK_IN = 1
EARTH_KM = 6371.0
DAY_S = 86_400
LOCAL_OFFSET_S = 8 * 3600  # China Standard Time, for "overnight"
LIST_KINDS = {"pension": 1, "student": 2, "public_payroll": 3}
# Subsidy kinds tied to a skill (occupation, level, certificate) that R14 counts, and the
# training kinds R12 counts beside enrollments (fixed here: rule parameters are numbers).
SKILL_KINDS = ("training", "certificate", "evaluation", "upskilling")
TRAINING_KINDS = ("training", "upskilling")


@dataclass(frozen=True)
class GraphRule:
    """A rule whose edges (and node attributes) are Ibis expressions evaluated on the backend,
    finished in Python (`finish(edges, nodes)` → alert rows as Arrow): graph components are
    not a set operation every backend has (R08)."""

    edges: ir.Table
    nodes: ir.Table
    finish: Callable[[pa.Table, pa.Table], pa.Table]


def _out(t: ir.Table, rule: str, kind: str, subject, class_id, institution_id, ref_a, ref_b,
         measure) -> ir.Table:
    def i64(v):
        return ibis.null("int64") if v is None else v.cast("int64")

    return t.select(rule=ibis.literal(rule), subject_kind=ibis.literal(kind),
                    subject_ref=subject.cast("string"), class_id=i64(class_id),
                    institution_id=i64(institution_id), ref_a=i64(ref_a), ref_b=i64(ref_b),
                    measure=measure.cast("float64"))


def _overlap_s(a_start, a_end, b_start, b_end):
    least = ibis.cases((a_end < b_end, a_end), else_=b_end)
    greatest = ibis.cases((a_start > b_start, a_start), else_=b_start)
    return least - greatest


def r01_overlapping_enrollments(enrollments: ir.Table, sessions: ir.Table, *,
                                min_overlap_minutes: int = 1) -> ir.Table:
    """A person enrolled in two classes with sessions overlapping in time (pairs of
    enrollments; the measure is how many session pairs overlap)."""
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


def _km(lat1, lon1, lat2, lon2):
    p1, p2 = lat1.radians(), lat2.radians()
    dlat = (lat2 - lat1).radians()
    dlon = (lon2 - lon1).radians()
    h = (dlat / 2).sin() ** 2 + p1.cos() * p2.cos() * (dlon / 2).sin() ** 2
    return 2 * EARTH_KM * h.sqrt().asin()


def r02_impossible_travel(events: ir.Table, *, max_kmh: float = 120,
                          min_km: float = 5) -> ir.Table:
    """Consecutive check-ins of a person (with coordinates) further apart than `min_km` and
    faster than `max_kmh` to travel between; the measure is the speed (km/h; 1e9 when both
    fall in the same second)."""
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


def r03_far_or_outside(events: ir.Table, *, max_share: float = 0.3,
                       min_checkins: int = 10) -> ir.Table:
    """Classes whose check-ins far from the site or outside the session window are more than
    `max_share` of at least `min_checkins` check-ins."""
    e = events.filter(events.kind == CHECK_IN)
    flagged = ibis.cases((e.too_far | e.outside_window, 1), else_=0)
    g = e.group_by(["class_id", "institution_id"]).aggregate(n=e.count(), bad=flagged.sum())
    g = g.mutate(share=g.bad.cast("float64") / g.n.cast("float64"))
    g = g.filter((g.n >= int(min_checkins)) & (g.share > float(max_share)))
    return _out(g, "R03", "class", g.class_id, g.class_id, g.institution_id, g.bad, g.n,
                g.share.round(4))


def r04_teacher_two_places(teaching: ir.Table, sessions: ir.Table, *,
                           min_overlap_minutes: int = 1) -> ir.Table:
    """One teacher (keyed ID hash) in sessions overlapping in time at different
    institutions; pairs of sessions, the measure the overlap in minutes."""
    ts = teaching.join(sessions, "class_id").select(
        "teacher_hash", "session_id", "class_id", "starts_s", "ends_s",
        inst=teaching.institution_id)
    a, b = ts.view(), ts.view()
    j = a.join(b, [a.teacher_hash == b.teacher_hash, a.inst < b.inst,
                   a.starts_s < b.ends_s, b.starts_s < a.ends_s])
    j = j.select(h=a.teacher_hash, sa=a.session_id, sb=b.session_id, cls=a.class_id,
                 inst=a.inst, ov=_overlap_s(a.starts_s, a.ends_s, b.starts_s, b.ends_s))
    j = j.filter(j.ov >= int(min_overlap_minutes) * 60)
    return _out(j, "R04", "teacher", j.h, j.cls, j.inst, j.sa, j.sb,
                (j.ov / 60).floor())


def r05_over_capacity(events: ir.Table, sessions: ir.Table, sites: ir.Table, *,
                      tolerance: int = 0) -> ir.Table:
    """Sessions during which more distinct people checked in at the site (in that session or
    any session at the same site overlapping it) than the site holds."""
    s1, s2 = sessions.view(), sessions.view()
    pairs = s1.join(s2, [s1.site_id == s2.site_id, s1.starts_s < s2.ends_s,
                         s2.starts_s < s1.ends_s]).select(
        sid=s1.session_id, site_id=s1.site_id, cls=s1.class_id, inst=s1.institution_id,
        other=s2.session_id)
    ci = events.filter(events.kind == CHECK_IN).select("session_id", "person_id")
    j = pairs.join(ci, pairs.other == ci.session_id)
    g = j.group_by(["sid", "site_id", "cls", "inst"]).aggregate(
        people=j.person_id.nunique())
    g = g.join(sites, "site_id")
    g = g.filter(g.people > g.capacity + int(tolerance))
    return _out(g, "R05", "site", g.site_id, g.cls, g.inst, g.sid, g.capacity, g.people)


def r06_machine_like(events: ir.Table, *, window_seconds: int = 2,
                     min_people: int = 8) -> ir.Table:
    """Sessions in which at least `min_people` different trainees checked in within the same
    `window_seconds` (buckets of the epoch second); the largest bucket per session."""
    e = events.filter((events.kind == CHECK_IN) & events.session_id.notnull())
    e = e.mutate(bucket=e.occurred_s // int(window_seconds))
    g = e.group_by(["session_id", "class_id", "institution_id", "bucket"]).aggregate(
        people=e.person_id.nunique(), first=e.event_id.min())
    g = g.filter(g.people >= int(min_people))
    s = g.group_by(["session_id", "class_id", "institution_id"]).aggregate(
        people=g.people.max(), first=g.first.min())
    return _out(s, "R06", "class", s.class_id, s.class_id, s.institution_id, s.session_id,
                s.first, s.people)


def r07_shared_device(events: ir.Table, *, min_people: int = 5,
                      excluded_methods=(1,)) -> ir.Table:
    """A device (not a site terminal) that checked in at least `min_people` different
    people."""
    e = events.filter((events.kind == CHECK_IN) & events.device.notnull()
                      & (events.device != ""))
    if excluded_methods:
        e = e.filter(~e.method.isin([int(m) for m in excluded_methods]))
    g = e.group_by("device").aggregate(people=e.person_id.nunique(), classes=e.class_id.nunique(),
                                       first=e.event_id.min(), cls=e.class_id.min(),
                                       inst=e.institution_id.min())
    g = g.filter(g.people >= int(min_people))
    return _out(g, "R07", "device", g.device, g.cls, g.inst, g.first, g.classes, g.people)


def r09_employees_trained(enrollments: ir.Table, classes: ir.Table, institutions: ir.Table,
                          employment: ir.Table, *, min_months: int = 1) -> ir.Table:
    """Trainees insured by the institution that trains them during the class (at least
    `min_months` contribution months between the class's first and last month)."""
    c = classes.select("class_id", "start_month", "end_month")
    e = enrollments.join(c, "class_id")
    e = e.join(institutions, "institution_id")
    j = e.join(employment, [e.person_id == employment.person_id,
                            e.credit_code == employment.employer_code,
                            employment.month >= e.start_month,
                            employment.month <= e.end_month])
    j = j.select(pid=e.person_id, enr=e.enrollment_id, cls=e.class_id, inst=e.institution_id,
                 month=employment.month)
    g = j.group_by(["pid", "enr", "cls", "inst"]).aggregate(months=j.month.nunique())
    g = g.filter(g.months >= int(min_months))
    return _out(g, "R09", "person", g.pid, g.cls, g.inst, g.enr, g.cls, g.months)


def r10a_assessed_before_end(candidates: ir.Table, classes: ir.Table, *,
                             grace_days: int = 0) -> ir.Table:
    """Sittings that assessed a class's trainees before the class's last day."""
    c = candidates.filter(candidates.class_id.notnull())
    j = c.join(classes, "class_id")
    j = j.filter(j.sitting_day + int(grace_days) < j.end_day)
    g = j.group_by(["sitting_id", "class_id", "institution_id"]).aggregate(
        n=j.count(), early=(j.end_day - j.sitting_day).max())
    return _out(g, "R10A", "class", g.class_id, g.class_id, g.institution_id, g.sitting_id,
                g.n, g.early)


def r10b_certificate_before_assessment(certificates: ir.Table,
                                       candidates: ir.Table) -> ir.Table:
    """Certificates for a class dated before the holder's assessment for that class."""
    c = candidates.filter(candidates.class_id.notnull())
    j = certificates.join(c, [certificates.person_id == c.person_id,
                              certificates.class_id == c.class_id,
                              certificates.issued_day < c.sitting_day])
    j = j.select(pid=certificates.person_id, cert=certificates.certificate_id,
                 cand=c.candidate_id, cls=c.class_id,
                 early=c.sitting_day - certificates.issued_day)
    return _out(j, "R10B", "person", j.pid, j.cls, None, j.cert, j.cand, j.early)


def r10c_teacher_examines_own(examiners: ir.Table, candidates: ir.Table,
                              teaching: ir.Table) -> ir.Table:
    """An examiner of a sitting who teaches a class whose trainees sit it (考培分离)."""
    c = candidates.filter(candidates.class_id.notnull())
    sc = c.group_by(["sitting_id", "class_id"]).aggregate(n=c.count())
    j = examiners.join(sc, "sitting_id")
    j = j.join(teaching, [j.class_id == teaching.class_id,
                          j.examiner_hash == teaching.teacher_hash])
    j = j.select(h=j.examiner_hash, sid=j.sitting_id, cls=j.class_id,
                 inst=teaching.institution_id, n=j.n)
    return _out(j, "R10C", "teacher", j.h, j.cls, j.inst, j.sid, j.cls, j.n)


def r11a_pass_rate_outlier(candidates: ir.Table, classes: ir.Table, *, min_candidates: int = 10,
                           min_gap: float = 0.3, min_peer_candidates: int = 20) -> ir.Table:
    """Classes whose pass rate is at least `min_gap` above the rest of the same occupation and
    level (at least `min_candidates` assessed, `min_peer_candidates` among the peers)."""
    c = candidates.filter(candidates.class_id.notnull() & candidates.passed.notnull())
    c = c.join(classes.select("class_id", "institution_id",
                              occ=classes.occupation_id, lvl=classes.level_id), "class_id")
    c = c.filter(c.occ.notnull() & c.lvl.notnull())
    passed = ibis.cases((c.passed, 1), else_=0)
    per = c.group_by(["class_id", "institution_id", "occ", "lvl"]).aggregate(
        n=c.count(), p=passed.sum())
    tot = per.group_by(["occ", "lvl"]).aggregate(tn=per.n.sum(), tp=per.p.sum())
    j = per.join(tot, ["occ", "lvl"])
    j = j.mutate(peer_n=j.tn - j.n, peer_p=j.tp - j.p)
    j = j.filter((j.n >= int(min_candidates)) & (j.peer_n >= int(min_peer_candidates)))
    j = j.mutate(rate=j.p.cast("float64") / j.n.cast("float64"),
                 peer=j.peer_p.cast("float64") / j.peer_n.cast("float64"))
    j = j.filter(j.rate - j.peer >= float(min_gap))
    return _out(j, "R11A", "class", j.class_id, j.class_id, j.institution_id, j.n, j.p,
                j.rate.round(4))


def r11b_heaped_scores(candidates: ir.Table, classes: ir.Table, *, band: float = 3.0,
                       min_share: float = 0.6, min_scored: int = 10) -> ir.Table:
    """Classes where at least `min_share` of the scores lie in [pass mark, pass mark + band)."""
    c = candidates.filter(candidates.class_id.notnull() & candidates.score.notnull()
                          & candidates.pass_mark.notnull())
    c = c.join(classes.select("class_id", "institution_id"), "class_id")
    near = ibis.cases(((c.score >= c.pass_mark) & (c.score < c.pass_mark + float(band)), 1),
                      else_=0)
    g = c.group_by(["class_id", "institution_id"]).aggregate(n=c.count(), k=near.sum())
    g = g.mutate(share=g.k.cast("float64") / g.n.cast("float64"))
    g = g.filter((g.n >= int(min_scored)) & (g.share >= float(min_share)))
    return _out(g, "R11B", "class", g.class_id, g.class_id, g.institution_id, g.n, g.k,
                g.share.round(4))


def r08_ring_edges(contacts: ir.Table, enrollments: ir.Table) -> tuple[ir.Table, ir.Table]:
    """The edges of the ring graph: trainees sharing a keyed-hashed phone or payee account.
    Each shared value links its holders to the smallest person id holding it (a star, so a
    value shared by n people gives n - 1 edges, not n²); the components are the same. Nodes:
    the classes and institutions of every linked trainee."""
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


def r08_rings(contacts: ir.Table, enrollments: ir.Table, *, min_people: int = 5,
              min_classes: int = 2, min_institutions: int = 1) -> GraphRule:
    """Rings: connected components of trainees linked by shared phone numbers or payee
    accounts (keyed hashes) with at least `min_people` people over at least `min_classes`
    classes and `min_institutions` institutions. Edges on the backend (Ibis), components in
    networkx; one row per component: subject its smallest person id, the measure its size."""
    edges, nodes = r08_ring_edges(contacts, enrollments)

    def finish(edge_rows: pa.Table, node_rows: pa.Table) -> pa.Table:
        import networkx as nx

        g = nx.Graph()
        g.add_edges_from(zip(edge_rows.column("a").to_pylist(),
                             edge_rows.column("b").to_pylist(), strict=True))
        where: dict[int, list[tuple[int, int]]] = {}
        for p, c, i in zip(*(node_rows.column(n).to_pylist()
                             for n in ("person_id", "class_id", "institution_id")), strict=True):
            where.setdefault(p, []).append((c, i))
        rows = []
        for comp in nx.connected_components(g):
            if len(comp) < int(min_people):
                continue
            cls = {c for p in comp for c, _ in where.get(p, ())}
            inst = {i for p in comp for _, i in where.get(p, ()) if i is not None}
            if len(cls) < int(min_classes) or len(inst) < int(min_institutions):
                continue
            rows.append({"rule": "R08", "subject_kind": "person", "subject_ref": str(min(comp)),
                         "class_id": min(cls) if cls else None,
                         "institution_id": min(inst) if inst else None,
                         "ref_a": len(cls), "ref_b": len(inst), "measure": float(len(comp))})
        return pa.Table.from_pylist(rows, schema=ALERT_ARROW)

    return GraphRule(edges=edges, nodes=nodes, finish=finish)


def r12_repeat_training(enrollments: ir.Table, classes: ir.Table, claims: ir.Table | None = None,
                        *, max_classes: int = 2, claim_kinds=TRAINING_KINDS) -> ir.Table:
    """A person trained more than `max_classes` times in the same occupation and level
    (across institutions and years): enrolled classes, plus subsidy claims of `claim_kinds`
    (a claim for a class counts with that class, once) and subsidies imported from the
    previous system; one alert per person × occupation × level."""
    c = classes.select("class_id", occ=classes.occupation_id, lvl=classes.level_id)
    j = enrollments.join(c, "class_id")
    j = j.filter(j.occ.notnull() & j.lvl.notnull())
    items = j.select("person_id", "occ", "lvl", item=ibis.literal("c") + j.class_id.cast("string"),
                     cls=j.class_id, inst=j.institution_id)
    if claims is not None and claim_kinds:
        k = claims.filter(claims.person_id.notnull() & claims.occupation_id.notnull()
                          & claims.level_id.notnull()
                          & claims.kind.isin([str(x) for x in claim_kinds]))
        item = ibis.cases((k.class_id.notnull(), ibis.literal("c") + k.class_id.cast("string")),
                          else_=ibis.literal("s") + k.claim_id.cast("string"))
        items = items.union(k.select("person_id", occ=k.occupation_id, lvl=k.level_id,
                                     item=item, cls=ibis.null("int64"),
                                     inst=ibis.null("int64")))
    g = items.group_by(["person_id", "occ", "lvl"]).aggregate(
        n=items.item.nunique(), last=items.cls.max(), inst=items.inst.max())
    g = g.filter(g.n > int(max_classes))
    return _out(g, "R12", "person", g.person_id, g.last, g.inst, g.occ, g.lvl, g.n)


def r13_volume_jump(enrollments: ir.Table, classes: ir.Table, sites: ir.Table, *,
                    period_months: int = 3, factor: float = 3.0, min_prior_periods: int = 3,
                    capacity_factor: float = 2.0) -> ir.Table:
    """An institution whose enrollments in a period (classes starting in it) exceed `factor`
    × the median of its own earlier periods (at least `min_prior_periods` of them) and
    `capacity_factor` × the capacity of the sites its classes of the period use. ref_a is the
    period's first month (year × 12 + month − 1), ref_b the median before, measure the
    enrollments."""
    pm = int(period_months)
    c = classes.filter(classes.start_month.notnull()).select(
        "class_id", "site_id", period=classes.start_month // pm)
    e = enrollments.join(c, "class_id")
    vol = e.group_by(["institution_id", "period"]).aggregate(n=e.count())
    prior = vol.view()
    j = vol.join(prior, [vol.institution_id == prior.institution_id,
                         prior.period < vol.period])
    j = j.select(inst=vol.institution_id, period=vol.period, n=vol.n, pn=prior.n)
    hist = j.group_by(["inst", "period", "n"]).aggregate(med=j.pn.median(), k=j.pn.count())
    cs = classes.filter(classes.start_month.notnull() & classes.site_id.notnull()).select(
        inst=classes.institution_id, period=classes.start_month // pm, site_id=classes.site_id
    ).distinct()
    cs = cs.join(sites.select("site_id", "capacity"), "site_id")
    seats = cs.group_by(["inst", "period"]).aggregate(seats=cs.capacity.sum())
    h = hist.left_join(seats, ["inst", "period"]).select(
        "inst", "period", "n", "med", "k", seats=ibis.coalesce(seats.seats, 0))
    h = h.filter((h.k >= int(min_prior_periods)) & (h.n > h.med * float(factor))
                 & (h.n > h.seats * float(capacity_factor)))
    return _out(h, "R13", "institution", h.inst, None, h.inst, h.period * pm, h.med.round(0),
                h.n)


def r14a_certificate_twice(claims: ir.Table, *,
                           kinds=SKILL_KINDS) -> ir.Table:
    """Two or more subsidies (claims here or imported history) on one certificate."""
    k = claims.filter(claims.certificate_key.notnull() & (claims.certificate_key != "")
                      & claims.kind.isin([str(x) for x in kinds]))
    g = k.group_by("certificate_key").aggregate(
        n=k.count(), a=k.claim_id.min(), b=k.claim_id.max(), pid=k.person_id.max(),
        pkey=k.person_key.max(), cls=k.class_id.max())
    g = g.filter(g.n >= 2)
    return _out(g, "R14A", "person", ibis.coalesce(g.pid.cast("string"), g.pkey), g.cls, None,
                g.a, g.b, g.n)


def r14b_same_skill_twice(claims: ir.Table, *,
                          kinds=SKILL_KINDS) -> ir.Table:
    """One person subsidized twice for the same occupation and level (any of `kinds`,
    claims here and imported history)."""
    k = claims.filter(claims.occupation_id.notnull() & claims.level_id.notnull()
                      & claims.kind.isin([str(x) for x in kinds]))
    g = k.group_by(["person_key", "occupation_id", "level_id"]).aggregate(
        n=k.count(), a=k.claim_id.min(), b=k.claim_id.max(), pid=k.person_id.max(),
        cls=k.class_id.max())
    g = g.filter(g.n >= 2)
    return _out(g, "R14B", "person", ibis.coalesce(g.pid.cast("string"), g.person_key), g.cls,
                None, g.a, g.b, g.n)


def r14c_yearly_limit(claims: ir.Table, *, max_per_year: int = 3,
                      kinds=SKILL_KINDS) -> ir.Table:
    """More than `max_per_year` subsidies to one person in one year (claims here and imported
    history); ref_a is the year."""
    k = claims.filter(claims.year.notnull() & claims.kind.isin([str(x) for x in kinds]))
    g = k.group_by(["person_key", "year"]).aggregate(
        n=k.count(), b=k.claim_id.max(), pid=k.person_id.max(), cls=k.class_id.max())
    g = g.filter(g.n > int(max_per_year))
    return _out(g, "R14C", "person", ibis.coalesce(g.pid.cast("string"), g.person_key), g.cls,
                None, g.year, g.b, g.n)


def r15_insured_elsewhere(enrollments: ir.Table, classes: ir.Table, site_cities: ir.Table,
                          insured_cities: ir.Table, *, min_months: int = 1) -> ir.Table:
    """Trainees of an on-site class whose social-insurance records show work in another city
    during the class (at least `min_months` months between its first and last month with an
    employer outside the site's city). ref_b is the employer's city code."""
    c = classes.filter(classes.site_id.notnull() & classes.start_month.notnull()
                       & classes.end_month.notnull()).select(
        "class_id", "site_id", "start_month", "end_month")
    c = c.join(site_cities, "site_id")
    e = enrollments.join(c, "class_id")
    w = insured_cities
    j = e.join(w, [e.person_id == w.person_id, w.month >= e.start_month,
                   w.month <= e.end_month, w.city != e.city])
    j = j.select(pid=e.person_id, enr=e.enrollment_id, cls=e.class_id, inst=e.institution_id,
                 month=w.month, other=w.city)
    g = j.group_by(["pid", "enr", "cls", "inst"]).aggregate(months=j.month.nunique(),
                                                           other=j.other.min())
    g = g.filter(g.months >= int(min_months))
    return _out(g, "R15", "person", g.pid, g.cls, g.inst, g.enr, g.other.cast("int64"),
                g.months)


def _class_days(classes: ir.Table) -> ir.Table:
    return classes.filter(classes.end_day.notnull()).select(
        "class_id", end=classes.end_day, start=ibis.coalesce(classes.start_day, classes.end_day))


def r16a_excluded_trainee(enrollments: ir.Table, classes: ir.Table, persons: ir.Table,
                          exclusions: ir.Table) -> ir.Table:
    """Trainees on an exclusion list (pension drawers, full-time students, public-payroll
    staff) whose entry is in force during the class; ref_b the list (1 pension, 2 student,
    3 public payroll), measure the days of the class the entry covers."""
    e = enrollments.join(_class_days(classes), "class_id")
    e = e.join(persons.select("person_id", "id_hash"), "person_id")
    x = exclusions
    j = e.join(x, [e.id_hash == x.id_hash, x.from_day <= e.end,
                   x.to_day.isnull() | (x.to_day >= e.start)])
    first = ibis.cases((x.from_day > e.start, x.from_day), else_=e.start)
    last = ibis.cases((x.to_day.notnull() & (x.to_day < e.end), x.to_day), else_=e.end)
    kind = ibis.cases(*((x.list_kind == k, v) for k, v in LIST_KINDS.items()), else_=0)
    j = j.select(pid=e.person_id, enr=e.enrollment_id, cls=e.class_id, inst=e.institution_id,
                 kind=kind, days=last - first + 1)
    g = j.group_by(["pid", "enr", "cls", "inst", "kind"]).aggregate(days=j.days.max())
    return _out(g, "R16A", "person", g.pid, g.cls, g.inst, g.enr, g.kind, g.days)


def r16b_outside_age(enrollments: ir.Table, classes: ir.Table, persons: ir.Table) -> ir.Table:
    """Trainees at or past the statutory retirement age (training.rules.retirement, computed
    into `persons.retire_day`) or under the minimum age when their class starts; ref_b 1 over
    age, 2 under age, measure the days past (or short of) the limit."""
    e = enrollments.join(_class_days(classes), "class_id")
    e = e.join(persons.select("person_id", "adult_day", "retire_day"), "person_id")
    over = e.retire_day.notnull() & (e.start >= e.retire_day)
    under = e.adult_day.notnull() & (e.start < e.adult_day)
    e = e.filter(over | under)
    e = e.mutate(which=ibis.cases((over, 1), else_=2),
                 days=ibis.cases((over, e.start - e.retire_day), else_=e.adult_day - e.start))
    return _out(e, "R16B", "person", e.person_id, e.class_id, e.institution_id,
                e.enrollment_id, e.which, e.days)


def _local_day(s):
    return (s + LOCAL_OFFSET_S) // DAY_S


def r17a_online_without_pause(online: ir.Table, *, max_daily_hours: float = 10) -> ir.Table:
    """Online learning of one account summing to more than `max_daily_hours` in a day (China
    time), over all its classes; ref_a the day, ref_b the first segment, measure hours."""
    o = online.mutate(day=_local_day(online.occurred_s))
    g = o.group_by(["person_id", "day"]).aggregate(
        s=o.seconds.sum(), first=o.event_id.min(), cls=o.class_id.min(),
        inst=o.institution_id.min())
    g = g.filter(g.s > float(max_daily_hours) * 3600)
    return _out(g, "R17A", "person", g.person_id, g.cls, g.inst, g.day, g.first,
                (g.s / 3600.0).round(2))


def r17b_online_overnight(online: ir.Table, *, night_end_hour: int = 5,
                          min_night_hours: float = 2) -> ir.Table:
    """Online learning accumulating overnight: segments starting between midnight and
    `night_end_hour` (China time) summing to at least `min_night_hours` in one night."""
    o = online.mutate(day=_local_day(online.occurred_s),
                      sec=(online.occurred_s + LOCAL_OFFSET_S) % DAY_S)
    o = o.filter(o.sec < int(night_end_hour) * 3600)
    g = o.group_by(["person_id", "day"]).aggregate(
        s=o.seconds.sum(), first=o.event_id.min(), cls=o.class_id.min(),
        inst=o.institution_id.min())
    g = g.filter(g.s >= float(min_night_hours) * 3600)
    return _out(g, "R17B", "person", g.person_id, g.cls, g.inst, g.day, g.first,
                (g.s / 3600.0).round(2))


def r17c_online_parallel(online: ir.Table, *, min_overlap_minutes: int = 10) -> ir.Table:
    """One account learning in two classes at once: online segments [timestamp, timestamp +
    duration) of different classes overlapping at least `min_overlap_minutes`."""
    o = online.select("event_id", "person_id", "class_id", "institution_id",
                      a_s=online.occurred_s, b_s=online.occurred_s + online.seconds)
    x, y = o.view(), o.view()
    j = x.join(y, [x.person_id == y.person_id, x.event_id < y.event_id,
                   x.class_id != y.class_id, x.a_s < y.b_s, y.a_s < x.b_s])
    j = j.select(pid=x.person_id, ea=x.event_id, eb=y.event_id, cls=x.class_id,
                 inst=x.institution_id, ov=_overlap_s(x.a_s, x.b_s, y.a_s, y.b_s))
    j = j.filter(j.ov >= int(min_overlap_minutes) * 60)
    return _out(j, "R17C", "person", j.pid, j.cls, j.inst, j.ea, j.eb, (j.ov / 60).floor())


def rule_expressions(tables: dict[str, ir.Table], parameters: dict[str, dict]) -> dict:
    """Rule code → Ibis expression of its alert rows (a GraphRule for R08), for the rules in
    `parameters` (code → the parameters in force)."""
    t = tables
    build = {
        "R01": lambda p: r01_overlapping_enrollments(t["enrollments"], t["sessions"], **p),
        "R02": lambda p: r02_impossible_travel(t["events"], **p),
        "R03": lambda p: r03_far_or_outside(t["events"], **p),
        "R04": lambda p: r04_teacher_two_places(t["teaching"], t["sessions"], **p),
        "R05": lambda p: r05_over_capacity(t["events"], t["sessions"], t["sites"], **p),
        "R06": lambda p: r06_machine_like(t["events"], **p),
        "R07": lambda p: r07_shared_device(t["events"], **p),
        "R09": lambda p: r09_employees_trained(t["enrollments"], t["classes"],
                                               t["institutions"], t["employment"], **p),
        "R10A": lambda p: r10a_assessed_before_end(t["candidates"], t["classes"], **p),
        "R10B": lambda p: r10b_certificate_before_assessment(t["certificates"],
                                                             t["candidates"]),
        "R10C": lambda p: r10c_teacher_examines_own(t["examiners"], t["candidates"],
                                                    t["teaching"]),
        "R11A": lambda p: r11a_pass_rate_outlier(t["candidates"], t["classes"], **p),
        "R11B": lambda p: r11b_heaped_scores(t["candidates"], t["classes"], **p),
        "R12": lambda p: r12_repeat_training(t["enrollments"], t["classes"], t.get("claims"),
                                             **p),
        "R08": lambda p: r08_rings(t["contacts"], t["enrollments"], **p),
        "R13": lambda p: r13_volume_jump(t["enrollments"], t["classes"], t["sites"], **p),
        "R14A": lambda p: r14a_certificate_twice(t["claims"], **p),
        "R14B": lambda p: r14b_same_skill_twice(t["claims"], **p),
        "R14C": lambda p: r14c_yearly_limit(t["claims"], **p),
        "R15": lambda p: r15_insured_elsewhere(t["enrollments"], t["classes"], t["site_cities"],
                                               t["insured_cities"], **p),
        "R16A": lambda p: r16a_excluded_trainee(t["enrollments"], t["classes"], t["persons"],
                                                t["exclusions"]),
        "R16B": lambda p: r16b_outside_age(t["enrollments"], t["classes"], t["persons"]),
        "R17A": lambda p: r17a_online_without_pause(t["online"], **p),
        "R17B": lambda p: r17b_online_overnight(t["online"], **p),
        "R17C": lambda p: r17c_online_parallel(t["online"], **p),
    }
    return {code: build[code](params) for code, params in parameters.items() if code in build}

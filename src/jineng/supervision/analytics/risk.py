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

Every rule answers rows of ALERT_COLUMNS: the rule code, the subject (kind and reference),
the class and institution involved (when one is), two record references and a measure: the
evidence a person checks (catalog.RuleSpec names what each reference is)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

ALERT_COLUMNS = ("rule", "subject_kind", "subject_ref", "class_id", "institution_id", "ref_a",
                 "ref_b", "measure")
CHECK_IN = 1
EARTH_KM = 6371.0


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


def r12_repeat_training(enrollments: ir.Table, classes: ir.Table, *,
                        max_classes: int = 2) -> ir.Table:
    """A person enrolled in more than `max_classes` classes of the same occupation and level
    (across institutions and years); one alert per person × occupation × level."""
    c = classes.select("class_id", occ=classes.occupation_id, lvl=classes.level_id)
    j = enrollments.join(c, "class_id")
    j = j.filter(j.occ.notnull() & j.lvl.notnull())
    g = j.group_by(["person_id", "occ", "lvl"]).aggregate(
        n=j.class_id.nunique(), last=j.class_id.max(), inst=j.institution_id.max())
    g = g.filter(g.n > int(max_classes))
    return _out(g, "R12", "person", g.person_id, g.last, g.inst, g.occ, g.lvl, g.n)


def rule_expressions(tables: dict[str, ir.Table], parameters: dict[str, dict]) -> dict:
    """Rule code → Ibis expression of its alert rows, for the rules in `parameters` (code →
    the parameters in force)."""
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
        "R12": lambda p: r12_repeat_training(t["enrollments"], t["classes"], **p),
    }
    return {code: build[code](params) for code, params in parameters.items() if code in build}

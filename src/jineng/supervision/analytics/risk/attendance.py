"""R01–R07: attendance (enrollments, sessions, check-in events, sites, teaching). Pure."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from jineng.supervision.analytics.risk.common import (
    CHECK_IN,
    KM_PER_DEGREE,
    _km,
    _out,
    _overlap_s,
)


def r01_overlapping_enrollments(enrollments: ir.Table, sessions: ir.Table, *,
                                min_overlap_minutes: int = 1) -> ir.Table:
    """A person enrolled in two classes with sessions overlapping in time (pairs of
    enrollments; the measure is how many session pairs overlap).

    Pairs of one person's enrollments whose classes' spans (first start … last end) overlap
    come first (2 M enrollments, one row each); only their sessions are paired. Two sessions
    can only overlap when their classes' spans do, so the alerts are those of pairing every
    session of every enrollment, without the self-join over enrollments × sessions."""
    span = sessions.group_by("class_id").aggregate(lo=sessions.starts_s.min(),
                                                   hi=sessions.ends_s.max())
    en = enrollments.join(span, "class_id").select(
        "enrollment_id", "person_id", "class_id", "institution_id", "lo", "hi")
    a, b = en.view(), en.view()
    pairs = a.join(b, [a.person_id == b.person_id, a.enrollment_id < b.enrollment_id,
                       a.class_id != b.class_id, a.lo < b.hi, b.lo < a.hi]).select(
        person_id=a.person_id, ea=a.enrollment_id, eb=b.enrollment_id, ca=a.class_id,
        cb=b.class_id, inst=a.institution_id)
    sa = sessions.select(ca=sessions.class_id, a_s=sessions.starts_s, a_e=sessions.ends_s)
    sb = sessions.select(cb=sessions.class_id, b_s=sessions.starts_s, b_e=sessions.ends_s)
    j = pairs.join(sa, "ca")
    j = j.join(sb, [j.cb == sb.cb, j.a_s < sb.b_e, sb.b_s < j.a_e])
    j = j.select(person_id=j.person_id, ea=j.ea, eb=j.eb, cls=j.ca, inst=j.inst,
                 ov=_overlap_s(j.a_s, j.a_e, j.b_s, j.b_e))
    j = j.filter(j.ov >= int(min_overlap_minutes) * 60)
    g = j.group_by(["person_id", "ea", "eb"]).aggregate(
        n=j.count(), cls=j.cls.min(), inst=j.inst.min())
    return _out(g, "R01", "person", g.person_id, g.cls, g.inst, g.ea, g.eb, g.n)


def r02_impossible_travel(events: ir.Table, *, max_kmh: float = 120,
                          min_km: float = 5) -> ir.Table:
    """Consecutive check-ins of a person (with coordinates) further apart than `min_km` and
    faster than `max_kmh` to travel between; the measure is the speed (km/h; 1e9 when both
    fall in the same second).

    A path along the meridian, then the parallel, is no shorter than the great circle, so
    R·(|Δφ| + |Δλ|) bounds the distance from above (taken with a margin for rounding). Only
    people whose check-ins spread beyond `min_km` by that bound over their whole bounding box
    (one group-by, no sort) are sorted per person, and the great-circle distance is taken
    only for the consecutive pairs whose own bound allows more than `min_km`."""
    def located(ev: ir.Table) -> ir.Table:
        return ev.filter((ev.kind == CHECK_IN) & ev.latitude.notnull()
                         & ev.longitude.notnull())

    # Each use reads the events afresh (`view`), so no backend is handed a common table
    # expression of 50 M rows to buffer.
    b = located(events.view())
    box = b.group_by("person_id").aggregate(lat0=b.latitude.min(), lat1=b.latitude.max(),
                                            lon0=b.longitude.min(), lon1=b.longitude.max())
    box = box.filter(_may_exceed((box.lat1 - box.lat0) + (box.lon1 - box.lon0), min_km))
    cols = ("event_id", "person_id", "class_id", "institution_id", "occurred_s", "latitude",
            "longitude")
    e = located(events).semi_join(box.select("person_id"), "person_id").select(*cols)
    # (events without a person are one partition of the window, as before)
    n = located(events.view())
    e = e.union(n.filter(n.person_id.isnull()).select(*cols), distinct=False)
    w = ibis.window(group_by=e.person_id, order_by=[e.occurred_s, e.event_id])
    e = e.mutate(prev_id=e.event_id.lag().over(w), prev_s=e.occurred_s.lag().over(w),
                 prev_lat=e.latitude.lag().over(w), prev_lon=e.longitude.lag().over(w))
    e = e.filter(e.prev_id.notnull())
    moved = _may_exceed((e.latitude - e.prev_lat).abs() + (e.longitude - e.prev_lon).abs(),
                        min_km)
    e = e.mutate(km=ibis.cases((moved, _km(e.prev_lat, e.prev_lon, e.latitude, e.longitude)),
                               else_=ibis.null("float64")),
                 dt=(e.occurred_s - e.prev_s).cast("float64"))
    e = e.mutate(kmh=ibis.cases((e.dt <= 0, 1e9), else_=e.km * 3600.0 / e.dt))
    e = e.filter((e.km > float(min_km)) & (e.kmh > float(max_kmh)))
    return _out(e, "R02", "person", e.person_id, e.class_id, e.institution_id, e.prev_id,
                e.event_id, e.kmh.round(1))


def _may_exceed(degrees, min_km: float):
    """Whether |Δlatitude| + |Δlongitude| (`degrees`) allows a great-circle distance above
    `min_km` (the bound with a margin of 0.1 % and 1 m for rounding)."""
    return degrees * (KM_PER_DEGREE * 1.001) + 0.001 > float(min_km)


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
    any session at the same site overlapping it) than the site holds.

    The check-ins per session (a count, no distinct) bound the distinct people from above:
    only sessions whose bound exceeds the capacity have their people counted exactly, so the
    50 M check-ins are grouped once by session instead of joined to every overlapping pair."""
    s1, s2 = sessions.view(), sessions.view()
    pairs = s1.join(s2, [s1.site_id == s2.site_id, s1.starts_s < s2.ends_s,
                         s2.starts_s < s1.ends_s]).select(
        sid=s1.session_id, site_id=s1.site_id, cls=s1.class_id, inst=s1.institution_id,
        other=s2.session_id)
    ci = events.filter(events.kind == CHECK_IN).select("session_id", "person_id")
    c2 = events.view()  # read afresh: no common table expression of the check-ins to buffer
    c2 = c2.filter(c2.kind == CHECK_IN)
    per = c2.group_by("session_id").aggregate(k=c2.count())
    up = pairs.join(per, pairs.other == per.session_id)
    up = up.group_by(["sid", "site_id"]).aggregate(k=up.k.sum())
    up = up.join(sites.select("site_id", "capacity"), "site_id")
    up = up.filter(up.k > up.capacity + int(tolerance)).select("sid")
    cand = pairs.semi_join(up, "sid")
    j = cand.join(ci, cand.other == ci.session_id)
    g = j.group_by(["sid", "site_id", "cls", "inst"]).aggregate(
        people=j.person_id.nunique())
    g = g.join(sites, "site_id")
    g = g.filter(g.people > g.capacity + int(tolerance))
    return _out(g, "R05", "site", g.site_id, g.cls, g.inst, g.sid, g.capacity, g.people)


def r06_machine_like(events: ir.Table, *, window_seconds: int = 2,
                     min_people: int = 8) -> ir.Table:
    """Sessions in which at least `min_people` different trainees checked in within the same
    `window_seconds` (buckets of the epoch second); the largest bucket per session.

    A bucket with `min_people` different trainees has at least as many check-ins: the
    check-ins are first counted per one integer key of session and bucket (no distinct),
    and only the rows of keys with enough of them have their trainees counted exactly. The
    key is (session mod 2³¹) × 2³² + (bucket mod 2³²), NULL bucket as −1: it cannot overflow,
    and where two buckets share a key their check-ins only add up, so no bucket with enough
    trainees is missed (one key groups about 10 % faster than two at tier L)."""

    def checkins(ev: ir.Table) -> ir.Table:
        c = ev.filter((ev.kind == CHECK_IN) & ev.session_id.notnull()).select(
            "event_id", "session_id", "class_id", "institution_id", "person_id",
            bucket=ev.occurred_s // int(window_seconds))
        return c.mutate(key=(c.session_id % 2**31) * 2**32
                        + ibis.coalesce(c.bucket, -1) % 2**32)

    c = checkins(events.view())  # read afresh: no common table expression to buffer
    busy = c.group_by("key").aggregate(k=c.count())
    busy = busy.filter(busy.k >= int(min_people)).select("key")
    e = checkins(events).semi_join(busy, "key")
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
    people.

    One pass groups the check-ins by device, person and class (a few per trainee); a device
    with `min_people` different people has at least as many of those groups, so only the
    devices with enough groups have their distinct people and classes counted."""
    e = events.filter((events.kind == CHECK_IN) & events.device.notnull()
                      & (events.device != ""))
    if excluded_methods:
        e = e.filter(~e.method.isin([int(m) for m in excluded_methods]))
    d = e.group_by(["device", "person_id", "class_id"]).aggregate(
        first=e.event_id.min(), inst=e.institution_id.min())
    busy = d.group_by("device").aggregate(k=d.count())
    d = d.semi_join(busy.filter(busy.k >= int(min_people)).select("device"), "device")
    g = d.group_by("device").aggregate(people=d.person_id.nunique(),
                                       classes=d.class_id.nunique(), first=d.first.min(),
                                       cls=d.class_id.min(), inst=d.inst.min())
    g = g.filter(g.people >= int(min_people))
    return _out(g, "R07", "device", g.device, g.cls, g.inst, g.first, g.classes, g.people)

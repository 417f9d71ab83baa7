"""R17: online learning at an impossible pace, or without anyone there (刷课). Pure."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from jineng.supervision.analytics.risk.common import (
    DAY_S,
    LOCAL_OFFSET_S,
    _out,
    _overlap_s,
)


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


def r17d_online_without_interaction(online: ir.Table, interactions: ir.Table, *,
                                    min_hours: float = 8,
                                    min_interactions_per_hour: float = 0.5) -> ir.Table:
    """Hours of online learning with (almost) nobody there: a person × class with at least
    `min_hours` of online learning (the sum of its segments) and fewer than
    `min_interactions_per_hour` interaction events (xAPI answered, interacted, …) per hour
    learned. Only classes with at least one interaction from any trainee are judged (a platform
    that never sends interaction verbs would flag everyone). ref_a the whole hours, ref_b the
    interactions, measure interactions per hour."""
    judged = interactions.select("class_id").distinct()
    o = online.semi_join(judged, "class_id")
    g = o.group_by(["person_id", "class_id"]).aggregate(s=o.seconds.sum(),
                                                         inst=o.institution_id.min())
    g = g.filter(g.s >= float(min_hours) * 3600)
    n = interactions.group_by(["person_id", "class_id"]).aggregate(n=interactions.count())
    j = g.left_join(n, ["person_id", "class_id"]).select(
        "person_id", "class_id", "inst", "s", n=ibis.coalesce(n.n, 0))
    j = j.mutate(rate=j.n * 3600.0 / j.s)
    j = j.filter(j.rate < float(min_interactions_per_hour))
    return _out(j, "R17D", "person", j.person_id, j.class_id, j.inst, (j.s / 3600).floor(),
                j.n, j.rate.round(2))

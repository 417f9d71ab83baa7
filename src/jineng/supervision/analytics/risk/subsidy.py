"""R12–R14: repeat training, volume jumps, subsidy limits (enrollments, classes, claims).
Pure."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from jineng.supervision.analytics.risk.common import (
    SKILL_KINDS,
    TRAINING_KINDS,
    _out,
)


def r12_repeat_training(enrollments: ir.Table, classes: ir.Table, claims: ir.Table | None = None,
                        *, max_classes: int = 2, claim_kinds=TRAINING_KINDS) -> ir.Table:
    """A person trained more than `max_classes` times in the same occupation and level
    (across institutions and years): enrolled classes, plus subsidy claims of `claim_kinds`
    (a claim for a class counts with that class, once) and subsidies imported from the
    previous system; one alert per person × occupation × level.

    The items counted are integers, not strings: a class is 2 × class_id, a claim without a
    class 2 × claim_id + 1 (imported claims have negative ids: still odd, still apart), so
    the distinct count is over int64."""
    c = classes.select("class_id", occ=classes.occupation_id, lvl=classes.level_id)
    j = enrollments.join(c, "class_id")
    j = j.filter(j.occ.notnull() & j.lvl.notnull())
    items = j.select("person_id", "occ", "lvl", item=j.class_id * 2,
                     cls=j.class_id, inst=j.institution_id)
    if claims is not None and claim_kinds:
        k = claims.filter(claims.person_id.notnull() & claims.occupation_id.notnull()
                          & claims.level_id.notnull()
                          & claims.kind.isin([str(x) for x in claim_kinds]))
        item = ibis.cases((k.class_id.notnull(), k.class_id * 2), else_=k.claim_id * 2 + 1)
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

"""R10 and R11: assessment (candidates, sittings, examiners, certificates). Pure."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from jineng.supervision.analytics.risk.common import (
    _out,
)


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

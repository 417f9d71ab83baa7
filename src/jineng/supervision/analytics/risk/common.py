"""What every rule module shares: the alert columns, constants, the GraphRule shape and
small expression helpers. Pure."""

import math
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
KM_PER_DEGREE = EARTH_KM * math.pi / 180
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


def _km(lat1, lon1, lat2, lon2):
    p1, p2 = lat1.radians(), lat2.radians()
    dlat = (lat2 - lat1).radians()
    dlon = (lon2 - lon1).radians()
    h = (dlat / 2).sin() ** 2 + p1.cos() * p2.cos() * (dlon / 2).sin() ** 2
    return 2 * EARTH_KM * h.sqrt().asin()


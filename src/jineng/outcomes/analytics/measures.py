"""Outcome measures per trainee exit, as one set-based Ibis expression (no loops over rows).

Pure: no Django. The same expression runs on DuckDB (production), PostgreSQL (`ibis.postgres`)
and PySpark (`ibis.pyspark`); definitions are in docs/outcomes.md (and /work/notes/MEASURES.md).

Inputs (Ibis tables; months are integers `m = year * 12 + (month - 1)`):
  exits:      enrollment_id, person_id, class_id, institution_id, city_code, training_type,
              occupation_code, level_code, start_month, exit_month, completed, certified,
              level_up, demand_matched, order_employer_code (NULL unless an order class)
  records:    person_id, employer_code, month, wage_base (records linked to a person)
  businesses: person_id, founded_month, closed_month (NULL = open)

Records and business foundings after `data_through` are ignored: the run sees the world as of
`data_through`, so the same data gives the same answer whatever arrived later. A measure whose
window ends after `data_through` is NULL unless it is already TRUE from what was observed.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

# Columns of the exits table carried through to the result (the cells of the indicators).
EXIT_COLUMNS = (
    "enrollment_id", "person_id", "class_id", "institution_id", "city_code", "training_type",
    "occupation_code", "level_code", "start_month", "exit_month", "completed", "certified",
    "level_up", "demand_matched",
)
# The measure columns, named as in OutcomeMeasure.
MEASURE_COLUMNS = (
    "employed_q2", "employed_q4", "employed_3m", "employed_6m", "employed_12m",
    "self_employed_12m", "stable_employment", "wage_before", "wage_after", "wage_growth",
    "same_employer", "order_employer",
)
STABLE_MONTHS = 6  # "stable employment": at least this many consecutive contribution months
STABLE_START_WITHIN = 6  # ... starting within this many months after the exit (issue 12 uplift)


def _known(observed: ir.BooleanValue, window_end: ir.IntegerValue,
           data_through: int) -> ir.BooleanValue:
    """TRUE when observed; FALSE only when the whole window is within the data; else NULL."""
    return (ibis.cases((observed, True), (window_end <= data_through, False),
                       else_=ibis.null("boolean")))


def quarter_start(month: ir.IntegerValue, ahead: int) -> ir.IntegerValue:
    """First month index of the calendar quarter `ahead` quarters after the one of `month`."""
    return ((month // 3) + ahead) * 3


def _six_in_a_row(bits: ir.IntegerValue) -> ir.BooleanValue:
    """A run of STABLE_MONTHS months with a record that starts in e+1..e+STABLE_START_WITHIN
    (bit 0 = month e+1): "stably employed within six months of the class end"."""
    run = bits
    for k in range(1, STABLE_MONTHS):
        run = run & (bits >> k)
    return (run & ((1 << STABLE_START_WITHIN) - 1)) != 0


def outcome_measures(exits: ir.Table, records: ir.Table, businesses: ir.Table, *,
                     data_through: int) -> ir.Table:
    """One row per enrollment_id: the exit's columns and the measures of MEASURE_COLUMNS."""
    dt = int(data_through)
    ex = exits.select(*EXIT_COLUMNS, "order_employer_code")
    s, e = ex.start_month, ex.exit_month

    # Records first joined to the exits they can matter to (the person's months s-12..e+14),
    # then summed per exit and month: only trainees' months in a window are aggregated.
    rec = records.filter(records.month <= dt)
    win = ex.select("enrollment_id", p=ex.person_id, s=s, e=e,
                    order_code=ex.order_employer_code)
    jr = win.join(rec, [win.p == rec.person_id, rec.month >= win.s - 12,
                        rec.month <= win.e + 14])
    jm = jr.group_by(["enrollment_id", "s", "e", "month"]).aggregate(
        wage=jr.wage_base.cast("float64").sum())
    rel = jm.month - jm.e
    jm = jm.mutate(rel=rel)
    # Stable employment without a window function: the months e+1..e+12 with a record as
    # the bits of an integer (one row per month, so the sum is an OR); six consecutive
    # months = some bit whose five next bits are set too.
    bit = ibis.cases(((rel >= 1) & (rel <= 12),
                      ibis.literal(1, "int64") << (rel - 1).cast("int32")), else_=0)
    in_after = (jm.rel >= 1) & (jm.rel <= 12)
    in_before = (jm.month >= jm.s - 12) & (jm.month <= jm.s - 1)
    q2 = quarter_start(jm.e, 2)
    q4 = quarter_start(jm.e, 4)
    emp = jm.group_by("enrollment_id").aggregate(
        w3=((jm.rel >= 1) & (jm.rel <= 3)).any(),
        w6=((jm.rel >= 1) & (jm.rel <= 6)).any(),
        w12=in_after.any(),
        wq2=((jm.month >= q2) & (jm.month <= q2 + 2)).any(),
        wq4=((jm.month >= q4) & (jm.month <= q4 + 2)).any(),
        bits=bit.sum(),
        med_before=jm.wage.median(where=in_before),
        med_after=jm.wage.median(where=in_after),
    )

    # 2. Employers: who paid in s-1, and who paid in e+1..e+6 (same employer, order employer).
    je = jr.filter((jr.month == jr.s - 1) | ((jr.month >= jr.e + 1) & (jr.month <= jr.e + 6)))
    after6 = (je.month >= je.e + 1) & (je.month <= je.e + 6)
    per_employer = je.group_by(["enrollment_id", "employer_code"]).aggregate(
        prior=(je.month == je.s - 1).any(),
        after=after6.any(),
        order=(after6 & (je.employer_code == je.order_code)).any(),
    )
    employers = per_employer.group_by("enrollment_id").aggregate(
        had_prior=per_employer.prior.any(),
        retained=(per_employer.prior & per_employer.after).any(),
        order_paid=per_employer.order.any(),
    )

    # 3. Self-employment: a business founded in [s, window end], not closed before e+1.
    bus = businesses.filter(businesses.founded_month <= dt)
    bwin = ex.select("enrollment_id", p=ex.person_id, s=s, e=e)
    jb = bwin.join(bus, [bwin.p == bus.person_id, bus.founded_month >= bwin.s,
                         bus.founded_month <= bwin.e + 12,
                         bus.closed_month.isnull() | (bus.closed_month >= bwin.e + 1)])
    selfemp = jb.group_by("enrollment_id").aggregate(
        b3=(jb.founded_month <= jb.e + 3).any(),
        b6=(jb.founded_month <= jb.e + 6).any(),
        b12=jb.founded_month.notnull().any(),
    )

    t = ex.left_join(emp, ex.enrollment_id == emp.enrollment_id).drop("enrollment_id_right")
    t = t.left_join(employers, t.enrollment_id == employers.enrollment_id).drop(
        "enrollment_id_right")
    t = t.left_join(selfemp, t.enrollment_id == selfemp.enrollment_id).drop(
        "enrollment_id_right")

    def yes(col: ir.BooleanValue) -> ir.BooleanValue:
        return col.fill_null(False)

    e = t.exit_month
    s = t.start_month
    wage_before = ibis.cases((s - 1 <= dt, t.med_before), else_=ibis.null("float64"))
    wage_after = ibis.cases((e + 12 <= dt, t.med_after), else_=ibis.null("float64"))
    growth = ibis.cases(
        (wage_before.notnull() & wage_after.notnull() & (wage_before > 0),
         wage_after / wage_before - 1.0),
        else_=ibis.null("float64"))
    same = ibis.cases(
        (~yes(t.had_prior), ibis.null("boolean")),
        (yes(t.retained), True),
        (e + 6 <= dt, False),
        else_=ibis.null("boolean"))
    order = ibis.cases(
        (t.order_employer_code.isnull(), ibis.null("boolean")),
        (yes(t.order_paid), True),
        (e + 6 <= dt, False),
        else_=ibis.null("boolean"))
    return t.select(
        *EXIT_COLUMNS,
        employed_q2=_known(yes(t.wq2), quarter_start(e, 2) + 2, dt),
        employed_q4=_known(yes(t.wq4), quarter_start(e, 4) + 2, dt),
        employed_3m=_known(yes(t.w3) | yes(t.b3), e + 3, dt),
        employed_6m=_known(yes(t.w6) | yes(t.b6), e + 6, dt),
        employed_12m=_known(yes(t.w12) | yes(t.b12), e + 12, dt),
        self_employed_12m=_known(yes(t.b12), e + 12, dt),
        stable_employment=_known(_six_in_a_row(t.bits.fill_null(0)),
                                  e + STABLE_START_WITHIN + STABLE_MONTHS - 1, dt),
        wage_before=wage_before,
        wage_after=wage_after,
        wage_growth=growth,
        same_employer=same,
        order_employer=order,
    )

"""What a finished class adds to the plans' progress (the fact contract of `docs/plans.md`).

Called by `services.class_transition` when a class is finished, inside the same transaction:

- one `person_times_trained` fact (value 1) per trainee who completed the class (enrolled, not
  withdrawn, hours frozen at or above the threshold); dropouts and trainees short of hours add
  nothing;
- no `person_times_subsidized` fact: a subsidized person-time counts when the subsidy is paid
  (the bank's confirmation, `subsidy.plan_facts.claim_paid`), not when the class finishes —
  an approval can still fail and a refused claim must not count (docs/subsidy.md, "Plans
  facts"). The subsidy app's fact names the enrollment with this module's `subsidized_ref`,
  so a trainee's person-time counts once;
- for an order class (订单班 / 定岗班 / 冠名班) one `order_classes` fact (value 1) for the class:
  it is counted when it has run, not when it opened, so a class suspended and cancelled after
  opening is never counted.

Every fact is dated the day the class was finished (Asia/Shanghai), so a late finish never
changes a quarter already reported. Its region is the class's (the site's) region; its
institution, sector and training type are the class's (training type mapped to the plans
vocabulary by `PLANS_TRAINING_TYPE`); its key group is the class's target group, else the
person's key group active on the class's start date (the day eligibility is judged on), the
first in the registry's order when there are several, else none: one group per trainee, so
group sums never count a trainee twice. `source_ref` names the enrollment (or the class), so
a replay counts once.

`record_finished_classes` writes the same facts for many classes at once, set-based (a
backfill, or the demo's classes, which are built in bulk and never pass through a transition).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from jineng.plans import services as plans
from jineng.plans.choices import FACT_KEY_GROUPS, FACT_SECTORS
from jineng.registry.choices import KeyGroup
from jineng.registry.models import KeyGroupMembership
from jineng.training.choices import (
    ClassStatus,
    OrderForm,
    TrainingType,
)
from jineng.training.models import (
    COMPLETED_FIELDS,
    ClassStatusChange,
    Enrollment,
    TrainingClass,
)

logger = logging.getLogger(__name__)

SOURCE = "training"

# The catalog's training types (classes, subsidy standards) → the plans vocabulary's. A type
# with no counterpart maps to "": its trainees count in every total, in no training-type cut.
PLANS_TRAINING_TYPE: dict[str, str] = {
    TrainingType.EMPLOYMENT: "employment_skills",  # 就业技能培训
    TrainingType.UPSKILLING: "post_upgrading",  # 岗位技能提升培训
    TrainingType.ENTREPRENEURSHIP: "entrepreneurship",  # 创业培训
    TrainingType.APPRENTICESHIP: "apprenticeship",  # 企业新型学徒制培训
    TrainingType.HIGH_SKILLED: "high_skilled",  # 高技能人才培训
    TrainingType.PRE_JOB: "pre_job",  # 岗前培训
    TrainingType.JOB_TRANSFER: "",  # 转岗转业培训: no plans type names it
    TrainingType.SPECIAL_OPERATION: "safety",  # 特种作业安全技能培训 → 安全技能培训
}

ORDER_FORMS = frozenset({OrderForm.ORDER, OrderForm.FIXED_POST, OrderForm.NAMED})

# A class in these states has been finished (and its facts written when it was).
FINISHED_STATES = (ClassStatus.FINISHED, ClassStatus.ASSESSED, ClassStatus.SETTLED)

# The one key group a trainee counts in, when they are in several: the first of these (the
# registry's order, restricted to the groups the plans count). The Python path
# (`first_group_on`) and the SQL path (`_group_sql`) are both built from this tuple.
KEY_GROUP_PRECEDENCE: tuple[str, ...] = tuple(g for g in KeyGroup.values
                                              if g in FACT_KEY_GROUPS)
_GROUP_RANK = {code: i for i, code in enumerate(KEY_GROUP_PRECEDENCE)}


def plans_training_type(code: str) -> str:
    return PLANS_TRAINING_TYPE[code]


# Prefixes of the facts' `source_ref`s: one enrollment (or class) counts once per metric.
# `training.subsidized:<enrollment>` is written by the subsidy app when the claim is paid.
COMPLETION_REF, SUBSIDIZED_REF, ORDER_CLASS_REF = (
    "training.completion:", "training.subsidized:", "training.order_class:")


def completion_ref(enrollment_id: int) -> str:
    return f"{COMPLETION_REF}{enrollment_id}"


def subsidized_ref(enrollment_id: int) -> str:
    return f"{SUBSIDIZED_REF}{enrollment_id}"


def order_class_ref(class_id: int) -> str:
    return f"{ORDER_CLASS_REF}{class_id}"


def fact_region_code(code: str) -> str:
    """A class's region code if facts can be recorded there (a county or below), else ""."""
    return "" if len(code) < 6 or code[:6].endswith("00") else code


Membership = tuple[str, dt.date, dt.date | None]  # group, from, until


def _memberships(person_ids: Iterable[int]) -> dict[int, list[Membership]]:
    """The plans-relevant key-group memberships of persons, by person."""
    out: dict[int, list[Membership]] = defaultdict(list)
    rows = (KeyGroupMembership.objects.filter(person_id__in=person_ids,
                                              group__in=KEY_GROUP_PRECEDENCE)
            .values_list("person_id", "group", "start_date", "end_date"))
    for person_id, group, start, end in rows.iterator(chunk_size=20_000):
        out[person_id].append((group, start, end))
    return out


def first_group_on(memberships: list[Membership], day: dt.date) -> str:
    """The one key group a person counts in on `day`: the first active one in the registry's
    order, else ""."""
    active = [g for g, start, end in memberships
              if g in _GROUP_RANK and start <= day and (end is None or end >= day)]
    return min(active, key=_GROUP_RANK.__getitem__, default="")


@dataclass(frozen=True)
class FinishedClass:
    """What the facts of a finished class are cut by (plain values: built from one class or
    from rows of many)."""

    pk: int
    region_code: str
    day: dt.date
    institution_id: int
    sector: str
    training_type: str
    target_group: str
    order_form: str
    funding_source: str
    start_date: dt.date

    def facts(self, completed: list[tuple[int, int]],
              memberships: dict[int, list[Membership]]) -> list[plans.FactInput]:
        """Its facts, given its completed (enrollment, person) pairs."""
        sector = self.sector if self.sector in FACT_SECTORS else ""
        training_type = plans_training_type(self.training_type)
        class_group = self.target_group if self.target_group in FACT_KEY_GROUPS else ""

        def fact(metric: str, key_group: str, ref: str) -> plans.FactInput:
            return plans.FactInput(metric=metric, day=self.day, region_code=self.region_code,
                                   value=1, organization_id=self.institution_id,
                                   sector=sector, key_group=key_group,
                                   training_type=training_type, source_ref=ref)

        out = []
        for enrollment_id, person_id in completed:
            group = class_group or first_group_on(memberships.get(person_id, []),
                                                  self.start_date)
            out.append(fact("person_times_trained", group, completion_ref(enrollment_id)))
        if self.order_form in ORDER_FORMS:
            out.append(fact("order_classes", class_group, order_class_ref(self.pk)))
        return out


_CLASS_FIELDS = ("pk", "region__code", "institution_id", "sector", "training_type",
                 "target_group", "order_form", "funding_source", "start_date")


def _finished(row: tuple, day: dt.date) -> FinishedClass:
    pk, region, institution, sector, ttype, group, form, funding, start = row
    return FinishedClass(pk=pk, region_code=fact_region_code(region), day=day,
                         institution_id=institution, sector=sector, training_type=ttype,
                         target_group=group, order_form=form, funding_source=funding,
                         start_date=start)


def _completed(classes) -> Iterator[tuple[int, int, int]]:
    """(class, enrollment, person) of every trainee who completed one of `classes`."""
    return (Enrollment.objects.filter(training_class__in=classes).completed()
            .order_by("training_class_id", "pk")
            .values_list("training_class_id", "pk", "person_id").iterator(chunk_size=20_000))


def record_finished_class(cls: TrainingClass) -> int:
    """Write the facts of a finished class (idempotent). Returns how many were new."""
    row = TrainingClass.objects.filter(pk=cls.pk).values_list(*_CLASS_FIELDS).get()
    finished = _finished(row, timezone.localdate(cls.status_changed_at))
    if not finished.region_code:
        logger.warning("class %s finished at region %s (above a county): not counted in the "
                       "plans' progress", cls.pk, row[1])
        return 0
    completed = [(e, p) for _c, e, p in _completed([cls.pk])]
    memberships = {} if finished.target_group else _memberships([p for _e, p in completed])
    return sum(plans.actual_fact_add(source=SOURCE, fact=f)
               for f in finished.facts(completed, memberships))


def _finished_classes(class_ids: tuple[int, int] | None) -> list[FinishedClass]:
    """Every finished class (or those whose id lies in [first, last]) countable in a county,
    dated the day it was finished."""
    classes = TrainingClass.objects.filter(status__in=FINISHED_STATES)
    if class_ids is not None:
        classes = classes.filter(pk__gte=class_ids[0], pk__lte=class_ids[1])
    # A migrated class (history import) was recorded finished long after it ended: its
    # `status_changed_at` holds the real end, its history row the day of the import.
    finished_at = dict(ClassStatusChange.objects.filter(
        training_class__in=classes, to_status=ClassStatus.FINISHED)
        .exclude(action="migrate")
        .order_by("at").values_list("training_class_id", "at"))
    out = []
    for row in classes.order_by("pk").values_list(*_CLASS_FIELDS, "status_changed_at"):
        finished = _finished(row[:-1], timezone.localdate(finished_at.get(row[0], row[-1])))
        if finished.region_code:
            out.append(finished)
    return out


STAGE = "jineng_finished_class_stage"  # a temporary table: one row per finished class


def _stage(classes: list[FinishedClass]) -> None:
    """The classes' fact attributes (already mapped to the plans vocabulary) in a temporary
    table, so one INSERT … SELECT per metric can join them to their enrollments."""
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE} (class_id integer PRIMARY KEY, day date NOT NULL, "
            "region_code varchar(12) NOT NULL, organization_id integer NOT NULL, "
            "sector varchar(40) NOT NULL, training_type varchar(40) NOT NULL, "
            "class_group varchar(40) NOT NULL, start_date date NOT NULL, "
            "ordered integer NOT NULL)")
        cursor.executemany(f"INSERT INTO {STAGE} VALUES ({', '.join(['%s'] * 9)})", [
            (c.pk, ops.adapt_datefield_value(c.day), c.region_code, c.institution_id,
             c.sector if c.sector in FACT_SECTORS else "", plans_training_type(c.training_type),
             c.target_group if c.target_group in FACT_KEY_GROUPS else "",
             ops.adapt_datefield_value(c.start_date), int(c.order_form in ORDER_FORMS))
            for c in classes])
        # Statistics for the planner: without them PostgreSQL guesses a handful of rows and
        # may join the enrollments by nested loops (measured: 8× slower at tier M).
        cursor.execute(f"ANALYZE {STAGE}")


def _group_sql() -> tuple[str, list[str]]:
    """SQL for a trainee's one key group (the class's target group, else the first group in
    the registry's order active on the class's start date: `first_group_on`), and its
    parameters."""
    qn = connection.ops.quote_name
    groups = list(KEY_GROUP_PRECEDENCE)
    rank = " ".join(f"WHEN %s THEN {i}" for i in range(len(groups)))
    return (f"COALESCE(NULLIF(t.class_group, ''), (SELECT m.{qn('group')} "
            f"FROM {KeyGroupMembership._meta.db_table} m WHERE m.person_id = e.person_id "
            f"AND m.{qn('group')} IN ({', '.join(['%s'] * len(groups))}) "
            "AND m.start_date <= t.start_date "
            "AND (m.end_date IS NULL OR m.end_date >= t.start_date) "
            f"ORDER BY CASE m.{qn('group')} {rank} ELSE 99 END LIMIT 1), '')",
            [*groups, *groups])


def _trainee_select(metric: str, ref: str) -> tuple[str, list]:
    group, group_params = _group_sql()
    sql = (f"SELECT %s AS metric, t.day AS day, t.region_code AS region_code, "
           "substr(t.region_code, 1, 6) AS county_code, t.organization_id AS organization_id, "
           f"t.sector AS sector, {group} AS key_group, t.training_type AS training_type, "
           "'' AS program, 1 AS value, %s || CAST(e.id AS varchar(20)) AS source_ref "
           f"FROM {Enrollment._meta.db_table} e JOIN {STAGE} t "
           "ON t.class_id = e.training_class_id "
           "WHERE " + " AND ".join(f"e.{name} = %s" for name, _v in COMPLETED_FIELDS))
    return sql, [metric, *group_params, ref, *(value for _n, value in COMPLETED_FIELDS)]


def record_finished_classes(*, actor, class_ids: tuple[int, int] | None = None,
                            source: str = SOURCE) -> int:
    """Write the facts of many finished classes at once: exactly the facts
    `record_finished_class` writes for each (tested against it), set-based: one
    INSERT … SELECT per metric, skipping facts already recorded (by `source_ref`). For a
    backfill and the demo's classes. Returns the facts inserted."""
    classes = _finished_classes(class_ids)
    if not classes:
        return 0
    first, last = min(c.day for c in classes), max(c.day for c in classes)
    inserted = 0
    with transaction.atomic():
        _stage(classes)
        selects = [_trainee_select("person_times_trained", COMPLETION_REF),
                   ("SELECT %s AS metric, t.day AS day, t.region_code AS region_code, "
                    "substr(t.region_code, 1, 6) AS county_code, "
                    "t.organization_id AS organization_id, t.sector AS sector, "
                    "t.class_group AS key_group, t.training_type AS training_type, "
                    "'' AS program, 1 AS value, "
                    "%s || CAST(t.class_id AS varchar(20)) AS source_ref "
                    f"FROM {STAGE} t WHERE t.ordered = 1",
                    ["order_classes", ORDER_CLASS_REF])]
        for sql, params in selects:
            inserted += plans.actual_facts_insert_select(
                actor=actor, source=source, select_sql=sql, params=params, first=first,
                last=last, metrics=[params[0]])
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {STAGE}")
    return inserted

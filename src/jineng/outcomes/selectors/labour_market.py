"""Reads of the social-insurance records for the labour market (the demand app's forecasts and
wage guidance): new hires per occupation and quarter, and contribution wages per person, month
and city of the persons whose occupation and level are known.

Set-based SQL over the records (window functions, on SQLite and PostgreSQL alike), not a loop
over persons. System reads: the callers (demand's services) check who asks and pass the region.

- A **hire** is a month in which an employer pays for a person after at least `HIRE_GAP` months
  in which it did not (or never before in the records). Months within `HIRE_GAP` of the first
  month on file are not counted: there "first seen" only means "first on file".
- A person's **occupation** is that of their latest valid skill-level certificate (or legacy
  vocational qualification); without one, that of the last class they enrolled in (not
  withdrawn). Their **level** comes from the certificate only (a class is not a level held).

The person → occupation join reads the assessment app's certificates and the training app's
enrollments by their tables, inside this one statement: a selector per app returning a set is
the clean-up once either app offers one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from jineng.assessment.models import Certificate
from jineng.outcomes.models import InsuranceRecord
from jineng.registry.models import Region
from jineng.training.models import Enrollment, TrainingClass

__all__ = ["HIRE_GAP", "RecordWage", "hires_by_occupation", "record_wages"]

HIRE_GAP = 3  # months without the employer before a month counts as a new hire


def _month_index_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return (f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12 "
                f"+ CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)")
    return (f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12 "
            f"+ CAST(strftime('%%m', {column}) AS INTEGER) - 1)")


def _occupations_sql(as_of_param: bool) -> str:
    """(person_id, occupation_id, level_id): the latest valid certificate with an occupation
    (issued on or before the parameter day when `as_of_param`), else the last class."""
    qn = connection.ops.quote_name
    cert, enr, cls = (qn(Certificate._meta.db_table), qn(Enrollment._meta.db_table),
                      qn(TrainingClass._meta.db_table))
    issued = "AND c.issued_on <= %s" if as_of_param else ""
    return f"""
        certs AS (
            SELECT person_id, occupation_id, level_id FROM (
                SELECT c.person_id, c.occupation_id, c.level_id,
                       ROW_NUMBER() OVER (PARTITION BY c.person_id
                                          ORDER BY c.issued_on DESC, c.id DESC) AS rn
                FROM {cert} c
                WHERE c.status = 'valid' AND c.kind IN ('skill_level', 'qualification')
                  AND c.occupation_id IS NOT NULL AND c.person_id IS NOT NULL {issued}
            ) ranked WHERE rn = 1
        ),
        classes AS (
            SELECT person_id, occupation_id FROM (
                SELECT e.person_id, k.occupation_id,
                       ROW_NUMBER() OVER (PARTITION BY e.person_id
                                          ORDER BY k.start_date DESC, e.id DESC) AS rn
                FROM {enr} e JOIN {cls} k ON k.id = e.training_class_id
                WHERE e.status <> 'withdrawn'
            ) ranked WHERE rn = 1
        )"""


def _prefix(region_code: str) -> str:
    region = Region.objects.filter(code=region_code).first()
    return region.scope_prefix if region is not None else region_code


def hires_by_occupation(region_code: str, first_quarter: tuple[int, int],
                        last_quarter: tuple[int, int]) -> dict[tuple[int, int, int], int]:
    """New hires by employers of the region's subtree, per (occupation id, year, quarter) from
    `first_quarter` to `last_quarter` (inclusive), for hired persons whose occupation is known.
    The shape of demand's `HIRING_SOURCES`."""
    qn = connection.ops.quote_name
    records, regions = qn(InsuranceRecord._meta.db_table), qn(Region._meta.db_table)
    (y0, q0), (y1, q1) = first_quarter, last_quarter
    first = dt.date(y0, 3 * q0 - 2, 1)
    last_index = y1 * 12 + 3 * q1 - 1  # month index of the last quarter's last month
    lookback = dt.date(first.year - 1 if first.month <= HIRE_GAP else first.year,
                       (first.month - HIRE_GAP - 1) % 12 + 1, 1)
    mi = _month_index_sql("r.month")
    sql = f"""
        WITH {_occupations_sql(False)},
        spans AS (
            SELECT r.person_id, r.employer_code, {mi} AS m,
                   LAG({mi}) OVER (PARTITION BY r.person_id, r.employer_code
                                   ORDER BY r.month) AS prev
            FROM {records} r JOIN {regions} g ON g.id = r.employer_region_id
            WHERE r.person_id IS NOT NULL AND g.code LIKE %s
              AND r.month >= %s AND r.month <= %s
        ),
        hires AS (
            SELECT DISTINCT person_id, m FROM spans
            WHERE m >= %s AND m <= %s AND (prev IS NULL OR m - prev > %s)
        )
        SELECT COALESCE(certs.occupation_id, classes.occupation_id) AS occupation_id,
               h.m / 12 AS y, (h.m %% 12) / 3 + 1 AS q, COUNT(*) AS n
        FROM hires h
        LEFT JOIN certs ON certs.person_id = h.person_id
        LEFT JOIN classes ON classes.person_id = h.person_id
        WHERE COALESCE(certs.occupation_id, classes.occupation_id) IS NOT NULL
        GROUP BY 1, 2, 3
    """
    on_file = InsuranceRecord.objects.order_by("month").values_list("month", flat=True).first()
    if on_file is None:
        return {}
    earliest = on_file.year * 12 + on_file.month - 1 + HIRE_GAP
    first_index = max(first.year * 12 + first.month - 1, earliest)
    last_day = dt.date(last_index // 12, last_index % 12 + 1, 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"{_prefix(region_code)}%", lookback, last_day, first_index,
                             last_index, HIRE_GAP])
        return {(int(o), int(y), int(q)): int(n) for o, y, q, n in cursor.fetchall()}


@dataclass(frozen=True)
class RecordWage:
    """One person's contribution wage in one month in one city (the sum of the wage bases of
    their employers in that city that month); `person` is a pseudonymous key."""

    person: str
    occupation_id: int
    level_id: int | None
    city_id: int
    month: dt.date
    wage: Decimal


def record_wages(*, year: int, region_prefix: str = "") -> Iterator[RecordWage]:
    """Contribution months of `year` with employers in the region's subtree, of persons whose
    occupation and level are known from a certificate issued by the end of the year."""
    qn = connection.ops.quote_name
    records, regions = qn(InsuranceRecord._meta.db_table), qn(Region._meta.db_table)
    sql = f"""
        WITH {_occupations_sql(True)}
        SELECT r.person_id, certs.occupation_id, certs.level_id, g.code, r.month,
               SUM(r.wage_base)
        FROM {records} r
        JOIN {regions} g ON g.id = r.employer_region_id
        JOIN certs ON certs.person_id = r.person_id
        WHERE r.person_id IS NOT NULL AND g.code LIKE %s
          AND r.month >= %s AND r.month <= %s AND certs.level_id IS NOT NULL
        GROUP BY r.person_id, certs.occupation_id, certs.level_id, g.code, r.month
        ORDER BY r.person_id, r.month
    """
    cities = dict(Region.objects.filter(level="city").values_list("code", "pk"))
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    with connection.cursor() as cursor:
        cursor.execute(sql, [dt.date(year, 12, 31), f"{region_prefix}%", dt.date(year, 1, 1),
                             dt.date(year, 12, 1)])
        for person_id, occupation_id, level_id, code, month, wage in cursor.fetchall():
            city = cities.get(f"{code[:4]}00")
            if city is None:
                continue
            if isinstance(month, str):  # SQLite answers raw dates in a raw query
                month = dt.date.fromisoformat(month)
            totals[(person_id, occupation_id, level_id, city, month)] += Decimal(wage)
    for (person_id, occupation_id, level_id, city, month), wage in totals.items():
        yield RecordWage(person=f"person-{person_id}", occupation_id=occupation_id,
                         level_id=level_id, city_id=city, month=month,
                         wage=wage.quantize(Decimal("1")))

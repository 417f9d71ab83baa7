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

The person → occupation join uses the assessment and training apps' own querysets
(`assessment.selectors.records.latest_occupation_certificates`,
`training.selectors.last_class_occupations`, each one row per person by a window function),
compiled into this one statement as common table expressions: set-based, and no table of
theirs is named here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from jineng.assessment.selectors import records as assessment_selectors
from jineng.outcomes.models import InsuranceRecord
from jineng.registry.models import Region
from jineng.training import selectors as training_selectors

__all__ = ["HIRE_GAP", "RecordWage", "hires_by_occupation", "record_wages"]

HIRE_GAP = 3  # months without the employer before a month counts as a new hire


def _month_index_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return (f"(CAST(EXTRACT(YEAR FROM {column}) AS INTEGER) * 12 "
                f"+ CAST(EXTRACT(MONTH FROM {column}) AS INTEGER) - 1)")
    return (f"(CAST(strftime('%%Y', {column}) AS INTEGER) * 12 "
            f"+ CAST(strftime('%%m', {column}) AS INTEGER) - 1)")


def _occupations_sql(as_of: dt.date | None = None) -> tuple[str, list]:
    """The CTEs `certs` (person_id, occupation_id, level_id: the latest valid certificate with
    an occupation, issued on or before `as_of` when given) and `classes` (person_id,
    occupation_id: the last class enrolled in), and their parameters. Their bodies are the
    assessment and training apps' own querysets (`latest_occupation_certificates`,
    `last_class_occupations`), compiled: one statement, no table of theirs named here."""
    certs, certs_params = (assessment_selectors.latest_occupation_certificates(as_of)
                           .query.sql_with_params())
    classes, classes_params = training_selectors.last_class_occupations().query.sql_with_params()
    return (f"certs AS ({certs}), classes AS ({classes})",
            [*certs_params, *classes_params])


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
    ctes, cte_params = _occupations_sql()
    sql = f"""
        WITH {ctes},
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
        cursor.execute(sql, [*cte_params, f"{_prefix(region_code)}%", lookback, last_day,
                             first_index, last_index, HIRE_GAP])
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
    ctes, cte_params = _occupations_sql(dt.date(year, 12, 31))
    # The employer's city: its region code's first four digits and "00" (a city's code).
    sql = f"""
        WITH {ctes}
        SELECT r.person_id, certs.occupation_id, certs.level_id, city.id, r.month,
               SUM(r.wage_base)
        FROM {records} r
        JOIN {regions} g ON g.id = r.employer_region_id
        JOIN {regions} city ON city.code = SUBSTR(g.code, 1, 4) || '00' AND city.level = 'city'
        JOIN certs ON certs.person_id = r.person_id
        WHERE r.person_id IS NOT NULL AND g.code LIKE %s
          AND r.month >= %s AND r.month <= %s AND certs.level_id IS NOT NULL
        GROUP BY r.person_id, certs.occupation_id, certs.level_id, city.id, r.month
        ORDER BY r.person_id, r.month
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*cte_params, f"{region_prefix}%", dt.date(year, 1, 1),
                             dt.date(year, 12, 1)])
        rows = cursor.fetchall()
    for person_id, occupation_id, level_id, city, month, wage in rows:
        if isinstance(month, str):  # SQLite answers raw dates in a raw query
            month = dt.date.fromisoformat(month)
        yield RecordWage(person=f"person-{person_id}", occupation_id=occupation_id,
                         level_id=level_id, city_id=city, month=month,
                         wage=Decimal(str(wage)).quantize(Decimal("1")))

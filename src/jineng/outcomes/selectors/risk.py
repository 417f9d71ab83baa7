"""Set-based, unscoped reads for the supervision risk scan (issue 13): social-insurance
contribution months of persons at given employers (the training institutions), as
(person_id, employer_code, month) values, streamed by the caller."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.outcomes.models import InsuranceRecord


def records_at_employers(employer_codes) -> QuerySet:
    """`employer_codes`: a queryset (or list) of credit codes."""
    return (InsuranceRecord.objects.filter(person__isnull=False,
                                           employer_code__in=employer_codes)
            .order_by().values_list("person_id", "employer_code", "month"))


def insured_months_with_city(person_ids) -> QuerySet:
    """(person_id, month, employer region code) of the given persons' social-insurance
    records, for the rule of trainees working in another city during their class (R15)."""
    return (InsuranceRecord.objects.filter(person_id__in=person_ids).order_by()
            .values_list("person_id", "month", "employer_region__code"))

"""Evaluators' certificate codes, scoped (EvaluatorCode.objects.visible_to)."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.assessment.models import EvaluatorCode

__all__ = ["evaluator_code_list"]


def evaluator_code_list(*, actor) -> QuerySet[EvaluatorCode]:
    return (EvaluatorCode.objects.visible_to(actor)
            .select_related("organization", "organization__region")
            .order_by("organization__region__code", "site_code"))

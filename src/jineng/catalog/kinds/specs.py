"""The five kinds by their code."""

from __future__ import annotations

from jineng.catalog.kinds.base import KindSpec
from jineng.catalog.kinds.institution import EvaluationSpec, InstitutionSpec
from jineng.catalog.kinds.qualification import QualificationSpec
from jineng.catalog.kinds.subsidy import SubsidySpec
from jineng.catalog.kinds.urgent import UrgentSpec

SPECS: dict[str, KindSpec] = {spec.kind: spec for spec in (
    SubsidySpec(), InstitutionSpec(), EvaluationSpec(), QualificationSpec(), UrgentSpec())}


def spec_for(kind: str) -> KindSpec:
    return SPECS[kind]

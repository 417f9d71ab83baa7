"""Declaring and reviewing assessment sittings (技能评价), their candidates and examiners.

A sitting is declared by an evaluator listed in the evaluation catalog for its occupation and
level (or special-ability item) on the sitting date (catalog_selectors.evaluator_listed_as_of;
the listing's version is kept), reviewed by HRSS staff of its region (rules.sitting_lifecycle),
and fills with candidates, each admitted by a route to the level (rules.routes) and checked for
考培分离 (rules.separation), and examiners (registered persons, by keyed hash). Every write is
one transaction with the sitting locked (select_for_update: what the checks read — the
sitting's state, its candidates and examiners — cannot change under them) and its audit
event(s); status steps are kept in SittingStatusChange (core.history).
"""

from __future__ import annotations

from jineng.assessment.services.sittings.candidates import (
    FromClassReport,
    candidate_add,
    candidate_remove,
    candidates_add_from_class,
    direct_recognition_approve,
    explain_route,
)
from jineng.assessment.services.sittings.declaring import (
    DEFAULT_PASS_MARK,
    SittingInput,
    sitting_declare,
    sitting_declare_once,
)
from jineng.assessment.services.sittings.examiners import (
    examiner_add,
    examiner_remove,
)
from jineng.assessment.services.sittings.lifecycle import (
    sitting_step,
    sitting_transition,
)

__all__ = [
    "DEFAULT_PASS_MARK",
    "FromClassReport",
    "SittingInput",
    "candidate_add",
    "candidate_remove",
    "candidates_add_from_class",
    "direct_recognition_approve",
    "examiner_add",
    "examiner_remove",
    "explain_route",
    "sitting_declare",
    "sitting_declare_once",
    "sitting_step",
    "sitting_transition",
]

"""Reads of results: a sitting's candidates with their scores and outcome, each explained,
and the import template. Everything starts from `visible_to(actor)`: the sitting's evaluator
and the HRSS offices of its region read; others get NotFound."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from jineng.assessment.models import AssessmentSitting, Candidate
from jineng.assessment.rules import scores
from jineng.core import tabular
from jineng.core.errors import NotFound

__all__ = [
    "RESULT_COLUMNS",
    "TEMPLATE_INFO_COLUMNS",
    "ResultRow",
    "explain_outcome",
    "outcome_of",
    "results_candidates",
    "results_rows",
    "results_sitting_get",
    "results_template",
]

# The columns of a results file (import and template): field name, Chinese title. A row names
# its candidate by the candidate number the template carries or by the whole ID number.
RESULT_COLUMNS = (
    ("candidate_id", "考生编号"),
    ("id_number", "身份证号"),
    ("theory_score", "理论成绩"),
    ("practical_score", "实操成绩"),
    ("absent", "缺考"),
)
# Titles the template writes for the reader that carry nothing to import.
TEMPLATE_INFO_COLUMNS = ("姓名", "身份证号（部分隐藏）")


def results_sitting_get(*, actor, pk: int) -> AssessmentSitting:
    """A sitting the actor sees, with what the result pages show; NotFound otherwise."""
    sitting = (AssessmentSitting.objects.visible_to(actor)
               .select_related("region", "evaluator", "occupation", "level")
               .filter(pk=pk).first())
    if sitting is None:
        raise NotFound()
    return sitting


def results_candidates(*, actor, sitting: AssessmentSitting) -> QuerySet[Candidate]:
    """The sitting's candidates the actor sees (none for a role that sees no persons)."""
    return (Candidate.objects.visible_to(actor).filter(sitting_id=sitting.pk)
            .select_related("person").order_by("id"))


def outcome_of(candidate: Candidate, sitting: AssessmentSitting) -> scores.Outcome:
    return scores.evaluate(theory=candidate.theory_score, practical=candidate.practical_score,
                           absent=candidate.absent, theory_mark=sitting.theory_pass_mark,
                           practical_mark=sitting.practical_pass_mark)


def _part_name(part: str) -> str:
    return _("theory") if part == scores.THEORY else _("practical")


def explain_outcome(outcome: scores.Outcome) -> str:
    """One sentence: the result and each examined part's score against its pass mark."""
    if outcome.absent:
        return _("Absent: not passed.")
    details = []
    for p in outcome.parts:
        values = {"part": _part_name(p.part), "score": _cell(p.score),
                  "mark": _cell(p.pass_mark)}
        if p.reason == scores.MISSING:
            details.append(_("%(part)s score missing") % values)
        elif p.reason == scores.REACHED:
            details.append(_("%(part)s %(score)s ≥ %(mark)s") % values)
        else:
            details.append(_("%(part)s %(score)s < pass mark %(mark)s") % values)
    joined = _(", ").join(details)
    if outcome.passed is None:
        return _("No result yet: %(details)s.") % {"details": joined}
    if outcome.passed:
        return _("Passed: %(details)s.") % {"details": joined}
    return _("Not passed: %(details)s.") % {"details": joined}


@dataclass(frozen=True)
class ResultRow:
    candidate: Candidate
    outcome: scores.Outcome
    explanation: str

    @property
    def entered(self) -> bool:
        return self.candidate.result_entered_at is not None


def results_rows(*, actor, sitting: AssessmentSitting) -> list[ResultRow]:
    """Every visible candidate with the outcome of what is entered, explained."""
    rows = []
    for candidate in results_candidates(actor=actor, sitting=sitting):
        outcome = outcome_of(candidate, sitting)
        rows.append(ResultRow(candidate=candidate, outcome=outcome,
                              explanation=explain_outcome(outcome)))
    return rows


def _cell(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def results_template(*, actor, sitting: AssessmentSitting, fmt: str = "xlsx") -> bytes:
    """The import template of a sitting: one row per candidate with the candidate number,
    name and masked ID number (for the reader), and what is entered so far. Text is written
    as text (no formula from a name)."""
    headers = ["考生编号", "姓名", "身份证号（部分隐藏）", "理论成绩", "实操成绩", "缺考"]
    rows = [[str(c.pk), c.person.name, c.person.id_masked, _cell(c.theory_score),
             _cell(c.practical_score), "是" if c.absent else ""]
            for c in results_candidates(actor=actor, sitting=sitting)]
    if fmt == "csv":
        return tabular.write_csv(headers, rows)
    return tabular.write_xlsx("成绩", headers, rows)

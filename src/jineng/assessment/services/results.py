"""Entering a sitting's results (成绩录入): theory and practical scores and absences, by the
page, by an Excel or CSV file, or by the API — all through `results_enter`.

Rows name a candidate by its number (candidate id) or by the person's ID number. Every row is
checked before anything is written; one bad row refuses the whole call, with a report of
every bad row and field (`ResultsInvalid.report`). The same result sent again counts once
(unchanged, nothing written); a different result for a candidate who has one is a correction,
allowed until the sitting is closed and audited with the values before and after. When every
candidate has a result, an approved sitting moves to "results" (the lifecycle's
`record_results`), with its history entry and audit event. The sitting's row is locked while
the rows are checked and written, so two entries of the same sitting run one after the
other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.assessment import access, selectors
from jineng.assessment.models import AssessmentSitting, Candidate, SittingStatusChange
from jineng.assessment.rules import permissions as perms
from jineng.assessment.rules import scores
from jineng.assessment.rules import sitting_lifecycle as lifecycle
from jineng.core import audit, pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.history import record_transition
from jineng.core.importing import Column, ImportReport, RowError, RowInvalid, run_import
from jineng.core.models import AuditAction
from jineng.core.tabular import Row, check_file_size, iter_chunks
from jineng.registry import selectors as registry_selectors
from jineng.registry import services as registry_services

__all__ = [
    "ResultInput",
    "ResultReport",
    "ResultRowError",
    "ResultsInvalid",
    "ensure_may_enter_results",
    "may_close_sitting",
    "may_enter_results",
    "results_enter",
    "results_import",
]

SCORE_FIELDS = {scores.THEORY: "theory_score", scores.PRACTICAL: "practical_score"}


@dataclass(frozen=True)
class ResultInput:
    """One candidate's result as given: scores as text, numbers or None (checked here, so a
    bad cell is reported with its row). `row` is the row as the sender counts it (a file's
    row, an API list's index); 0 means the position in the list, from 1."""

    candidate_id: int | None = None
    id_number: str = ""
    theory_score: Any = None
    practical_score: Any = None
    absent: bool = False
    row: int = 0


@dataclass
class ResultRowError(RowError):
    code: str = "invalid"

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "code": self.code}


@dataclass
class ResultReport(ImportReport):
    """created: results entered for the first time; updated: corrections; unchanged: the
    same result again. `status` is the sitting's status afterwards."""

    status: str = ""
    moved_to_results: bool = False
    errors: list[ResultRowError] = field(default_factory=list)  # type: ignore[assignment]

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "status": self.status,
                "moved_to_results": self.moved_to_results}


class ResultsInvalid(DomainError):
    """Rows with errors: nothing was written. `report.errors` names each row and field."""

    def __init__(self, report: ResultReport) -> None:
        first = report.errors[0]
        super().__init__(
            _("%(n)d errors in the results (first: row %(row)d, %(field)s: %(message)s); "
              "nothing was saved.") % {"n": len(report.errors), "row": first.row,
                                       "field": first.field, "message": first.message},
            field="rows", code="invalid_rows")
        self.report = report


# --- who may enter ---------------------------------------------------------------------------

def _is_evaluator(actor, sitting: AssessmentSitting) -> bool:
    """An operator of the sitting's evaluator (an evaluation institution, or an enterprise
    evaluating its own employees)."""
    return lifecycle.EVALUATOR in access.sitting_kinds(actor, sitting)


def may_enter_results(actor, sitting: AssessmentSitting) -> bool:
    """rules.permissions.may_enter_results for a user (pages and the API ask this)."""
    return perms.may_enter_results(sitting.status, access.sitting_kinds(actor, sitting))


def may_close_sitting(actor, sitting: AssessmentSitting) -> bool:
    """The "close and issue certificates" button: rules.permissions.may_issue."""
    return perms.may_issue(sitting.status, access.sitting_kinds(actor, sitting))


def ensure_may_enter_results(actor, sitting: AssessmentSitting) -> None:
    """Forbidden for anyone but the sitting's evaluator; DomainError (field "status") when
    the sitting takes no results now."""
    _ensure_may_enter(actor, sitting)


def _ensure_may_enter(actor, sitting: AssessmentSitting) -> None:
    if not _is_evaluator(actor, sitting):
        raise Forbidden(_("Only the sitting's evaluator enters its results."))
    if sitting.status == lifecycle.CLOSED:
        raise DomainError(_("The sitting is closed: its results can no longer change."),
                          field="status", code="closed")
    access.ensure_enter_results(actor, sitting)


# --- checking the rows -----------------------------------------------------------------------

def _score_message(code: str) -> str:
    return {
        scores.NOT_A_NUMBER: _("Not a number."),
        scores.OUT_OF_RANGE: _("A score is between 0 and 100."),
        scores.TOO_MANY_PLACES: _("At most two decimal places."),
        scores.REQUIRED: _("A score is required for this part (or mark the candidate "
                           "absent)."),
        scores.NOT_EXAMINED: _("This part is not examined at this sitting: leave it empty."),
        scores.ABSENT_WITH_SCORE: _("An absent candidate has no score: leave it empty."),
    }.get(code, code)


@dataclass
class _Checked:
    row: int
    candidate: Candidate
    theory: Decimal | None
    practical: Decimal | None
    absent: bool
    passed: bool


def _find_by_number(raw: str, by_hash: dict[str, Candidate]) -> Candidate:
    parsed = registry_services.parse_id_number(raw)
    found = by_hash.get(pii.keyed_hash(parsed.number))
    if found is None:
        # A number held by a merged duplicate answers its survivor.
        person = registry_selectors.person_holding_number(parsed.number)
        found = next((c for c in by_hash.values() if person and c.person_id == person.pk),
                     None)
    if found is None:
        raise DomainError(_("No candidate of this sitting has this ID number."),
                          field="id_number", code="unknown_candidate")
    return found


def _check_row(item: ResultInput, sitting: AssessmentSitting, by_id: dict[int, Candidate],
               by_hash: dict[str, Candidate]) -> _Checked:
    problems: list[tuple[str, str, str]] = []  # field, code, message
    candidate = None
    number = str(item.id_number or "").strip()
    try:
        if item.candidate_id is not None:
            candidate = by_id.get(item.candidate_id)
            if candidate is None:
                raise DomainError(_("No candidate of this sitting has this number."),
                                  field="candidate_id", code="unknown_candidate")
            if number and _find_by_number(number, by_hash) is not candidate:
                raise DomainError(_("The ID number is not this candidate's."),
                                  field="id_number", code="mismatch")
        elif number:
            candidate = _find_by_number(number, by_hash)
        else:
            raise DomainError(_("Name the candidate by number or by ID number."),
                              field="candidate_id", code="required")
    except DomainError as bad:
        problems.append((bad.field or "id_number", bad.code, bad.message))
    parsed: dict[str, Decimal | None] = {}
    for part, name in SCORE_FIELDS.items():
        try:
            parsed[part] = scores.parse_score(getattr(item, name))
        except scores.ScoreInvalid as bad:
            problems.append((name, bad.code, _score_message(bad.code)))
    if not any(f in SCORE_FIELDS.values() for f, _c, _m in problems):
        for part, code in scores.check_row(
                theory=parsed[scores.THEORY], practical=parsed[scores.PRACTICAL],
                absent=bool(item.absent), theory_mark=sitting.theory_pass_mark,
                practical_mark=sitting.practical_pass_mark):
            problems.append((SCORE_FIELDS[part], code, _score_message(code)))
    if problems:
        raise RowInvalid(*[(f, f"{code}\x00{m}") for f, code, m in problems])
    assert candidate is not None
    outcome = scores.evaluate(theory=parsed[scores.THEORY], practical=parsed[scores.PRACTICAL],
                              absent=bool(item.absent), theory_mark=sitting.theory_pass_mark,
                              practical_mark=sitting.practical_pass_mark)
    assert outcome.passed is not None
    return _Checked(row=item.row, candidate=candidate, theory=parsed[scores.THEORY],
                    practical=parsed[scores.PRACTICAL], absent=bool(item.absent),
                    passed=outcome.passed)


def _values(c: Candidate | _Checked) -> dict[str, Any]:
    if isinstance(c, _Checked):
        return {"theory_score": c.theory, "practical_score": c.practical,
                "absent": c.absent, "passed": c.passed}
    return {"theory_score": c.theory_score, "practical_score": c.practical_score,
            "absent": c.absent, "passed": c.passed}


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in values.items()}


def _errors(row: int, bad: RowInvalid) -> list[ResultRowError]:
    out = []
    for name, coded in bad.problems:
        code, _sep, message = coded.partition("\x00")
        out.append(ResultRowError(row=row, field=name, message=message, code=code))
    return out


def _check_all(sitting: AssessmentSitting, rows: list[ResultInput],
               ) -> tuple[list[_Checked], list[ResultRowError]]:
    candidates = list(Candidate.objects.filter(sitting_id=sitting.pk).select_related("person"))
    by_id = {c.pk: c for c in candidates}
    by_hash = {c.person.id_hash: c for c in candidates}
    checked: list[_Checked] = []
    errors: list[ResultRowError] = []
    seen: dict[int, _Checked] = {}
    for position, item in enumerate(rows, start=1):
        row = item.row or position
        if item.row != row:
            item = ResultInput(**{**item.__dict__, "row": row})
        try:
            one = _check_row(item, sitting, by_id, by_hash)
        except RowInvalid as bad:
            errors.extend(_errors(row, bad))
            continue
        earlier = seen.get(one.candidate.pk)
        if earlier is not None:
            if _values(earlier) != _values(one):
                errors.append(ResultRowError(
                    row=row, field="candidate_id", code="duplicate",
                    message=_("The same candidate is on row %(row)d with another result.")
                    % {"row": earlier.row}))
            continue  # the same result twice in one call counts once
        seen[one.candidate.pk] = one
        checked.append(one)
    if sitting.status == lifecycle.CLOSED:
        for one in checked:
            if one.candidate.result_entered_at is None \
                    or _values(one.candidate) != _values(one):
                errors.append(ResultRowError(
                    row=one.row, field="theory_score", code="closed",
                    message=_("The sitting is closed: this result can no longer be "
                              "corrected.")))
    return checked, errors


# --- writing ---------------------------------------------------------------------------------

def _lock(sitting: AssessmentSitting) -> AssessmentSitting:
    return (AssessmentSitting.objects.select_for_update(of=("self",))
            .select_related("region").get(pk=sitting.pk))


def _record_results_if_complete(actor, sitting: AssessmentSitting) -> bool:
    """approved → results once every candidate has a result (lifecycle: record_results)."""
    total = Candidate.objects.filter(sitting_id=sitting.pk).count()
    entered = Candidate.objects.filter(sitting_id=sitting.pk,
                                       result_entered_at__isnull=False).count()
    if sitting.status != lifecycle.APPROVED or total == 0 or entered < total:
        return False
    before = sitting.status
    target = lifecycle.plan_transition("record_results", before,
                                       frozenset({lifecycle.EVALUATOR}), "")
    sitting.status = target
    sitting.save(update_fields=["status"])
    record_transition(SittingStatusChange, subject_field="sitting", subject=sitting,
                      actor=actor, action="record_results", from_status=before,
                      to_status=target, note={"candidates": total})
    audit.record(actor=actor, action=AuditAction.TRANSITION, instance=sitting,
                 before={"status": before},
                 after={"status": target, "action": "record_results"})
    return True


def results_enter(*, actor, sitting: AssessmentSitting, rows: list[ResultInput],
                  reason: str = "", source: str = "") -> ResultReport:
    """Enter or correct results (see the module's docstring). Refused as a whole, writing
    nothing: Forbidden for anyone but the sitting's evaluator, DomainError for a sitting not
    approved yet or closed (a closed sitting still accepts its own results sent again, as
    unchanged), ResultsInvalid with the report of every bad row. `reason` goes with the
    corrections' audit events; `source` (a file's name, "api") with every event."""
    visible = selectors.results_sitting_get(actor=actor, pk=sitting.pk)
    if not rows:
        raise DomainError(_("No results to enter."), field="rows", code="required")
    with transaction.atomic():
        locked = _lock(visible)
        if not _is_evaluator(actor, locked):
            raise Forbidden(_("Only the sitting's evaluator enters its results."))
        if locked.status != lifecycle.CLOSED:  # a closed one takes its own results again
            _ensure_may_enter(actor, locked)
        checked, errors = _check_all(locked, rows)
        report = ResultReport(total_rows=len(rows), errors=errors, status=locked.status)
        if errors:
            raise ResultsInvalid(report)
        now = timezone.now()
        username = getattr(actor, "username", "") or "system"
        groups: dict[tuple, list[int]] = {}
        entered: list[dict[str, Any]] = []
        for one in checked:
            c = one.candidate
            before, after = _values(c), _values(one)
            if c.result_entered_at is not None and before == after:
                report.unchanged += 1
                continue
            groups.setdefault(tuple(after.values()), []).append(c.pk)
            if c.result_entered_at is None:
                report.created += 1
                entered.append({"candidate": c.pk, **_plain(after)})
                continue
            # A correction: one event per candidate, with the values before and after.
            report.updated += 1
            old, new = audit.changed(_plain(before), _plain(after))
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=c,
                         label=f"{c.person.name} · {locked}", before=old,
                         after={**new, **({"source": source} if source else {})},
                         reason=reason.strip() or _("Correction of an entered result"),
                         region_code=locked.region.code,
                         organization_id=locked.evaluator_id)
        if entered:
            # First entries: one event for the call, listing every candidate's result.
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=locked,
                         label=f"{len(entered)} × {_('results entered')} · {locked}",
                         after={"results_entered": entered,
                                **({"source": source} if source else {})},
                         reason=reason.strip())
        # One UPDATE per distinct result (scores cluster: far fewer than the candidates).
        for (theory, practical, absent, passed), pks in groups.items():
            for chunk in iter_chunks(pks, 1000):
                Candidate.objects.filter(pk__in=chunk).update(
                    theory_score=theory, practical_score=practical, absent=absent,
                    passed=passed, result_entered_at=now, result_entered_by=username)
        report.moved_to_results = _record_results_if_complete(actor, locked)
        report.status = locked.status
        report.written = True
    return report


# --- the file import -------------------------------------------------------------------------

C = Column
IMPORT_COLUMNS = tuple(C(name, title, max_length=40 if name != "id_number" else 18)
                       for name, title in selectors.RESULT_COLUMNS)
ABSENT_WORDS = {"是", "缺考", "y", "yes", "true", "1", "x", "√", "✓"}
PRESENT_WORDS = {"", "否", "n", "no", "false", "0"}


def _parse_file_row(row: Row, context: dict) -> ResultInput:
    v = row.values
    candidate_id = None
    problems = []
    if v.get("candidate_id"):
        try:
            candidate_id = int(v["candidate_id"])
        except ValueError:
            problems.append(("candidate_id", _("Not a number.")))
    flag = v.get("absent", "").strip().lower()
    if flag not in ABSENT_WORDS | PRESENT_WORDS:
        problems.append(("absent", _("Write 是 for an absent candidate, or leave it empty.")))
    if problems:
        raise RowInvalid(*problems)
    return ResultInput(candidate_id=candidate_id, id_number=v.get("id_number", ""),
                       theory_score=v.get("theory_score") or None,
                       practical_score=v.get("practical_score") or None,
                       absent=flag in ABSENT_WORDS, row=row.number)


def results_import(*, actor, sitting: AssessmentSitting, file: Any,
                   filename: str = "") -> ResultReport:
    """A results file (.xlsx or .csv, the template's columns): the size is checked before a
    byte is parsed, then every row goes through `results_enter` as one call. A file with any
    bad row writes nothing and answers the report of every bad row (no exception); a refusal
    of the whole call (not the evaluator, a closed or unapproved sitting, an unreadable file)
    raises."""
    name = filename or getattr(file, "name", "") or "results.xlsx"
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        check_file_size(getattr(file, "size", None))
        data = file.read()
    visible = selectors.results_sitting_get(actor=actor, pk=sitting.pk)
    _ensure_may_enter(actor, visible)
    outcome: dict[str, ResultReport] = {}

    def save(parsed: list[ResultInput]) -> tuple[int, int, int]:
        report = results_enter(actor=actor, sitting=visible, rows=parsed, source=name)
        outcome["report"] = report
        return report.created, report.updated, report.unchanged

    try:
        base = run_import(data=data, filename=name, columns=IMPORT_COLUMNS,
                          parse_row=_parse_file_row, save=save,
                          ignored_titles=selectors.TEMPLATE_INFO_COLUMNS)
    except ResultsInvalid as invalid:
        return invalid.report
    if not base.ok:
        return ResultReport(total_rows=base.total_rows, status=visible.status,
                            errors=[ResultRowError(e.row, e.field, e.message)
                                    for e in base.errors])
    report = outcome["report"]
    report.total_rows = base.total_rows
    return report

"""services.results_enter and results_import: entry by candidate and by ID number, all or
nothing with a report per row, idempotence, corrections until the sitting is closed, the
move to "results", and who may enter."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.assessment import selectors, services
from jineng.assessment.choices import SittingStatus
from jineng.assessment.models import AssessmentSitting, SittingStatusChange
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction, AuditEvent
from jineng.core.tabular import FileTooLarge
from tests.assessment.results_support import D, reload, results_world, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return results_world()


def _status(sitting) -> str:
    return AssessmentSitting.objects.get(pk=sitting.pk).status


def test_entry_scores_and_passes(w):
    a, b, c = w.candidates
    report = services.results_enter(actor=w.operator, sitting=w.sitting, rows=[
        row(a, "60", "60"), row(b, "59.99", "90"), row(c, absent=True)])
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert report.written and not report.errors
    a, b, c = map(reload, (a, b, c))
    assert (a.theory_score, a.practical_score, a.passed) == (D("60.00"), D("60.00"), True)
    assert (b.passed, c.passed, c.absent) == (False, False, True)
    assert a.result_entered_by == w.operator.username and a.result_entered_at
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)  # one for the call
    assert (event.entity_type, event.entity_id) == ("assessment.assessmentsitting",
                                                    str(w.sitting.pk))
    entered = {e["candidate"]: e for e in event.after["results_entered"]}
    assert entered[b.pk] == {"candidate": b.pk, "theory_score": "59.99",
                             "practical_score": "90.00", "absent": False, "passed": False}
    assert entered[c.pk]["absent"] is True and set(entered) == {a.pk, b.pk, c.pk}


def test_the_last_result_moves_the_sitting_to_results(w):
    a, b, c = w.candidates
    report = services.results_enter(actor=w.operator, sitting=w.sitting,
                                    rows=[row(a, "70", "70"), row(b, "70", "70")])
    assert not report.moved_to_results and _status(w.sitting) == SittingStatus.APPROVED
    assert not SittingStatusChange.objects.exists()
    report = services.results_enter(actor=w.operator, sitting=w.sitting,
                                    rows=[row(c, "80", "40")])
    assert report.moved_to_results and report.status == SittingStatus.RESULTS
    assert _status(w.sitting) == SittingStatus.RESULTS
    step = SittingStatusChange.objects.get(sitting=w.sitting)
    assert (step.action, step.from_status, step.to_status) == (
        "record_results", "approved", "results")
    assert AuditEvent.objects.filter(action=AuditAction.TRANSITION,
                                     entity_type="assessment.assessmentsitting").count() == 1


def test_by_id_number(w):
    a = w.candidates[0]
    number = _plain_id(a)
    report = services.results_enter(actor=w.operator, sitting=w.sitting, rows=[
        services.ResultInput(id_number=number, theory_score="88", practical_score="77.5")])
    assert report.created == 1
    assert reload(a).practical_score == D("77.50")


def _plain_id(candidate) -> str:
    from jineng.core import pii

    return pii.decrypt(candidate.person.id_encrypted)


def test_same_again_counts_once_and_writes_nothing(w):
    rows = [row(c, "75", "65") for c in w.candidates]
    services.results_enter(actor=w.operator, sitting=w.sitting, rows=rows)
    events = AuditEvent.objects.count()
    report = services.results_enter(actor=w.operator, sitting=w.sitting,
                                    rows=[row(c, "75.00", "65.0") for c in w.candidates])
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert AuditEvent.objects.count() == events
    assert SittingStatusChange.objects.count() == 1


def test_the_same_row_twice_in_one_call_counts_once(w):
    a = w.candidates[0]
    report = services.results_enter(actor=w.operator, sitting=w.sitting,
                                    rows=[row(a, "75", "65"), row(a, "75", "65")])
    assert report.created == 1


def test_a_correction_is_audited_with_before_and_after(w):
    a = w.candidates[0]
    services.results_enter(actor=w.operator, sitting=w.sitting, rows=[row(a, "55", "80")])
    assert reload(a).passed is False
    report = services.results_enter(actor=w.operator, sitting=w.sitting,
                                    rows=[row(a, "65", "80")], reason="阅卷复核")
    assert (report.created, report.updated) == (0, 1)
    assert reload(a).passed is True
    event = AuditEvent.objects.filter(entity_type="assessment.candidate",
                                      entity_id=str(a.pk)).latest("id")
    assert event.before == {"theory_score": "55.00", "passed": False}
    assert event.after == {"theory_score": "65.00", "passed": True}
    assert event.reason == "阅卷复核"


def test_closed_sitting_refuses_corrections_but_takes_its_results_again(w):
    rows = [row(c, "75", "65") for c in w.candidates]
    services.results_enter(actor=w.operator, sitting=w.sitting, rows=rows)
    AssessmentSitting.objects.filter(pk=w.sitting.pk).update(status=SittingStatus.CLOSED)
    report = services.results_enter(actor=w.operator, sitting=w.sitting, rows=rows)
    assert report.unchanged == 3
    with pytest.raises(services.ResultsInvalid) as refused:
        services.results_enter(actor=w.operator, sitting=w.sitting,
                               rows=[row(w.candidates[1], "90", "65")])
    assert [(e.row, e.code) for e in refused.value.report.errors] == [(1, "closed")]
    assert reload(w.candidates[1]).theory_score == D("75.00")
    with pytest.raises(DomainError, match="closed"):
        services.results_import(actor=w.operator, sitting=w.sitting,
                                file=b"candidate_id,theory_score\n", filename="r.csv")


def test_bad_rows_refuse_the_whole_call_with_a_report(w):
    a, b, c = w.candidates
    events = AuditEvent.objects.count()
    with pytest.raises(services.ResultsInvalid) as refused:
        services.results_enter(actor=w.operator, sitting=w.sitting, rows=[
            row(a, "70", "70"), row(b, "120", "70"), row(c, "85.555", ""),
            services.ResultInput(candidate_id=999_999, theory_score="1", practical_score="1"),
            services.ResultInput(theory_score="1", practical_score="1"),
            row(a, "71", "70"),
            row(c, "60", "60", absent=True),
        ])
    errors = [(e.row, e.field, e.code) for e in refused.value.report.errors]
    assert errors == [
        (2, "theory_score", "out_of_range"),
        (3, "theory_score", "too_many_places"),
        (4, "candidate_id", "unknown_candidate"),
        (5, "candidate_id", "required"),
        (6, "candidate_id", "duplicate"),
        (7, "theory_score", "absent_with_score"),
        (7, "practical_score", "absent_with_score"),
    ]
    assert refused.value.field == "rows"
    assert "120" not in refused.value.message and "row 2" in refused.value.message
    messages = {e.code: e.message for e in refused.value.report.errors}
    assert messages["out_of_range"] == "A score is between 0 and 100."
    assert reload(a).result_entered_at is None
    assert AuditEvent.objects.count() == events


def test_a_missing_part_is_a_row_error(w):
    with pytest.raises(services.ResultsInvalid) as refused:
        services.results_enter(actor=w.operator, sitting=w.sitting,
                               rows=[row(w.candidates[0], "70", "")])
    assert [(e.field, e.code) for e in refused.value.report.errors] == [
        ("practical_score", "required")]


def test_a_sitting_examining_theory_only():
    w = results_world(candidates=2, practical_pass_mark=None)
    a, b = w.candidates
    with pytest.raises(services.ResultsInvalid) as refused:
        services.results_enter(actor=w.operator, sitting=w.sitting,
                               rows=[row(a, "70", "70")])
    assert [(e.field, e.code) for e in refused.value.report.errors] == [
        ("practical_score", "not_examined")]
    report = services.results_enter(actor=w.operator, sitting=w.sitting,
                                    rows=[row(a, "70"), row(b, "59")])
    assert report.moved_to_results
    assert (reload(a).passed, reload(b).passed) == (True, False)
    explained = {r.candidate.pk: r.explanation
                 for r in selectors.results_rows(actor=w.operator, sitting=w.sitting)}
    assert explained[a.pk] == "Passed: theory 70.00 ≥ 60.00."
    assert explained[b.pk] == "Not passed: theory 59.00 < pass mark 60.00."


def test_id_number_of_someone_else_or_unknown(w):
    a, b = w.candidates[:2]
    with pytest.raises(services.ResultsInvalid) as refused:
        services.results_enter(actor=w.operator, sitting=w.sitting, rows=[
            services.ResultInput(candidate_id=a.pk, id_number=_plain_id(b),
                                 theory_score="1", practical_score="1"),
            services.ResultInput(id_number="123", theory_score="1", practical_score="1"),
        ])
    assert [(e.row, e.field) for e in refused.value.report.errors] == [
        (1, "id_number"), (2, "id_number")]


@pytest.mark.parametrize("who", ["county_staff", "training_operator", "other_operator"])
def test_only_the_evaluator_enters(w, who):
    actor = getattr(w, who)
    error = Forbidden if who == "county_staff" else NotFound
    with pytest.raises(error):
        services.results_enter(actor=actor, sitting=w.sitting,
                               rows=[row(w.candidates[0], "70", "70")])
    assert reload(w.candidates[0]).result_entered_at is None


def test_hrss_reads_results(w):
    services.results_enter(actor=w.operator, sitting=w.sitting,
                           rows=[row(w.candidates[0], "70", "50")])
    rows = selectors.results_rows(actor=w.county_staff, sitting=w.sitting)
    assert [r.outcome.passed for r in rows] == [False, None, None]
    assert rows[0].explanation == "Not passed: theory 70.00 ≥ 60.00, practical 50.00 < pass " \
                                  "mark 60.00."
    assert rows[1].explanation.startswith("No result yet")
    with pytest.raises(NotFound):
        selectors.results_sitting_get(actor=w.other_operator, pk=w.sitting.pk)


@pytest.mark.parametrize("status", [SittingStatus.DECLARED, SittingStatus.RETURNED,
                                    SittingStatus.CANCELLED])
def test_not_before_approval(status):
    w = results_world(status=status)
    with pytest.raises(DomainError) as refused:
        services.results_enter(actor=w.operator, sitting=w.sitting,
                               rows=[row(w.candidates[0], "70", "70")])
    assert refused.value.field == "status"
    assert not isinstance(refused.value, Forbidden)


def test_no_rows(w):
    with pytest.raises(DomainError):
        services.results_enter(actor=w.operator, sitting=w.sitting, rows=[])


# --- the file ------------------------------------------------------------------------------

def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_template_round_trip(w):
    data = selectors.results_template(actor=w.operator, sitting=w.sitting)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == ["考生编号", "姓名", "身份证号（部分隐藏）", "理论成绩", "实操成绩", "缺考"]
    assert [r[0] for r in table[1:]] == [str(c.pk) for c in w.candidates]
    assert "*" in table[1][2]  # masked
    table[1][3:6] = [80, 90.5, None]
    table[2][3:6] = ["", "", "是"]
    table[3][3:6] = ["61", "60", "否"]
    report = services.results_import(
        actor=w.operator, sitting=w.sitting,
        file=SimpleUploadedFile("成绩.xlsx", _xlsx(table)))
    assert report.ok and report.created == 3 and report.moved_to_results
    a, b, c = map(reload, w.candidates)
    assert (a.theory_score, a.practical_score, a.passed) == (D("80"), D("90.5"), True)
    assert (b.absent, b.passed) == (True, False)
    assert c.passed is True
    assert AuditEvent.objects.get(action=AuditAction.UPDATE).after["source"] == "成绩.xlsx"


def test_import_reports_every_bad_row_and_writes_nothing(w):
    a, b, c = w.candidates
    csv = (f"考生编号,理论成绩,实操成绩,缺考\n{a.pk},70,70,\n{b.pk},120,70,\n"
           f"{c.pk},x,70,也许\n").encode()
    report = services.results_import(actor=w.operator, sitting=w.sitting, file=csv,
                                     filename="r.csv")
    assert not report.written
    assert [(e.row, e.field) for e in report.errors] == [(4, "absent")]  # parsing first
    csv = f"考生编号,理论成绩,实操成绩\n{a.pk},70,70\n{b.pk},120,70\n{c.pk},x,70\n".encode()
    report = services.results_import(actor=w.operator, sitting=w.sitting, file=csv,
                                     filename="r.csv")
    assert [(e.row, e.field, e.code) for e in report.errors] == [
        (3, "theory_score", "out_of_range"), (4, "theory_score", "not_a_number")]
    assert not report.written and reload(a).result_entered_at is None


def test_import_unknown_column_and_size(w, settings):
    with pytest.raises(DomainError) as refused:
        services.results_import(actor=w.operator, sitting=w.sitting,
                                file=b"candidate_id,score\n1,2\n", filename="r.csv")
    assert refused.value.code == "unknown_columns"
    big = SimpleUploadedFile("r.csv", b"x")
    big.size = 10**10
    with pytest.raises(FileTooLarge):
        services.results_import(actor=w.operator, sitting=w.sitting, file=big)


def test_import_by_id_number(w):
    a = w.candidates[0]
    csv = f"身份证号,理论成绩,实操成绩\n{_plain_id(a)},66,77\n".encode()
    report = services.results_import(actor=w.operator, sitting=w.sitting, file=csv,
                                     filename="r.csv")
    assert report.created == 1 and reload(a).theory_score == D("66")

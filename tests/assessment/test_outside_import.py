"""Certificate files (services.certificates_import) and the migration import of a previous
system's assessments (services.history_import): idempotent, every bad row reported, nothing
written from a file with errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import AssessmentSitting, Candidate, Certificate
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.registry.models import Person
from tests import factories as f
from tests.assessment import outside_helpers as h

pytestmark = pytest.mark.django_db

COLS = services.CERTIFICATE_COLUMNS
HIST = services.HISTORY_COLUMNS


@pytest.fixture
def clerk():
    return f.staff("city_staff", f.CITY)


def _import(actor, rows, **kw):
    return services.certificates_import(actor=actor, file=h.csv_file(COLS, rows), **kw)


def test_same_file_twice_counts_once(clerk):
    a, b = h.person(), h.person()
    rows = [h.cert_row(a, number=h.number(1)), h.cert_row(b, number=h.number(2),
                                                          verified="是", note="已查询")]
    report = _import(clerk, rows)
    assert report.ok and report.written and (report.created, report.unchanged) == (2, 0)
    assert Certificate.objects.filter(verified=True).count() == 1
    again = _import(clerk, rows)
    assert again.ok and (again.created, again.unchanged) == (0, 2)
    assert Certificate.objects.count() == 2
    # one import event for the file that recorded them; none for the repeat
    events = AuditEvent.objects.filter(entity_type="assessment.certificate")
    assert [(e.action, e.after["count"]) for e in events] == [("import", 2)]
    assert {c.recorded_by for c in Certificate.objects.all()} == {clerk.username}


def test_a_repeated_row_in_the_file_counts_once(clerk):
    p = h.person()
    report = _import(clerk, [h.cert_row(p), h.cert_row(p)])
    assert report.ok and (report.created, report.unchanged) == (1, 1)


def test_a_changed_row_is_a_conflict_and_nothing_is_written(clerk):
    a, b = h.person(), h.person()
    _import(clerk, [h.cert_row(a, number=h.number(1))])
    report = _import(clerk, [h.cert_row(b, number=h.number(2)),
                             h.cert_row(a, number=h.number(1), issuer_name="另一机构")])
    assert not report.written
    assert [(e.row, e.field) for e in report.errors] == [(3, "issuer_name")]
    assert Certificate.objects.count() == 1


def test_bad_rows_each_reported(clerk):
    p = h.person()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    rows = [
        h.cert_row(p, number="S00005200000125500000"),  # 2: layout broken (21 characters)
        h.cert_row(p, number=h.number(2), occupation="不存在的职业"),  # 3
        h.cert_row(p, number=h.number(3), level="九级工"),  # 4
        h.cert_row(p, number=h.number(4), issued_on=tomorrow),  # 5
        h.cert_row(p, number=h.number(5), id_number=f.id_number_for(n=778)),  # 6
        h.cert_row(p, number=h.number(6)),  # 7: good
        h.cert_row(p, number=h.number(6), issuer_name="另一机构"),  # 8: duplicate number
        h.cert_row(p, number=h.number(7), id_number="520102199013011234"),  # 9: bad ID
        h.cert_row(p, number=h.number(8), issued_on="30/06/2025"),  # 10: not a date
        h.cert_row(p, number=h.number(9), kind="毕业证"),  # 11: unknown kind
        h.cert_row(p, number=h.number(10), verified="也许"),  # 12
    ]
    report = _import(clerk, rows)
    assert not report.written
    got = {(e.row, e.field) for e in report.errors}
    assert got == {(2, "number"), (3, "occupation"), (4, "level"), (5, "issued_on"),
                   (6, "id_number"), (8, "issuer_name"), (9, "id_number"), (10, "issued_on"),
                   (11, "kind"), (12, "verified")}
    assert not Certificate.objects.exists()
    assert not AuditEvent.objects.filter(entity_type="assessment.certificate").exists()


def test_skipping_bad_rows_writes_the_good_ones(clerk):
    p = h.person()
    report = _import(clerk, [h.cert_row(p, number="BROKEN"), h.cert_row(p, number=h.number(2))],
                     skip_bad_rows=True)
    assert report.written and report.created == 1 and report.skipped == 1
    assert list(Certificate.objects.values_list("number", flat=True)) == [h.number(2)]


def test_legacy_numbers_accepted(clerk):
    p = h.person()
    report = _import(clerk, [
        h.cert_row(p, kind="qualification", number="0852010210500001"),
        h.cert_row(p, kind="职业资格证书", number="1234567890123"),
    ])
    assert report.ok, report.errors
    assert report.created == 2


def test_unknown_column_and_size_checked_first(clerk, settings):
    body = "证书编号,备注栏\nX,Y\n".encode()
    with pytest.raises(DomainError) as caught:
        services.certificates_import(actor=clerk, file=SimpleUploadedFile("a.csv", body))
    assert caught.value.code == "unknown_columns"
    big = SimpleUploadedFile("big.csv", b"x")
    big.size = 10 ** 10
    with pytest.raises(DomainError) as caught:
        services.certificates_import(actor=clerk, file=big)
    assert caught.value.code == "too_large"


def test_only_staff_import(clerk):
    evaluator = f.OrganizationFactory(kind="evaluation", institution_type="")
    with pytest.raises(Forbidden):
        _import(f.operator(evaluator), [h.cert_row(h.person())])


def test_template_has_every_column():
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(services.certificates_template()))
    header = [c.value for c in next(book.active.iter_rows(max_row=1))]
    assert header == [c.label for c in COLS]


# --- history import ----------------------------------------------------------------------------

@pytest.fixture
def evaluator():
    return f.OrganizationFactory(kind="evaluation", institution_type="", name="旧评价站")


def _hist_row(evaluator, id_number, name, **kw) -> dict:
    row = {"sitting_ref": "KS2021-1", "evaluator_credit_code": evaluator.credit_code,
           "occupation": "养老护理员", "level": "初级工", "sitting_date": "2021-06-20",
           "place": "贵阳市考点", "id_number": id_number, "holder_name": name,
           "theory_score": "78", "practical_score": "82.5", "result": "合格",
           "number": h.number(1, year="21"), "issued_on": "2021-06-30"}
    row.update(kw)
    return row


def _history(actor, rows):
    return services.history_import(actor=actor, file=h.csv_file(HIST, rows, "old.csv"))


def test_history_creates_legacy_sittings_candidates_and_certificates(clerk, evaluator):
    known = h.person()
    newcomer = f.id_number_for(n=881)
    rows = [
        _hist_row(evaluator, known.plain_id, known.name),
        _hist_row(evaluator, newcomer, "新来者", number=h.number(2, year="21")),
        _hist_row(evaluator, f.id_number_for(n=882), "未过者", result="不合格",
                  theory_score="40", number="", issued_on=""),
        _hist_row(evaluator, f.id_number_for(n=883), "缺考者", result="缺考",
                  theory_score="", practical_score="", number="", issued_on=""),
        _hist_row(evaluator, f.id_number_for(n=884), "另一场", sitting_ref="KS2021-2",
                  level="中级工", number=h.number(3, year="21", level_digit="4")),
    ]
    report = _history(clerk, rows)
    assert report.ok, report.errors
    assert (report.created, report.unchanged) == (3, 0)
    sittings = AssessmentSitting.objects.order_by("client_ref")
    assert [(s.client_ref, s.origin, s.status) for s in sittings] == [
        ("KS2021-1", "legacy", "closed"), ("KS2021-2", "legacy", "closed")]
    first = sittings[0]
    assert first.status_history.get().action == "migrate"
    assert Candidate.objects.filter(sitting=first).count() == 4
    assert Candidate.objects.get(sitting=first, person=known).passed is True
    absent = Candidate.objects.get(sitting=first, person__name="缺考者")
    assert absent.absent and absent.passed is False
    certs = Certificate.objects.order_by("number")
    assert {c.origin for c in certs} == {"legacy"}
    assert all(c.verified and c.issuer_id == evaluator.pk and c.candidate_id for c in certs)
    assert Person.objects.filter(name="新来者").exists()  # registered from the file
    # the same file again: nothing new
    again = _history(clerk, rows)
    assert again.ok and (again.created, again.unchanged) == (0, 3)
    assert AssessmentSitting.objects.count() == 2 and Certificate.objects.count() == 3
    assert Candidate.objects.count() == 5


def test_history_changed_certificate_is_a_conflict(clerk, evaluator):
    p = h.person()
    _history(clerk, [_hist_row(evaluator, p.plain_id, p.name)])
    report = _history(clerk, [_hist_row(evaluator, p.plain_id, p.name,
                                        issued_on="2021-07-01")])
    assert not report.written
    assert [(e.row, e.field) for e in report.errors] == [(2, "issued_on")]


def test_history_bad_rows_each_reported_nothing_written(clerk, evaluator):
    """Rows are checked one by one first (layout, dates, scores, results): every bad row is
    reported and the file stops there."""
    p, q = h.person(), h.person()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    rows = [
        _hist_row(evaluator, p.plain_id, p.name),  # 2: good
        _hist_row(evaluator, q.plain_id, q.name, number="S0000520000012150000X1"),  # 3
        _hist_row(evaluator, f.id_number_for(n=892), "乙", sitting_ref="KS-F",
                  occupation="不存在的职业"),  # 4
        _hist_row(evaluator, f.id_number_for(n=893), "丙", sitting_ref="KS-G",
                  sitting_date=tomorrow, number="", issued_on=""),  # 5
        _hist_row(evaluator, f.id_number_for(n=894), "丁", theory_score="101",
                  number=h.number(5, year="21")),  # 6
        _hist_row(evaluator, f.id_number_for(n=895), "戊", result="不合格",
                  number=h.number(6, year="21")),  # 7: failed yet a certificate
        _hist_row(evaluator, "520102199013011234", "庚", number=h.number(7, year="21")),  # 8
        _hist_row(evaluator, f.id_number_for(n=896), "辛", level="九级工",
                  number=h.number(8, year="21")),  # 9
    ]
    report = _history(clerk, rows)
    assert not report.written
    assert {(e.row, e.field) for e in report.errors} == {
        (3, "number"), (4, "occupation"), (5, "sitting_date"), (6, "theory_score"),
        (7, "number"), (8, "id_number"), (9, "level")}
    assert not AssessmentSitting.objects.exists()
    assert not Certificate.objects.exists()


def test_history_rows_refused_by_the_rules_each_reported(clerk, evaluator):
    """Rows well formed but refused by what is recorded: a duplicate certificate number, an
    assessment whose rows disagree, a name that is not the registered one, a certificate
    dated before its assessment. Nothing is written."""
    p = h.person()
    rows = [
        _hist_row(evaluator, p.plain_id, p.name),  # 2: good
        _hist_row(evaluator, f.id_number_for(n=891), "甲", number=h.number(1, year="21")),  # 3
        _hist_row(evaluator, f.id_number_for(n=897), "己", place="别处",
                  number=h.number(7, year="21")),  # 4: differs from row 2's assessment
        _hist_row(evaluator, p.plain_id, "别名", sitting_ref="KS-H",
                  number=h.number(8, year="21")),  # 5: name mismatch
        _hist_row(evaluator, f.id_number_for(n=898), "壬", sitting_ref="KS-I",
                  issued_on="2021-06-01", number=h.number(9, year="21")),  # 6
    ]
    report = _history(clerk, rows)
    assert not report.written
    assert {(e.row, e.field) for e in report.errors} == {
        (3, "id_number"), (4, "place"), (5, "holder_name"), (6, "issued_on")}
    assert not AssessmentSitting.objects.exists()
    assert not Certificate.objects.exists()
    assert not Person.objects.filter(name__in=["甲", "己", "壬"]).exists()
    assert not AuditEvent.objects.filter(entity_type__startswith="assessment.").exists()


def test_history_unknown_evaluator_reported(clerk, evaluator):
    p = h.person()
    report = _history(clerk, [_hist_row(evaluator, p.plain_id, p.name,
                                        evaluator_credit_code="91520102MA00000000")])
    assert [(e.row, e.field) for e in report.errors] == [(2, "evaluator_credit_code")]


def test_history_is_for_province_and_city_offices(evaluator):
    p = h.person()
    with pytest.raises(Forbidden):
        _history(f.staff("county_staff", f.COUNTY), [_hist_row(evaluator, p.plain_id, p.name)])

"""History import (issue 12): a previous system's claims and payments, idempotent by its claim
number, row-level errors, nothing half-written; the imported subsidies count in the limits."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from jineng.accounts.models import Role
from jineng.core import pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditEvent
from jineng.subsidy import evaluation
from jineng.subsidy.models import HistoricSubsidy
from jineng.subsidy.services import history
from tests import factories as f
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db

HEAD = ("claim_number,id_number,name,kind,region,claim_date,amount,status,occupation_code,"
        "level,paid_amount,paid_on\n")


def _file(lines: list[str], name: str = "history.csv"):
    data = io.BytesIO((HEAD + "".join(line + "\n" for line in lines)).encode())
    data.name = name
    return data


def _row(number: str, id_number: str, *, kind: str = "training", day: str = "2026-03-01",
         amount: str = "1000.00", level: str = "grade5", status: str = "paid",
         paid_on: str = "2026-04-01", region: str = f.COUNTY) -> str:
    return (f"{number},{id_number},张三,{kind},{region},{day},{amount},{status},,{level},"
            f"{amount},{paid_on}")


@pytest.fixture
def city():
    return f.staff(Role.CITY_STAFF, f.CITY)


def test_a_file_is_imported_once_and_again_changes_nothing(city):
    person = f.id_number_for()
    lines = [_row("OLD-1", person), _row("OLD-2", person, kind="证书直补", day="2026-02-01")]
    report = history.subsidy_history_import(actor=city, file=_file(lines))
    assert report.ok and report.written and report.created == 2
    rows = list(HistoricSubsidy.objects.order_by("claim_number"))
    assert [r.kind for r in rows] == ["training", "certificate"]
    assert rows[0].id_hash == pii.keyed_hash(person) and person not in rows[0].id_masked
    assert AuditEvent.objects.filter(entity_type=history.ENTITY).count() == 1
    again = history.subsidy_history_import(actor=city, file=_file(lines))
    assert again.ok and again.created == 0 and again.unchanged == 2
    assert HistoricSubsidy.objects.count() == 2
    # The plain ID number is nowhere in the audit trail.
    assert not any(person in str(e.after) + e.entity_label for e in AuditEvent.objects.all())


def test_same_number_other_content_is_a_conflict_and_nothing_is_written(city):
    person = f.id_number_for()
    history.subsidy_history_import(actor=city, file=_file([_row("OLD-1", person)]))
    report = history.subsidy_history_import(actor=city, file=_file([
        _row("OLD-2", person), _row("OLD-1", person, amount="1500.00")]))
    assert not report.written
    assert [(e.row, e.field) for e in report.errors] == [(3, "amount")]
    assert "imported before" in report.errors[0].message
    assert HistoricSubsidy.objects.count() == 1  # OLD-2 not written either


def test_row_errors_name_the_row_and_the_field(city):
    person = f.id_number_for()
    report = history.subsidy_history_import(actor=city, file=_file([
        _row("A", "520102199001011230"),                    # bad check digit
        _row("B", person, kind="lottery"),
        _row("C", person, amount="12.345"),
        _row("D", person, region=f.OTHER_CITY_COUNTY),      # another city
        _row("E", person, status="paid", paid_on=""),
        _row("F", person, day="2026-05-01", paid_on="2026-04-01"),
        _row("G", person, level="grand master"),
        _row("H", person), _row("H", person, amount="1.00"),  # twice, two contents
    ]))
    assert not report.written
    assert [(e.row, e.field) for e in report.errors] == [
        (2, "id_number"), (3, "kind"), (4, "amount"), (4, "paid_amount"), (5, "region"),
        (6, "paid_on"), (7, "paid_on"), (8, "level"), (10, "claim_number")]
    assert HistoricSubsidy.objects.count() == 0


def test_skipping_bad_rows_writes_the_good_ones(city):
    person = f.id_number_for()
    report = history.subsidy_history_import(
        actor=city, file=_file([_row("A", person), _row("B", person, kind="x")]),
        skip_bad_rows=True)
    assert report.written and report.created == 1 and report.skipped == 1


def test_who_imports(city):
    person = f.id_number_for()
    with pytest.raises(Forbidden):
        history.subsidy_history_import(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY),
                                       file=_file([_row("A", person)]))
    with pytest.raises(Forbidden):
        history.subsidy_history_import(actor=f.operator(f.OrganizationFactory()),
                                       file=_file([_row("A", person)]))
    assert history.subsidy_history_import(actor=f.staff(),
                                          file=_file([_row("A", person)])).created == 1


def test_api_batches_count_rows_from_one(city):
    person = f.id_number_for()
    good = {"claim_number": "B-1", "id_number": person, "name": "李四", "kind": "upskilling",
            "region": f.COUNTY, "claim_date": "2026-01-10", "amount": "1500",
            "paid_on": "2026-02-01"}
    report = history.subsidy_history_import_rows(actor=city, rows=[good, {**good,
                                                                          "claim_number": ""}])
    assert [(e.row, e.field) for e in report.errors] == [(2, "claim_number")]
    report = history.subsidy_history_import_rows(actor=city, rows=[good])
    assert report.created == 1
    assert HistoricSubsidy.objects.get().status == "paid"
    with pytest.raises(DomainError):
        history.subsidy_history_import_rows(actor=city, rows=[{**good, "colour": "red"}])


def test_imported_subsidies_count_in_the_limits(monkeypatch, city):
    """Three subsidies paid by the previous system this year: a training claim in jineng is
    refused by the yearly limit; a refused one of the previous system uses up nothing."""
    sh.use_params(monkeypatch)
    a = sh.assessed_class(2)
    first, second = (e.person for e in a.enrollments)
    number = pii.decrypt(first.id_encrypted)
    lines = [_row(f"P-{i}", number, kind="certificate", day=f"2026-0{i}-01",
                  paid_on=f"2026-0{i}-20", level="") for i in (1, 2, 3)]
    other = pii.decrypt(second.id_encrypted)
    lines.append(_row("P-9", other, kind="certificate", status="refused", paid_on=""))
    assert history.subsidy_history_import(actor=city, file=_file(lines)).created == 4
    found = evaluation.history_for([first.pk, second.pk])
    assert len(found[first.pk]) == 3 and found[first.pk][0].person_key == str(first.pk)
    result = sh.drafts(a)
    by_person = {c.person_id: c for c in result.created + result.refused}
    assert by_person[first.pk].refusal_code == "yearly_limit"
    assert by_person[second.pk].status == "draft"


def test_template_has_every_column():
    head = history.history_template().decode("utf-8-sig").splitlines()[0].split(",")
    assert head == [c.label for c in history.HISTORY_COLUMNS]
    assert dt.date.today()  # the example row parses as a row of the template


def test_a_merged_duplicates_imported_history_counts_for_the_survivor(city):
    # A person registered twice and merged: what the previous system paid under the
    # duplicate's number counts for the surviving record (both databases' read paths).
    survivor = f.PersonFactory()
    duplicate = f.PersonFactory()
    duplicate.merged_into = survivor
    duplicate.save(update_fields=["merged_into"])
    number = pii.decrypt(duplicate.id_encrypted)
    assert history.subsidy_history_import(
        actor=city, file=_file([_row("M-1", number), _row("M-2", number, day="2026-02-01")])
    ).created == 2
    found = evaluation.history_for([survivor.pk])
    assert sorted(p.ref for p in found[survivor.pk]) == ["history:M-1", "history:M-2"]
    assert {p.person_key for p in found[survivor.pk]} == {str(survivor.pk)}

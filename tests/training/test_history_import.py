"""The migration import of past classes (docs/training.md): by the API (one JSON document per
class), by file (CSV/xlsx, one row per trainee and session) and by the CLI. Checked by the
declaration's rules on the class's own dates; the class lands finished with a "migrate" history
row naming who imported it; completion comes from the imported events; the plans' facts are
dated the day the class really ended; the same class twice counts once; another class under
the same reference is a 409; only the institution or province/city HRSS staff may import."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection

from jineng.accounts.models import ApiToken
from jineng.core.errors import DomainError
from jineng.core.models import AuditEvent
from jineng.core.tabular import write_csv
from jineng.plans.models import ActualFact
from jineng.registry.models import KeyGroupMembership, Person
from jineng.training import importers
from jineng.training.models import (
    AttendanceEvent,
    ClassStatusChange,
    Enrollment,
    TrainingClass,
)
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.training import helpers as h

pytestmark = pytest.mark.django_db

D = dt.date
PAST = D(2025, 6, 2)  # a Monday, after the catalogs' start (2025-01-01), long before today
PAST_END = D(2025, 6, 6)


def _as(user) -> OpenApiClient:
    _row, token = ApiToken.issue(user, "migration")
    return OpenApiClient().bearer(token)


@pytest.fixture
def w():
    return h.world()


def _number(n: int) -> str:
    return f.id_number_for(birth=h.BIRTH, n=n)


def document(w, ref: str = "OLD-2025-001", *, start: dt.date = PAST, absent_n: int = 702,
             teacher: bool = True, **overrides) -> dict:
    """A past class: 5 sessions of 6 h; trainee 701 attends all, trainee `absent_n` only the
    first, trainee 703 left after enrolling."""
    sessions = h.sessions(start=start)
    events = []
    for s in sessions:
        events += [{"id_number": _number(701), "kind": "check_in",
                    "occurred_at": s.starts_at.isoformat()},
                   {"id_number": _number(701), "kind": "check_out",
                    "occurred_at": s.ends_at.isoformat()}]
    first = sessions[0]
    events += [{"id_number": _number(absent_n), "kind": "check_in",
                "occurred_at": first.starts_at.isoformat()},
               {"id_number": _number(absent_n), "kind": "check_out",
                "occurred_at": first.ends_at.isoformat()}]
    body = {
        "client_ref": ref, "name": "养老护理员（初级）2025年第3期", "site_id": w.site.pk,
        "occupation_id": h.occupation().pk, "level": "grade5", "training_type": "employment",
        "sector": "elderly_child_care", "planned_size": 30,
        "funding_source": "employment_subsidy",
        "sessions": [{"starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat(),
                      "hours": 6} for s in sessions],
        "teacher_ids": [w.teacher.pk] if teacher else [],
        "trainees": [
            {"id_number": _number(701), "name": "甲学员",
             "key_groups": [{"group": "unemployed", "start_date": "2025-03-01",
                             "end_date": "2025-12-31"}]},
            {"id_number": _number(absent_n), "name": "乙学员"},
            {"id_number": _number(703), "name": "丙学员", "withdrawn_reason": "外出务工"},
        ],
        "events": events, "source": "旧系统2025",
    }
    body.update(overrides)
    return body


def test_past_class_lands_finished_with_real_dates(w):
    api = _as(w.operator)
    answer = api.call("training_history_import", json_body=document(w))
    assert answer.status == 201, answer.body
    assert answer.body["status"] == "finished"
    assert (answer.body["enrolled"], answer.body["completed"]) == (2, 1)
    cls = TrainingClass.objects.get(pk=answer.body["id"])
    assert (cls.start_date, cls.end_date) == (PAST, PAST_END)
    history = list(ClassStatusChange.objects.filter(training_class=cls))
    assert [(c.action, c.from_status, c.to_status, c.actor_username, c.effective_date)
            for c in history] == [("migrate", "", "finished", w.operator.username, PAST_END)]
    assert "旧系统2025" in history[0].reason  # Chinese once the catalog is compiled
    rows = {e.person.name: e for e in Enrollment.objects.filter(training_class=cls)
            .select_related("person")}
    assert rows["甲学员"].completed is True and rows["甲学员"].attended_hours == 30
    assert rows["乙学员"].completed is False and rows["乙学员"].attended_hours == 6
    assert rows["丙学员"].status == "withdrawn"
    assert AttendanceEvent.objects.filter(training_class=cls).count() == 12
    # The plans' facts are dated the day the class ended, not the day it was imported.
    facts = ActualFact.objects.filter(source_ref__startswith="training.")
    # (subsidized person-times count when the subsidy is paid: the subsidy app)
    assert {(x.metric, x.day) for x in facts} == {("person_times_trained", PAST_END)}
    assert {x.key_group for x in facts} == {"unemployed"}
    # Key-group memberships keep their real dates.
    person = Person.objects.get(name="甲学员")
    assert list(KeyGroupMembership.objects.filter(person=person).values_list(
        "group", "start_date", "end_date")) == [("unemployed", D(2025, 3, 1), D(2025, 12, 31))]
    event = AuditEvent.objects.get(action="import", entity_type="training.trainingclass")
    assert event.after["migrated"] is True and event.actor_username == w.operator.username


def test_same_class_twice_counts_once_and_another_under_its_reference_is_409(w):
    api = _as(w.operator)
    assert api.call("training_history_import", json_body=document(w)).status == 201
    again = api.call("training_history_import", json_body=document(w))
    assert again.status == 200
    assert TrainingClass.objects.count() == 1
    assert ActualFact.objects.count() == 1  # one person-time trained
    changed = document(w, absent_n=704)
    conflict = api.call("training_history_import", json_body=changed)
    assert conflict.status == 409, conflict.body
    assert conflict.error_fields() == ["client_ref"]
    assert TrainingClass.objects.count() == 1 and Person.objects.filter(
        id_hash__isnull=False).count() == 3


def test_checked_by_the_rules_on_the_class_dates(w):
    api = _as(w.operator)
    # The catalogs came into force on 2025-01-01: a 2024 class has no standard.
    early = api.call("training_history_import",
                     json_body=document(w, "OLD-2024", start=D(2024, 6, 3)))
    assert early.status == 400 and early.error_codes() == ["no_standard"], early.body
    assert api.call("training_history_import", json_body=document(w, "A")).status == 201
    # The same teacher at the same hours in another past class: double-booked.
    busy = api.call("training_history_import",
                    json_body=document(w, "B", absent_n=705, trainees=[
                        {"id_number": _number(705), "name": "丁学员"}],
                        events=[]))
    assert busy.status == 400 and busy.error_codes() == ["teacher_busy"], busy.body
    # The same trainee in two classes at the same hours (no teacher, another site).
    w.site.capacity = 60
    other_site = f.SiteFactory(organization=w.org, capacity=60)
    clash = api.call("training_history_import", json_body=document(
        w, "C", teacher=False, site_id=other_site.pk, events=[],
        trainees=[{"id_number": _number(701), "name": "甲学员"}]))
    assert clash.status == 400 and clash.error_codes() == ["ineligible"], clash.body
    assert clash.error_fields() == ["trainees[0].id_number"]
    # A class that has not ended is declared, not migrated.
    soon = dt.date.today() + dt.timedelta(days=14)
    future = api.call("training_history_import",
                      json_body=document(w, "D", start=soon, teacher=False, events=[]))
    assert future.status == 400 and future.error_codes() == ["not_past"]
    # Site capacity: more planned than the site holds.
    big = api.call("training_history_import",
                   json_body=document(w, "E", teacher=False, planned_size=61, events=[]))
    assert big.status == 400 and big.error_codes() == ["site_capacity"]
    assert TrainingClass.objects.count() == 1
    assert Person.objects.count() == 3  # nothing of a refused class was kept


def test_who_may_import(w):
    body = document(w, institution_credit_code=w.org.credit_code)
    other = _as(w.other_operator).call("training_history_import", json_body=body)
    assert other.status == 400  # another institution's site is not theirs to name
    county = _as(w.county_staff).call("training_history_import", json_body=body)
    assert county.status == 403
    outsider = _as(f.staff("city_staff", f.OTHER_CITY)).call("training_history_import",
                                                             json_body=body)
    assert outsider.status == 400 and outsider.error_fields() == ["institution_credit_code"]
    assert TrainingClass.objects.count() == 0
    city = _as(f.staff("city_staff", f.CITY)).call("training_history_import", json_body=body)
    assert city.status == 201, city.body
    history = ClassStatusChange.objects.get()
    assert history.action == "migrate" and history.actor_username.startswith("user")


def _rows(w, ref: str = "F-1", *, name: str = "乙学员") -> list[list[str]]:
    common = [ref, "养老护理员2025年第5期", "", w.site.name, h.OCCUPATION, "初级工",
              "就业技能培训", "elderly_child_care", "employment_subsidy", "30", "", "", "",
              "", ""]
    rows = []
    for s in h.sessions(start=PAST):
        day = s.starts_at.date().isoformat()
        rows.append([*common, day, "09:00", "16:00", "6", _number(711), "甲学员", "高校毕业生",
                     "2024-07-01", "", "", "09:00", "16:00"])
        rows.append([*common, day, "09:00", "16:00", "6", _number(712), name, "", "", "",
                     "", "", ""])
    return rows


def _file(rows) -> bytes:
    return write_csv([c.name for c in importers.COLUMNS], rows)


def test_file_import_reports_rows_and_writes_nothing_on_error(w):
    api = _as(w.operator)
    bad = _rows(w)
    bad[3][19] = "52010219900517123X"  # a wrong check digit on row 5
    answer = api.call("training_history_import_file",
                      files={"file": _named(_file(bad), "past.csv")})
    assert answer.status == 200 and answer.body["written"] is False
    assert [(e["row"], e["field"]) for e in answer.body["errors"]] == [(5, "id_number")]
    assert TrainingClass.objects.count() == 0 and Person.objects.count() == 0
    # A class refused by the rules is reported on its first row, nothing written.
    ineligible = _rows(w, "F-2") + _rows(w, "F-3")
    answer = api.call("training_history_import_file",
                      files={"file": _named(_file(ineligible), "past.csv")})
    assert answer.body["written"] is False
    assert answer.body["errors"][0]["row"] == 12 and TrainingClass.objects.count() == 0
    good = _rows(w)
    ok = api.call("training_history_import_file",
                  files={"file": _named(_file(good), "past.csv")})
    assert ok.body["written"] is True and ok.body["created"] == 1, ok.body
    cls = TrainingClass.objects.get()
    assert cls.status == "finished" and cls.end_date == PAST_END
    assert Enrollment.objects.filter(completed=True).count() == 1
    again = api.call("training_history_import_file",
                     files={"file": _named(_file(good), "past.csv")})
    assert (again.body["created"], again.body["unchanged"]) == (0, 1)
    renamed = api.call("training_history_import_file",
                       files={"file": _named(_file(_rows(w, name="戊学员")), "past.csv")})
    assert renamed.body["written"] is False
    assert renamed.body["errors"][0]["field"] == "class_ref"


def test_unknown_columns_are_refused(w):
    rows = _rows(w)
    data = write_csv([*(c.name for c in importers.COLUMNS), "备注"], [[*r, "x"] for r in rows])
    with pytest.raises(DomainError) as refused:
        importers.run(actor=w.operator, data=data, filename="past.csv")
    assert refused.value.code == "unknown_columns" and "备注" in refused.value.message
    assert TrainingClass.objects.count() == 0


def test_cli_imports_with_progress(w, tmp_path):
    path = tmp_path / "past.csv"
    path.write_bytes(_file(_rows(w)))
    out, err = io.StringIO(), io.StringIO()
    call_command("import-training-history", str(path), "--as", w.operator.username,
                 stdout=out, stderr=err)
    assert "1" in out.getvalue() and TrainingClass.objects.filter(status="finished").count() == 1
    assert "100%" in err.getvalue()


def _named(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_a_backfill_dates_migrated_classes_by_their_real_end(w):
    from jineng.training import plan_facts

    assert _as(w.operator).call("training_history_import", json_body=document(w)).status == 201
    ActualFact.objects.all().delete()
    assert plan_facts.record_finished_classes(actor=w.county_staff) == 1
    assert set(ActualFact.objects.values_list("day", flat=True)) == {PAST_END}


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks (select_for_update) need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_trainee_in_two_past_classes_at_once_gets_in_once():
    """Two institutions import past classes with the same hours and the same (registered)
    trainee at the same moment: the person is locked before the overlap check, so exactly one
    import is recorded and the other is refused as a schedule overlap."""
    import threading

    from django.db import connections

    from jineng.registry import services as registry_services
    from jineng.training import services
    from jineng.training.models import Enrollment as EnrollmentRow

    w = h.world()
    number = _number(901)
    registry_services.person_register(actor=w.county_staff, data=registry_services.PersonInput(
        id_number=number, name="并发学员", region=f.region(f.COUNTY)))
    sessions = h.sessions(start=PAST)
    # The other institution's site in another county: nothing but the person is shared.
    elsewhere = f.SiteFactory(organization=w.other_org, capacity=60,
                              region=f.region(f.OTHER_COUNTY))

    def past(org, site, ref):
        return services.PastClass(
            institution=org, klass=h.class_input(w, site=site, teachers=(), sessions=sessions,
                                                 client_ref=ref),
            trainees=(services.PastTrainee(id_number=number, name="并发学员"),))

    calls = [lambda: services.class_history_import(actor=w.operator,
                                                   data=past(w.org, w.site, "P-1")),
             lambda: services.class_history_import(actor=w.other_operator,
                                                   data=past(w.other_org, elsewhere, "P-2"))]
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_past() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute("CREATE TRIGGER jineng_test_slow_past BEFORE INSERT ON "
                       f"{EnrollmentRow._meta.db_table} FOR EACH ROW "
                       "EXECUTE FUNCTION jineng_test_slow_past()")
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(i):
        try:
            barrier.wait(timeout=60)
            results[i] = calls[i]()
        except Exception as error:
            results[i] = error
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER jineng_test_slow_past ON "
                           f"{EnrollmentRow._meta.db_table}")
            cursor.execute("DROP FUNCTION jineng_test_slow_past()")
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], DomainError) and refused[0].code == "ineligible"
    assert EnrollmentRow.objects.filter(person__name="并发学员").count() == 1
    assert TrainingClass.objects.count() == 1


def test_xlsx_file_with_chinese_titles_and_labels(w):
    from jineng.core.tabular import write_xlsx

    data = write_xlsx("历史班级", [c.label for c in importers.COLUMNS], _rows(w, "X-1"))
    report = importers.run(actor=w.operator, data=data, filename="past.xlsx")
    assert report.written and report.created == 1, report.as_dict()
    person = Person.objects.get(name="甲学员")
    assert list(KeyGroupMembership.objects.filter(person=person).values_list(
        "group", "start_date")) == [("graduate", D(2024, 7, 1))]

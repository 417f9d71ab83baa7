"""The outcomes run end to end on the real database: snapshot from training, assessment and the
records (persons filled in by ID hash), measures and indicators on DuckDB, stored; one active run;
the background job; failure recorded; the CLI; pages and API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from jineng.accounts.models import Role
from jineng.core.errors import Forbidden
from jineng.core.models import AuditEvent
from jineng.outcomes.choices import ImportKind, ImportSource, RunStatus
from jineng.outcomes.models import (
    IndicatorSettings,
    IndicatorValue,
    InsuranceImport,
    InsuranceRecord,
    OutcomeMeasure,
    OutcomeRun,
)
from jineng.outcomes.services import runs
from jineng.registry.models import Person
from jineng.training.models import Enrollment
from tests import factories as f
from tests.assessment.records_support import certificate
from tests.jobs.worker import run_worker
from tests.outcomes import factories as of

D = dt.date
THROUGH = D(2026, 6, 1)


def rec(source, person: Person, employer: str, months, *, linked: bool = True,
        wage: int = 4000) -> None:
    InsuranceRecord.objects.bulk_create([
        InsuranceRecord(id_hash=person.id_hash, person=person if linked else None,
                        employer_code=employer, employer_region=f.region(f.COUNTY),
                        month=D(y, m, 1), pension=True, wage_base=Decimal(wage),
                        source_import=source)
        for y, m in months])


@pytest.fixture
def history(db):
    """One finished class (Mar–Apr 2025) with four trainees."""
    source = InsuranceImport.objects.create(kind=ImportKind.RECORDS, source=ImportSource.FILE,
                                            filename="t.csv", content_sha256="r" * 64,
                                            region=f.region(f.PROVINCE))
    institution = f.OrganizationFactory()
    cls = of.training_class(institution)
    people = [f.PersonFactory() for _ in range(4)]
    enrollments = [Enrollment.objects.create(training_class=cls, person=p, status="enrolled",
                                             completed=True) for p in people]
    enrollments[2].status = "withdrawn"
    enrollments[2].completed = None
    enrollments[2].save()
    # 0: employed in July (month 3 after an April exit); certified for the class
    rec(source, people[0], "91520100MA0000001X", [(2025, 2), (2025, 7), (2025, 8)], wage=5000)
    certificate(people[0], training_class=cls, issued_on=D(2025, 5, 20))
    # 1: employed in September, record not yet linked to the person (filled by ID hash)
    rec(source, people[1], "91520100MA0000002X", [(2025, 9)], linked=False)
    # 2: withdrawn — no measure; 3: never worked
    rec(source, people[2], "91520100MA0000003X", [(2025, 6)])
    return {"cls": cls, "people": people, "enrollments": enrollments,
            "institution": institution}


def compute(**kw) -> OutcomeRun:
    run = OutcomeRun.objects.create(data_through=THROUGH, parameters={"province": f.PROVINCE})
    return runs.outcomes_compute(run, **kw)


@pytest.mark.django_db
def test_a_run_stores_measures_and_indicators(history) -> None:
    steps: list[str] = []
    run = compute(progress=steps.append)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert steps == list(runs.STEPS)
    assert run.trainees == 3 and run.records == 5  # the withdrawn trainee's record counts too
    assert run.snapshot_seconds > 0 and run.compute_seconds > 0 and run.store_seconds >= 0
    people = history["people"]
    m = {x.person_id: x for x in OutcomeMeasure.objects.filter(run=run)}
    assert set(m) == {people[0].pk, people[1].pk, people[3].pk}
    assert m[people[0].pk].employed_3m is True and m[people[0].pk].certified is True
    assert m[people[0].pk].level_up is True  # a first certificate counts
    assert m[people[0].pk].wage_before == Decimal("5000.00")
    assert m[people[1].pk].employed_3m is False and m[people[1].pk].employed_6m is True
    assert m[people[3].pk].employed_12m is False and m[people[3].pk].certified is False
    assert m[people[0].pk].exit_date == history["cls"].end_date
    # the record without a person got its person by ID hash
    assert not InsuranceRecord.objects.filter(person__isnull=True).exists()
    emp = IndicatorValue.objects.get(run=run, indicator="employment", dimension="institution",
                                     key=str(history["institution"].pk), period="all")
    assert (emp.numerator, emp.denominator, emp.trainees) == (2.0, 3.0, 3)
    assert emp.label == history["institution"].name
    whole = IndicatorValue.objects.get(run=run, indicator="pass_rate", dimension="all",
                                       period="all")
    assert (whole.numerator, whole.denominator) == (1.0, 3.0)
    assert AuditEvent.objects.filter(entity_type="outcomes.outcomerun",
                                     entity_id=str(run.pk), action="transition").exists()


@pytest.mark.django_db
def test_a_second_run_replaces_the_measures(history) -> None:
    first = compute()
    second = compute()
    assert second.status == RunStatus.SUCCEEDED
    assert OutcomeMeasure.objects.count() == 3
    assert set(OutcomeMeasure.objects.values_list("run", flat=True)) == {second.pk}
    assert IndicatorValue.objects.filter(run=first).exists()  # past runs' cells are kept


@pytest.mark.django_db
def test_a_failure_is_recorded_in_the_run(history) -> None:
    # weights recorded around the service (summing to 2.5): the run refuses them
    IndicatorSettings.objects.create(region=f.region(f.PROVINCE), valid_from=D(2024, 1, 1),
                                     weight_demand_match=Decimal("0.5"),
                                     weight_pass_rate=Decimal("0.5"),
                                     weight_level_up=Decimal("0.5"),
                                     weight_employment=Decimal("0.5"),
                                     weight_wage_growth=Decimal("0.5"))
    run = compute()
    assert run.status == RunStatus.FAILED and "WeightsError" in run.error
    assert run.finished_at is not None
    assert not OutcomeMeasure.objects.exists()


@pytest.mark.django_db
def test_start_is_for_province_staff_and_one_run_is_active(history) -> None:
    with pytest.raises(Forbidden):
        runs.outcomes_run_start(actor=f.staff(Role.CITY_STAFF, f.CITY))
    staff = f.staff()
    first = runs.outcomes_run_start(actor=staff)
    again = runs.outcomes_run_start(actor=f.staff())
    assert again.pk == first.pk and first.status == RunStatus.QUEUED and first.job_id
    assert OutcomeRun.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_background_job_runs_the_steps(history) -> None:
    staff = f.staff()
    run = runs.outcomes_run_start(actor=staff, data_through=THROUGH)
    run_worker()
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert OutcomeMeasure.objects.filter(run=run).count() == 3
    from jineng.jobs.models import Job
    job = Job.objects.get(pk=run.job_id)
    assert job.status == "succeeded" and job.done == job.total == len(runs.STEPS)


@pytest.mark.django_db
def test_the_cli_computes_and_prints_the_times(history, capsys) -> None:
    call_command("outcomes-compute", "--through", "2026-06", "--province", f.PROVINCE)
    out = capsys.readouterr().out
    assert "3 trainees" in out and "snapshot" in out and "store" in out
    assert OutcomeRun.objects.get().status == RunStatus.SUCCEEDED


@pytest.mark.django_db
def test_api_lists_gets_and_starts_runs(client, history) -> None:
    from tests.openapi import OpenApiClient

    done = compute()
    anonymous = OpenApiClient(client).call("outcomes_run_list")
    assert anonymous.status in (401, 403)
    city = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.CITY))
    listed = city.call("outcomes_run_list")
    assert listed.status == 200 and [r["id"] for r in listed.body] == [done.pk]
    one = city.call("outcomes_run_get", path={"run_id": done.pk}).body
    assert one["status"] == "succeeded" and one["trainees"] == 3
    assert one["snapshot_seconds"] > 0 and one["data_through"] == "2026-06-01"
    assert city.call("outcomes_run_get", path={"run_id": done.pk + 99}).status == 404
    assert city.call("outcomes_run_start", json_body={}).status == 403
    staff = OpenApiClient(client).login(f.staff())
    started = staff.call("outcomes_run_start", json_body={"data_through": "2026-05-01"})
    assert started.status == 200 and started.body["status"] == "queued"
    again = staff.call("outcomes_run_start", json_body={})
    assert again.body["id"] == started.body["id"]
    institution = OpenApiClient(client).login(f.operator(history["institution"]))
    assert institution.call("outcomes_run_list").status in (200, 403)
    assert institution.call("outcomes_run_get", path={"run_id": done.pk}).status == 404


@pytest.mark.django_db
def test_pages_show_runs_and_the_compute_button(client, history) -> None:
    done = compute()
    staff = f.staff()
    client.force_login(staff)
    page = client.get("/outcomes/runs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="run-start"' in html and f'href="/outcomes/runs/{done.pk}/"' in html
    detail = client.get(f"/outcomes/runs/{done.pk}/").content.decode()
    assert 'data-status="succeeded"' in detail
    response = client.post("/outcomes/runs/")
    queued = OutcomeRun.objects.get(status=RunStatus.QUEUED)
    assert response.status_code == 302 and response.url == f"/outcomes/runs/{queued.pk}/"
    assert f"/jobs/{queued.job_id}/" in client.get(response.url).content.decode()
    client.force_login(f.staff(Role.CITY_STAFF, f.CITY))
    assert 'id="run-start"' not in client.get("/outcomes/runs/").content.decode()
    assert client.post("/outcomes/runs/").status_code == 403


@pytest.mark.django_db
def test_plans_facts_count_each_employed_trainee_once_and_correct_one_no_longer_employed(
        history) -> None:
    from django.db.models import Sum

    from jineng.plans.models import ActualFact

    facts = ActualFact.objects.filter(source=runs.PLANS_SOURCE,
                                      metric="employed_after_training")
    observed = ActualFact.objects.filter(source=runs.PLANS_SOURCE,
                                         metric="employment_observed")
    first = compute()
    known = OutcomeMeasure.objects.filter(run=first, employed_6m__isnull=False).count()
    assert first.parameters.get("plans_facts") == 2 + known, first.parameters
    assert observed.count() == known and known >= 2
    people, cls = history["people"], history["cls"]
    assert facts.aggregate(n=Sum("value"))["n"] == 2
    fact = facts.get(source_ref=f"outcomes.employed:{history['enrollments'][0].pk}")
    assert fact.day == D(2025, 10, 30)  # the class ended 2025-04-30: six months later
    assert fact.organization_id == history["institution"].pk
    assert fact.training_type == "employment_skills"  # the plans vocabulary's name
    assert fact.region_code == cls.region.code
    compute()  # the same counts: nothing added
    assert facts.count() == 2 and facts.aggregate(n=Sum("value"))["n"] == 2
    # a correction removes trainee 1's September record: no longer employed → a -1 fact
    InsuranceRecord.objects.filter(person=people[1]).delete()
    third = compute()
    assert facts.aggregate(n=Sum("value"))["n"] == 1
    undo = facts.get(value=-1)
    assert undo.source_ref == (f"outcomes.employed:{history['enrollments'][1].pk}"
                               f":undo:{third.pk}")
    compute()
    assert facts.aggregate(n=Sum("value"))["n"] == 1

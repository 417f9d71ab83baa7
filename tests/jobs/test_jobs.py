"""Background jobs on the real database queue and worker: progress, result file, downloads
only for the owner (others get 404), audited; failures record their error."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from jineng.accounts.models import Role
from jineng.core.errors import Forbidden
from jineng.core.models import AuditAction, AuditEvent
from jineng.core.validators import make_resident_id
from jineng.jobs import services
from jineng.jobs.choices import JobStatus
from jineng.jobs.models import Job
from tests import factories as f
from tests.jobs import tasks_for_tests
from tests.jobs.worker import run_worker
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def persons(db):
    numbers = [make_resident_id(f.COUNTY, dt.date(1985, 4, 1 + i), 300 + i) for i in range(7)]
    for i, n in enumerate(numbers):
        f.PersonFactory(plain_id=n, name=f"导出{i}")
    return numbers


@pytest.fixture
def small_limit(settings):
    settings.REGISTRY_EXPORT_INLINE_ROWS = 5
    return 5


def progress_log():
    seen: list[tuple[int, int | None]] = []

    def listen(sender, job_id, done, total, **kwargs):
        seen.append((done, total))
    services.job_progressed.connect(listen, weak=False, dispatch_uid="test-progress")
    return seen


@pytest.fixture
def progress():
    seen = progress_log()
    yield seen
    services.job_progressed.disconnect(dispatch_uid="test-progress")


# The worker exactly as in production, recycling its connection between jobs: committed data,
# not a test transaction (serialized rollback restores the regions loaded by migrations).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_large_persons_export_runs_as_a_job_on_the_worker(client, persons, small_limit,
                                                          progress):
    owner = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    client.force_login(owner)
    response = client.get(reverse("registry:export", args=["persons", "csv"]))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "jobs:job_detail", args=[job.pk])
    assert (job.status, job.total, job.requested_by, job.region_code) == (
        JobStatus.QUEUED, 7, owner, f.COUNTY)
    queued = DBTaskResult.objects.get(id=job.task_id)
    assert queued.status == "READY" and queued.args_kwargs["args"] == [job.pk]
    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert "Queued" in page and 'hx-trigger="every 1s"' in page

    printed = run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.done, job.total, job.row_count, job.percent) == (7, 7, 7, 100)
    assert job.started_at <= job.finished_at
    assert progress[0] == (0, 7) and progress[-1] == (7, 7)
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    assert f"#{job.pk}" in printed and "7 rows" in printed
    # The file: masked ID numbers only, streamed as CSV with the Chinese headers.
    download = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    data = b"".join(download.streaming_content)
    assert len(data) == job.result_size
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("身份证号码（脱敏）,姓名")
    assert len(text.splitlines()) == 8
    for number in persons:
        assert number not in text and number[:6] + "********" + number[-4:] in text
    # What ran is on record: the start, the export itself, the outcome, the download.
    events = AuditEvent.objects.exclude(entity_type="accounts.user").order_by("id")
    assert [(e.action, e.entity_type) for e in events] == [
        (AuditAction.CREATE, "jobs.job"), (AuditAction.EXPORT, "registry.person"),
        (AuditAction.TRANSITION, "jobs.job"), (AuditAction.EXPORT, "jobs.job")]
    assert events[1].after == {"count": 7, "format": "csv", "job": job.pk}
    assert events[2].after["status"] == "succeeded" and events[2].actor == owner
    assert all(e.region_code == f.COUNTY for e in events)
    # The user finds the job again from any page.
    listing = client.get(reverse("portal:overview")).content.decode()
    assert reverse("jobs:job_list") in listing
    assert job.title in client.get(reverse("jobs:job_list")).content.decode()
    # The finished page stops polling and offers the file.
    panel = client.get(reverse("jobs:job_progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in panel and reverse("jobs:job_download", args=[job.pk]) in panel


def test_others_get_404_for_the_job_page_progress_and_file(client, persons, small_limit):
    owner = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    client.force_login(owner)
    client.get(reverse("registry:export", args=["persons", "xlsx"]))
    job = Job.objects.get()
    run_worker()
    before = AuditEvent.objects.exclude(entity_type="accounts.user").count()
    superuser = f.UserFactory(is_superuser=True, is_staff=True)
    for other in (f.staff(Role.COUNTY_STAFF, f.COUNTY), f.staff(), superuser):
        client.force_login(other)
        for name in ("job_detail", "job_progress", "job_download"):
            assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404
        assert client.get(reverse("jobs:job_list")).content.decode().count(job.title) == 0
        api = OpenApiClient(client).login(other)
        assert api.call("jobs_job_get", path={"job_id": job.pk}).status == 404
        assert api.call("jobs_job_get", path={"job_id": 2**63}).status in (404, 422)  # no 500
        assert api.call("jobs_job_download", path={"job_id": job.pk}).status == 404
    # Refused downloads write nothing (only the logins of the test clients).
    assert AuditEvent.objects.exclude(entity_type="accounts.user").count() == before
    client.logout()
    assert client.get(reverse("jobs:job_download", args=[job.pk])).status_code == 302
    client.force_login(owner)
    data = b"".join(client.get(reverse("jobs:job_download", args=[job.pk])).streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.max_row == 8


def test_small_exports_stay_inline(client, persons, settings):
    settings.REGISTRY_EXPORT_INLINE_ROWS = 7
    client.force_login(f.staff())
    response = client.get(reverse("registry:export", args=["persons", "csv"]))
    assert response.status_code == 200 and not Job.objects.exists()
    assert len(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()) == 8


def test_asking_twice_while_it_waits_is_one_job(client, persons, small_limit):
    client.force_login(f.staff())
    url = reverse("registry:export", args=["persons", "csv"])
    first, second = client.get(url), client.get(url)
    assert first["Location"] == second["Location"] and Job.objects.count() == 1
    client.get(reverse("registry:export", args=["persons", "xlsx"]))
    assert Job.objects.count() == 2  # another format is another job
    run_worker()
    client.get(url)
    assert Job.objects.count() == 3  # once finished, asking again exports again


def test_api_export_answers_202_with_the_job_then_the_file(client, persons, small_limit):
    owner = f.staff()
    api = OpenApiClient(client).login(owner)
    started = api.call("registry_export_csv", path={"kind": "persons"})
    assert started.status == 202, started.body
    job_id = started.body["job_id"]
    assert started.body["status"] == "queued" and started.body["total"] == 7
    waiting = api.call("jobs_job_get", path={"job_id": job_id})
    assert waiting.body["download_url"] is None and waiting.body["percent"] == 0
    run_worker()
    done = api.call("jobs_job_get", path={"job_id": job_id})
    assert done.status == 200 and done.body["status"] == "succeeded"
    assert done.body["row_count"] == 7 and done.body["percent"] == 100
    assert done.body["download_url"] == f"/api/jobs/{job_id}/download"
    file = api.call("jobs_job_download", path={"job_id": job_id})
    assert file.status == 200 and file.content.decode("utf-8-sig").count("\n") == 8
    listed = api.call("jobs_job_list")
    assert [j["id"] for j in listed.body["items"]] == [job_id]
    other = OpenApiClient().login(f.staff())
    assert other.call("jobs_job_list").body["items"] == []


def test_a_crashing_job_records_its_error_and_keeps_the_traceback(client):
    owner = f.staff()
    job = services.job_start(actor=owner, task=tasks_for_tests.crashes, kind="test.crash",
                             title="crash", params={})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert (job.done, job.total) == (3, 10)  # how far it got
    assert "unexpected error" in job.error and str(job.pk) in job.error
    assert "disk on fire" not in job.error  # internals stay out of the user's page
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "FAILED" and "disk on fire" in task.traceback
    event = AuditEvent.objects.get(action=AuditAction.TRANSITION)
    assert event.after["status"] == "failed" and event.reason == job.error
    client.force_login(owner)
    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert job.error in page and "job-download" not in page
    assert client.get(reverse("jobs:job_download", args=[job.pk])).status_code == 404


def test_a_refused_job_shows_its_reason_in_the_language_of_its_owner(client):
    owner = f.staff()
    with translation.override("zh-hans"):  # asked from a Chinese page
        job = services.job_start(actor=owner, task=tasks_for_tests.refuses, kind="test.refuse",
                                 title="refuse")
    run_worker()  # the worker itself runs in English here
    job.refresh_from_db()
    assert (job.status, job.language) == (JobStatus.FAILED, "zh-hans")
    assert job.error == "文件为空。"


def test_a_job_of_a_deactivated_account_does_not_run(persons, small_limit):
    owner = f.staff()
    job = services.job_start(actor=owner, task=tasks_for_tests.counts, kind="test.count",
                             title="count", params={"n": 4})
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "no longer active" in job.error
    assert not job.result_path


def test_progress_is_recorded_while_it_runs(progress):
    job = services.job_start(actor=f.staff(), task=tasks_for_tests.counts, kind="test.count",
                             title="count", params={"n": 5})
    run_worker()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.row_count == 5
    assert progress[-1] == (5, 5) and len(progress) >= 2
    with services.result_storage().open(job.result_path) as fh:
        assert fh.read() == b"0\n1\n2\n3\n4\n"


def test_a_job_runs_once_even_if_its_queue_entry_runs_twice():
    job = services.job_start(actor=f.staff(), task=tasks_for_tests.counts, kind="test.count",
                             title="count", params={"n": 2})
    run_worker()
    first = Job.objects.get(pk=job.pk)
    tasks_for_tests.counts.call(job.pk)  # the same entry again
    again = Job.objects.get(pk=job.pk)
    assert (again.finished_at, again.result_path) == (first.finished_at, first.result_path)


def test_starting_needs_a_user_and_writes_nothing_when_refused():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(Forbidden):
        services.job_start(actor=AnonymousUser(), task=tasks_for_tests.counts, kind="x",
                           title="x")
    assert not Job.objects.exists() and not DBTaskResult.objects.exists()
    assert not AuditEvent.objects.exclude(entity_type="accounts.user").exists()


def test_jobs_list_command_prints_what_ran():
    job = services.job_start(actor=f.staff(), task=tasks_for_tests.counts, kind="test.count",
                             title="count", params={"n": 2})
    run_worker()
    out = io.StringIO()
    call_command("jobs-list", stdout=out)
    line = out.getvalue().splitlines()[0].split("\t")
    assert line[0] == str(job.pk) and line[3:6] == ["test.count", "succeeded", "2/2"]


def test_the_command_line_draws_a_progress_bar(capsys):
    services.job_start(actor=f.staff(), task=tasks_for_tests.counts, kind="test.count",
                       title="数到五", params={"n": 5})
    printed = run_worker(progress=True)
    bar = capsys.readouterr().err
    assert "数到五" in bar and "100%" in bar and "5/5" in bar
    assert "数到五: Finished, 5 rows" in printed


def test_a_large_organizations_export_is_a_job_too(client, small_limit):
    for i in range(6):
        f.OrganizationFactory(name=f"=HYPERLINK(1){i}")  # formula-like text stays text
    api = OpenApiClient(client).login(f.staff())
    started = api.call("registry_export_xlsx", path={"kind": "organizations"})
    assert started.status == 202 and started.body["total"] == 6
    run_worker()
    file = api.call("jobs_job_download", path={"job_id": started.body["job_id"]})
    sheet = openpyxl.load_workbook(io.BytesIO(file.content)).worksheets[0]
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(names) == [f"=HYPERLINK(1){i}" for i in range(6)]
    assert all(row[1].data_type == "s" for row in sheet.iter_rows(min_row=2))

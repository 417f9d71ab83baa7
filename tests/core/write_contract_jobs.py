"""Write-contract cases of the jobs app (see tests/core/write_contract.py)."""

from __future__ import annotations

import io

from django.contrib.auth.models import AnonymousUser

from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.jobs import services as jobs
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case
from tests.jobs import tasks_for_tests


@case("jobs.job_start", audit=[(A.CREATE, "jobs.job")])
def _job_start() -> Attempts:
    ok = {"actor": f.staff("county_staff", f.COUNTY), "task": tasks_for_tests.counts,
          "kind": "test.count", "title": "数到三", "params": {"n": 3}}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": AnonymousUser()}, Forbidden, "not logged in"),
        Refused({**ok, "params": {"n": "9" * 5000}}, DomainError, "parameters too long"),
        Refused({**ok, "total": -1}, DomainError, "a negative total"),
    ])


@case("jobs.job_download", audit=[(A.EXPORT, "jobs.job")])
def _job_download(settings, tmp_path) -> Attempts:
    settings.STORAGES = {**settings.STORAGES, "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "jobs", "base_url": None}}}
    owner = f.staff("county_staff", f.COUNTY)
    job = jobs.job_start(actor=owner, task=tasks_for_tests.counts, kind="test.count",
                         title="数到二", params={"n": 2})
    jobs.job_mark_running(job.pk)
    jobs.job_succeed(job.pk, rows=2, result=io.BytesIO(b"1\n2\n"), filename="numbers.txt",
                     content_type="text/plain")
    unfinished = jobs.job_start(actor=owner, task=tasks_for_tests.counts, kind="test.count",
                                title="未完成", params={"n": 5})
    ok = {"actor": owner, "pk": job.pk}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff("county_staff", f.COUNTY)}, NotFound,
                "another user's job"),
        Refused({**ok, "actor": f.UserFactory(is_superuser=True, is_staff=True)}, NotFound,
                "a superuser is not the owner"),
        Refused({**ok, "pk": unfinished.pk}, NotFound, "no file yet"),
    ])

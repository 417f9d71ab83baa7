"""In a real browser: a staff member exports a registry too large to send at once, lands on the
job page, watches it reach 100 % (htmx polling, while the real worker runs the job), and
downloads the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from jineng.core.validators import make_resident_id
from jineng.jobs.models import Job
from tests import factories as f
from tests.browser import login
from tests.jobs.worker import run_worker

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_large_export_becomes_a_job_whose_page_reaches_100_percent(page, live_server,
                                                                     settings):
    settings.REGISTRY_EXPORT_INLINE_ROWS = 3
    numbers = [make_resident_id(f.COUNTY, dt.date(1990, 1, 1 + i), 500 + i) for i in range(6)]
    for i, number in enumerate(numbers):
        f.PersonFactory(plain_id=number, name=f"浏览导出{i}")
    staff = f.staff(username="export_clerk")

    login(page, live_server, staff)
    page.goto(f"{live_server.url}/registry/persons/")
    page.click("a[href$='/registry/exports/persons.csv']")
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    assert page.url.endswith(f"/jobs/{job.pk}/")
    panel = page.locator("#job-progress")
    assert panel.get_attribute("data-status") == "queued"
    assert page.locator("#job-download").count() == 0

    run_worker()  # the worker takes the job while the page keeps polling

    page.wait_for_selector("#job-progress[data-status=succeeded]")
    assert page.locator("#job-progress .percent").inner_text() == "100 %"
    assert page.locator("#job-progress progress").get_attribute("value") == "100"
    with page.expect_download() as download:
        page.click("#job-download")
    data = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    assert download.value.suggested_filename.startswith("persons-")
    lines = data.splitlines()
    assert lines[0].startswith("身份证号码（脱敏）") and len(lines) == 7
    for number in numbers:
        assert number not in data and f"{number[:6]}********{number[-4:]}" in data

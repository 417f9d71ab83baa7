"""In a real browser (Chinese, the default language): a province HRSS staff member uploads a
social-insurance CSV with one bad row on /outcomes/imports/, follows the background job to its
end, opens the import's report and sees the bad row named with its column and a Chinese
reason, and that nothing was written; then uploads the same file again with "skip bad rows"
and sees the good rows written and the bad one counted."""

from __future__ import annotations

import pytest

from jineng.outcomes.models import InsuranceImport, InsuranceRecord
from tests import factories as f
from tests.browser import login
from tests.jobs.worker import run_worker

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADER = ("公民身份号码,姓名,单位统一社会信用代码,单位所在地区划代码,缴费年月,"
          "养老保险,失业保险,工伤保险,缴费工资基数")


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "jobs", "base_url": None}}}


def _csv() -> tuple[bytes, list[str]]:
    """Three good rows, then one with a month before 1990: row 5 (the header is row 1)."""
    employer = f.credit_code_for(f.COUNTY, 5400)
    numbers = [f.id_number_for(n=720 + i) for i in range(4)]
    months = ["2025-03", "2025-04", "2025-05", "1985-03"]
    lines = [HEADER] + [f"{n},职工{i},{employer},{f.COUNTY},{m},1,0,0,4200"
                        for i, (n, m) in enumerate(zip(numbers, months, strict=True))]
    return ("\n".join(lines) + "\n").encode("utf-8"), numbers


def _upload(page, live_server, data: bytes, *, skip_bad_rows: bool) -> None:
    """Upload on the imports page, land on the job's page, let the worker run the job and wait
    until the page shows it finished."""
    page.goto(f"{live_server.url}/outcomes/imports/")
    form = page.locator("#import-form")
    form.locator("select[name=kind]").select_option("records")
    form.locator("input[name=file]").set_input_files(
        {"name": "参保记录.csv", "mimeType": "text/csv", "buffer": data})
    if skip_bad_rows:
        form.locator("input[name=skip_bad_rows]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_url("**/jobs/*/")
    run_worker()  # the real worker takes the job while the page polls
    page.wait_for_selector("#job-progress[data-status=succeeded]")


def _open_latest_report(page, live_server) -> None:
    page.goto(f"{live_server.url}/outcomes/imports/")
    latest = InsuranceImport.objects.order_by("-id").first()
    with page.expect_navigation():
        page.locator(f"#imports tr[data-import='{latest.pk}'] a").first.click()
    assert page.url.endswith(f"/outcomes/imports/{latest.pk}/")


def test_a_bad_row_is_reported_in_chinese_then_skipped(page, live_server):
    staff = f.staff(username="shebao_clerk")
    data, numbers = _csv()
    login(page, live_server, staff)

    _upload(page, live_server, data, skip_bad_rows=False)
    _open_latest_report(page, live_server)
    assert page.locator("#import-counts [data-status]").get_attribute(
        "data-status") == "rejected"
    alert = page.locator("[role=alert]").inner_text()
    assert "文件有错误" in alert and "未写入任何数据" in alert
    bad = page.locator("#import-errors tbody tr")
    assert bad.count() == 1
    assert bad.get_attribute("data-row") == "5" and bad.get_attribute("data-field") == "month"
    assert "1990年1月以前的月份不予导入" in bad.inner_text()
    assert page.locator("#import-counts [data-count=created]").inner_text() == "0"
    assert not InsuranceRecord.objects.exists()
    html = page.content()
    assert not any(n in html for n in numbers)  # never a whole ID number on a page

    _upload(page, live_server, data, skip_bad_rows=True)
    _open_latest_report(page, live_server)
    assert page.locator("#import-counts [data-status]").get_attribute(
        "data-status") == "succeeded"
    counts = {name: page.locator(f"#import-counts [data-count={name}]").inner_text()
              for name in ("rows", "created", "error_rows", "unchanged")}
    assert counts == {"rows": "4", "created": "3", "error_rows": "1", "unchanged": "0"}
    assert page.locator("#import-errors tbody tr[data-row='5'][data-field=month]").count() == 1
    assert page.locator("[role=alert]").count() == 0
    assert InsuranceRecord.objects.count() == 3

    page.goto(f"{live_server.url}/outcomes/imports/")
    assert page.locator("#imports tbody tr[data-import]").count() == 2

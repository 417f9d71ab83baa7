"""Imports through the API (OpenAPI client) and the pages: JSON batches with their per-row
report, a resent batch counted once, the file upload becoming a background job that the
real worker runs, scoped reads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.accounts.models import Role
from jineng.outcomes.models import InsuranceImport, InsuranceRecord
from tests import factories as f
from tests.jobs.worker import run_worker
from tests.openapi import OpenApiClient

HEADER = ("公民身份号码,姓名,单位统一社会信用代码,单位所在地区划代码,缴费年月,"
          "养老保险,失业保险,工伤保险,缴费工资基数")


@pytest.fixture(autouse=True)
def job_files(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "jobs", "base_url": None}}}


def row(n: int, **kw) -> dict:
    return {"id_number": f.id_number_for(n=n), "name": "张三",
            "employer_code": f.credit_code_for(f.COUNTY, 5000), "employer_region": f.COUNTY,
            "month": "2025-03", "pension": True, "wage_base": "4000", **kw}


def test_batch_report_and_resend(client, db):
    api = OpenApiClient(client).login(f.staff())
    bad = row(2, month="2031-01", wage_base="-5")
    rejected = api.call("outcomes_records_batch", json_body={"rows": [row(1), bad]})
    assert rejected.status == 200 and rejected.body["status"] == "rejected"
    assert {(e["row"], e["field"]) for e in rejected.body["errors"]} == {(2, "month"),
                                                                         (2, "wage_base")}
    assert not InsuranceRecord.objects.exists()
    body = {"rows": [row(1), bad], "skip_bad_rows": True}
    done = api.call("outcomes_records_batch", json_body=body)
    assert (done.body["status"], done.body["created"], done.body["error_rows"]) == \
        ("succeeded", 1, 1)
    again = api.call("outcomes_records_batch", json_body=body)
    assert again.body["repeated"] and again.body["id"] == done.body["id"]
    assert InsuranceRecord.objects.count() == 1
    listed = api.call("outcomes_import_list")
    assert listed.status == 200 and len(listed.body["items"]) == 2
    got = api.call("outcomes_import_get", path={"import_id": done.body["id"]})
    assert got.status == 200 and got.body["created"] == 1


def test_county_staff_cannot_import_and_others_do_not_see(client, db):
    api = OpenApiClient(client).login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    assert api.call("outcomes_records_batch", json_body={"rows": [row(3)]}).status == 403
    done = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.CITY)).call(
        "outcomes_records_batch", json_body={"rows": [row(3)]})
    assert done.body["created"] == 1
    other = OpenApiClient(client).login(f.staff(Role.CITY_STAFF, f.OTHER_CITY))
    assert other.call("outcomes_import_get", path={"import_id": done.body["id"]}).status == 404


def test_business_batch(client, db):
    api = OpenApiClient(client).login(f.staff())
    rows = [{"credit_code": f.credit_code_for(f.COUNTY, 5100), "kind": "individual",
             "name": "小店", "legal_person_id": f.id_number_for(n=7),
             "legal_person_name": "王五", "founded_on": "2025-05-01", "region": f.COUNTY}]
    answer = api.call("outcomes_businesses_batch", json_body={"rows": rows})
    assert answer.status == 200 and answer.body["created"] == 1


def test_api_upload_answers_202_and_the_job_imports(client, db):
    staff = f.staff()
    api = OpenApiClient(client).login(staff)
    data = (HEADER + "\n" + f"{f.id_number_for(n=9)},张三,{f.credit_code_for(f.COUNTY, 5200)},"
            f"{f.COUNTY},2025-03,1,0,0,4000\n").encode("gbk")
    answer = api.call("outcomes_import_upload", files={
        "file": SimpleUploadedFile("records.csv", data)}, form={"kind": "records"})
    assert answer.status == 202 and answer.body["page_url"].startswith("/jobs/")
    assert not InsuranceImport.objects.exists()
    run_worker()
    imp = InsuranceImport.objects.get()
    assert (imp.status, imp.created, imp.job_id) == ("succeeded", 1, answer.body["job_id"])


def test_page_upload_runs_as_a_job_and_the_report_shows_errors(client, db):
    staff = f.staff()
    client.force_login(staff)
    assert client.get("/outcomes/imports/").status_code == 200
    data = (HEADER + "\n" + f"{f.id_number_for(n=10)},张三,{f.credit_code_for(f.COUNTY, 5300)},"
            f"{f.COUNTY},1985-03,1,0,0,4000\n").encode()
    response = client.post("/outcomes/imports/", {
        "kind": "records", "file": SimpleUploadedFile("r.csv", data)})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    run_worker()
    imp = InsuranceImport.objects.get()
    assert imp.status == "rejected"
    page = client.get(f"/outcomes/imports/{imp.pk}/")
    assert page.status_code == 200
    assert b'data-row="2" data-field="month"' in page.content
    assert "1990-01" in page.content.decode()
    listing = client.get("/outcomes/imports/").content.decode()
    assert f'data-import="{imp.pk}"' in listing
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    client.force_login(county)
    assert client.get(f"/outcomes/imports/{imp.pk}/").status_code == 404
    assert b"import-form" not in client.get("/outcomes/imports/").content

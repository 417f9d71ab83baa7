"""Write-contract cases of the outcomes imports (see tests/core/write_contract.py): province
and city HRSS staff importing social-insurance records and business registrations."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction as A
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case

IMPORT = "outcomes.insuranceimport"
# The import's row is committed (status running) before its rows are read, so that the same
# content sent at the same time by someone else finds it; an import that then fails is kept,
# marked failed (the user sees it failed), and wrote nothing else.
RUNNING_ROW = {"outcomes.InsuranceImport": "the running import is kept, marked failed"}
HEADER = ("公民身份号码,姓名,单位统一社会信用代码,单位所在地区划代码,缴费年月,"
          "养老保险,失业保险,工伤保险,缴费工资基数")


def _csv(n: int = 1) -> bytes:
    rows = [HEADER] + [f"{f.id_number_for(n=300 + i)},张三,{f.credit_code_for(f.COUNTY, 4000)},"
                       f"{f.COUNTY},2025-03,1,0,0,4000" for i in range(n)]
    return ("\n".join(rows) + "\n").encode()


def _row() -> dict:
    return {"id_number": f.id_number_for(n=350), "name": "张三",
            "employer_code": f.credit_code_for(f.COUNTY, 4001), "employer_region": f.COUNTY,
            "month": "2025-04", "pension": "1", "wage_base": "3500"}


@case("outcomes.insurance_import_file", audit=[(A.CREATE, IMPORT)])
def _import_file(tmp_path) -> Attempts:
    path = tmp_path / "records.csv"
    path.write_bytes(_csv(3))
    gbk_broken = tmp_path / "broken.csv"
    gbk_broken.write_bytes(HEADER.encode() + b"\n\xff\xfe\x80\n")
    ok = {"actor": f.staff(), "kind": "records", "path": path}
    return Attempts(ok=ok, side_effects=RUNNING_ROW, refused=[
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "county staff read imports, they do not import"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, Forbidden,
                "a training institution"),
        Refused({**ok, "path": gbk_broken}, DomainError, "neither UTF-8 nor GBK"),
        Refused({**ok, "kind": "wages"}, DomainError, "unknown kind"),
    ])


@case("outcomes.insurance_import_rows", audit=[(A.CREATE, IMPORT)])
def _import_rows() -> Attempts:
    ok = {"actor": f.staff(Role.CITY_STAFF, f.CITY), "kind": "records", "rows": [_row()]}
    return Attempts(ok=ok, side_effects=RUNNING_ROW, refused=[
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "county staff"),
        Refused({**ok, "rows": []}, DomainError, "an empty batch"),
        Refused({**ok, "rows": [_row()] * 5001}, DomainError, "more than 5,000 rows"),
    ])


@case("outcomes.insurance_import_upload", audit=[(A.CREATE, "jobs.job")])
def _import_upload(settings, tmp_path) -> Attempts:
    settings.JOBS_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "jobs": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path, "base_url": None}}}
    ok = {"actor": f.staff(), "kind": "records", "filename": "records.csv",
          "upload": SimpleUploadedFile("records.csv", _csv())}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY)}, Forbidden,
                "county staff"),
        Refused({**ok, "filename": "records.pdf"}, DomainError, "not CSV or xlsx"),
        Refused({**ok, "kind": "x"}, DomainError, "unknown kind"),
    ])

"""Write-contract cases of the supervision exclusion lists (pension drawers, full-time
students, public-payroll staff): import from a file and from an API batch."""

from __future__ import annotations

import io

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction as A
from jineng.supervision.services import exclusions
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case

ENTITY = "supervision.exclusionlistentry"


def _row() -> dict:
    return {"id_number": f.id_number_for(), "name": "张三", "valid_from": "2024-09-01",
            "valid_to": ""}


def _upload(row: dict):
    names = list(row)
    data = io.BytesIO((",".join(names) + "\n" + ",".join(row[n] for n in names) + "\n")
                      .encode())
    data.name = "students.csv"
    return data


@case("supervision.exclusion_list_import", audit=[(A.IMPORT, ENTITY)])
def _exclusion_import() -> Attempts:
    row = _row()
    f.region(f.CITY)
    city = f.staff(Role.CITY_STAFF, f.CITY)
    ok = {"actor": city, "list_kind": "student", "region_code": f.CITY, "file": _upload(row)}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.COUNTY_STAFF, f.COUNTY), "file": _upload(row)},
                Forbidden, "a county office importing its city's list"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory()), "file": _upload(row)},
                Forbidden, "an institution"),
        Refused({**ok, "file": None}, DomainError, "no file"),
        Refused({**ok, "list_kind": "criminals", "file": _upload(row)}, DomainError,
                "an unknown list"),
        Refused({**ok, "region_code": "999999", "file": _upload(row)}, DomainError,
                "an unknown region"),
    ])


@case("supervision.exclusion_list_import_rows", audit=[(A.IMPORT, ENTITY)])
def _exclusion_import_rows() -> Attempts:
    row = _row()
    f.region(f.CITY)
    city = f.staff(Role.CITY_STAFF, f.CITY)
    ok = {"actor": city, "list_kind": "pension", "region_code": f.CITY, "rows": [row]}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.OTHER_CITY)}, Forbidden,
                "another city's office"),
        Refused({**ok, "rows": []}, DomainError, "no rows"),
        Refused({**ok, "rows": [{**row, "colour": "red"}]}, DomainError, "an unknown field"),
        Refused({**ok, "rows": [row] * (exclusions.MAX_BATCH_ROWS + 1)}, DomainError,
                "too many rows"),
    ])

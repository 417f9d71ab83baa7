"""Write-contract cases of the subsidy history import (a previous system's claims and
payments): the file and the API batch."""

from __future__ import annotations

import io

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction as A
from jineng.subsidy.services import history
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case

ENTITY = "subsidy.historicsubsidy"


def _row() -> dict:
    return {"claim_number": "OLD-1", "id_number": f.id_number_for(), "name": "张三",
            "kind": "training", "region": f.COUNTY, "claim_date": "2025-03-01",
            "amount": "1000.00", "level": "grade5", "paid_amount": "1000.00",
            "paid_on": "2025-04-01"}


def _upload(row: dict):
    names = list(row)
    data = io.BytesIO((",".join(names) + "\n" + ",".join(row[n] for n in names) + "\n")
                      .encode())
    data.name = "history.csv"
    return data


@case("subsidy.subsidy_history_import", audit=[(A.IMPORT, ENTITY)])
def _history_import() -> Attempts:
    row = _row()
    return Attempts(ok={"actor": f.staff(Role.CITY_STAFF, f.CITY), "file": _upload(row)},
                    refused=[
        Refused({"actor": f.staff(Role.COUNTY_STAFF, f.COUNTY), "file": _upload(row)},
                Forbidden, "a county office"),
        Refused({"actor": f.operator(f.OrganizationFactory()), "file": _upload(row)},
                Forbidden, "an institution"),
        Refused({"actor": f.staff(Role.CITY_STAFF, f.CITY), "file": None}, DomainError,
                "no file"),
    ])


@case("subsidy.subsidy_history_import_rows", audit=[(A.IMPORT, ENTITY)])
def _history_import_rows() -> Attempts:
    row = _row()
    city = f.staff(Role.CITY_STAFF, f.CITY)
    return Attempts(ok={"actor": city, "rows": [row]}, refused=[
        Refused({"actor": f.staff(Role.COUNTY_STAFF, f.COUNTY), "rows": [row]}, Forbidden,
                "a county office"),
        Refused({"actor": city, "rows": []}, DomainError, "no rows"),
        Refused({"actor": city, "rows": [{**row, "colour": "red"}]}, DomainError,
                "an unknown field"),
        Refused({"actor": city, "rows": [row] * (history.MAX_BATCH_ROWS + 1)}, DomainError,
                "too many rows"),
    ])

"""Write-contract cases of the assessment app's outside area (certificates recorded from
elsewhere, their verification mark, the certificate and history imports)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.assessment import services
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.core.tabular import FileTooLarge
from tests import factories as f
from tests.assessment import outside_helpers as h
from tests.core.write_contract import Attempts, Refused, case

CERT = "assessment.certificate"


def _evaluator_operator():
    return f.operator(f.OrganizationFactory(kind="evaluation", institution_type=""))


@case("assessment.certificate_record_outside", audit=[(A.CREATE, CERT)])
def _record() -> Attempts:
    clerk = f.staff("city_staff", f.CITY)
    p, taken = h.person(), h.person()
    services.certificate_record_outside(actor=clerk, data=h.data(taken, number=h.number(2)))
    ok = {"actor": clerk, "data": h.data(p)}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _evaluator_operator()}, Forbidden, "not HRSS staff"),
        Refused({**ok, "data": h.data(p, number="S0000520000012550000")}, DomainError,
                "number breaks the layout"),
        Refused({**ok, "data": h.data(p, id_number=f.id_number_for(n=601))}, DomainError,
                "holder not registered"),
        Refused({**ok, "actor": f.staff("city_staff", f.OTHER_CITY)}, DomainError,
                "holder out of scope is unknown"),
        Refused({**ok, "data": h.data(p, number=h.number(2))}, Conflict,
                "number recorded for another holder"),
    ])


@case("assessment.certificate_mark_verified", audit=[(A.UPDATE, CERT)])
def _mark_verified() -> Attempts:
    clerk = f.staff("city_staff", f.CITY)
    cert, _ = services.certificate_record_outside(actor=clerk, data=h.data(h.person()))
    ok = {"actor": clerk, "certificate": cert, "verified": True, "note": "平台查询一致"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff("city_staff", f.OTHER_CITY)}, NotFound,
                "out of scope"),
        Refused({**ok, "actor": _evaluator_operator()}, Forbidden, "not HRSS staff"),
        Refused({**ok, "verified": False, "note": "x"}, DomainError, "no change"),
    ])


def _upload(columns, rows, name="f.csv") -> SimpleUploadedFile:
    return h.csv_file(columns, rows, name)


@case("assessment.certificates_import", audit=[(A.IMPORT, CERT)])
def _certificates_import() -> Attempts:
    clerk = f.staff("city_staff", f.CITY)
    p = h.person()
    rows = [h.cert_row(p)]
    big = SimpleUploadedFile("big.csv", b"x")
    big.size = 10 ** 10
    return Attempts(ok={"actor": clerk, "file": _upload(services.CERTIFICATE_COLUMNS, rows)},
                    refused=[
        Refused({"actor": _evaluator_operator(),
                 "file": _upload(services.CERTIFICATE_COLUMNS, rows)}, Forbidden,
                "not HRSS staff"),
        Refused({"actor": clerk, "file": SimpleUploadedFile("u.csv", "证书编号,备注\nA,B\n"
                                                            .encode())}, DomainError,
                "unknown column"),
        Refused({"actor": clerk, "file": big}, FileTooLarge, "file too large"),
    ])


@case("assessment.history_import",
      audit=[(A.IMPORT, "assessment.assessmentsitting"), (A.IMPORT, CERT)])
def _history_import() -> Attempts:
    clerk = f.staff("city_staff", f.CITY)
    p = h.person()
    evaluator = f.OrganizationFactory(kind="evaluation", institution_type="")
    row = {"sitting_ref": "OLD-1", "evaluator_credit_code": evaluator.credit_code,
           "occupation": "养老护理员", "level": "初级工", "sitting_date": "2021-06-20",
           "place": "考点", "id_number": p.plain_id, "holder_name": p.name,
           "theory_score": "70", "practical_score": "80", "result": "合格",
           "number": h.number(9, year="21"), "issued_on": "2021-06-30"}
    return Attempts(ok={"actor": clerk, "file": _upload(services.HISTORY_COLUMNS, [row])},
                    refused=[
        Refused({"actor": f.staff("county_staff", f.COUNTY),
                 "file": _upload(services.HISTORY_COLUMNS, [row])}, Forbidden,
                "a county office"),
        Refused({"actor": _evaluator_operator(),
                 "file": _upload(services.HISTORY_COLUMNS, [row])}, Forbidden,
                "an institution"),
        Refused({"actor": clerk, "file": None}, DomainError, "no file"),
    ])

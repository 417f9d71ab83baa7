"""Outside-certificate pages: the list with its verified filter and the mark-verified button,
the record form, the import pages with their row report, the templates; 404 for users the
pages are not for."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from jineng.assessment import services
from jineng.assessment.models import AssessmentSitting, Certificate
from tests import factories as f
from tests.assessment import outside_helpers as h

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def clerk():
    return f.staff("city_staff", f.CITY)


def test_record_form_then_list_and_verify(clerk):
    c = client_for(clerk)
    p = h.person()
    page = c.get(reverse("assessment:outside_record"))
    assert page.status_code == 200
    form = {"kind": "skill_level", "origin": "other_province", "number": h.number(),
            "id_number": p.plain_id, "holder_name": p.name, "occupation": "养老护理员",
            "level": "grade5", "issuer_name": "湖南省某评价机构", "issued_on": "2025-06-30"}
    bad = c.post(reverse("assessment:outside_record"), {**form, "number": "S12"})
    assert bad.status_code == 400
    assert 'data-field="number"' in bad.content.decode() and "has-error" in bad.content.decode()
    assert not Certificate.objects.exists()
    ok = c.post(reverse("assessment:outside_record"), form)
    assert ok.status_code == 302
    cert = Certificate.objects.get()
    again = c.post(reverse("assessment:outside_record"), form, follow=True)
    assert "recorded before" in again.content.decode() and Certificate.objects.count() == 1
    listing = c.get(reverse("assessment:outside_list"), {"verified": "no"})
    body = listing.content.decode()
    assert f'data-certificate="{cert.pk}"' in body and p.id_masked in body
    assert p.plain_id not in body
    c.post(reverse("assessment:outside_verify", args=[cert.pk]),
           {"verified": "on", "note": "平台查询一致"})
    cert.refresh_from_db()
    assert cert.verified and cert.verified_note == "平台查询一致"
    assert f'data-certificate="{cert.pk}"' not in c.get(
        reverse("assessment:outside_list"), {"verified": "no"}).content.decode()
    assert f'data-certificate="{cert.pk}"' in c.get(
        reverse("assessment:outside_list"), {"verified": "yes"}).content.decode()
    # withdrawing without a reason is refused with a message, nothing changes
    c.post(reverse("assessment:outside_verify", args=[cert.pk]), {"verified": "", "note": ""})
    cert.refresh_from_db()
    assert cert.verified


def test_import_page_reports_rows(clerk):
    c = client_for(clerk)
    p = h.person()
    upload = h.csv_file(services.CERTIFICATE_COLUMNS,
                        [h.cert_row(p), h.cert_row(p, number="S0000520000012550000X1")])
    page = c.post(reverse("assessment:outside_import"), {"file": upload})
    assert page.status_code == 400
    body = page.content.decode()
    assert 'data-row="3"' in body and "证书编号" in body
    assert not Certificate.objects.exists()
    upload = h.csv_file(services.CERTIFICATE_COLUMNS, [h.cert_row(p)])
    page = c.post(reverse("assessment:outside_import"), {"file": upload})
    assert page.status_code == 200 and Certificate.objects.count() == 1


def test_history_page(clerk):
    c = client_for(clerk)
    p = h.person()
    evaluator = f.OrganizationFactory(kind="evaluation", institution_type="")
    upload = h.csv_file(services.HISTORY_COLUMNS, [{
        "sitting_ref": "OLD-1", "evaluator_credit_code": evaluator.credit_code,
        "occupation": "养老护理员", "level": "初级工", "sitting_date": "2021-06-20",
        "place": "考点", "id_number": p.plain_id, "holder_name": p.name,
        "result": "合格", "theory_score": "70", "number": h.number(9, year="21"),
        "issued_on": "2021-06-30"}], "old.csv")
    assert "skip_bad_rows" not in c.get(reverse("assessment:outside_history_import")
                                        ).content.decode()
    page = c.post(reverse("assessment:outside_history_import"), {"file": upload})
    assert page.status_code == 200, page.content.decode()[:2000]
    assert AssessmentSitting.objects.get().origin == "legacy"


@pytest.mark.parametrize("which", ["certificates", "history"])
def test_templates(clerk, which):
    response = client_for(clerk).get(reverse(f"assessment:outside_template_{which}"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    header = [cell.value for cell in next(book.active.iter_rows(max_row=1))]
    columns = services.HISTORY_COLUMNS if which == "history" else services.CERTIFICATE_COLUMNS
    assert header == [col.label for col in columns]


def test_pages_are_not_for_institutions_or_counties_history(clerk):
    evaluator = f.OrganizationFactory(kind="evaluation", institution_type="")
    c = client_for(f.operator(evaluator))
    for name in ("outside_list", "outside_record", "outside_import",
                 "outside_history_import"):
        assert c.get(reverse(f"assessment:{name}")).status_code == 404
    county = client_for(f.staff("county_staff", f.COUNTY))
    assert county.get(reverse("assessment:outside_list")).status_code == 200
    assert county.get(reverse("assessment:outside_history_import")).status_code == 404


def test_out_of_scope_certificate_verify_is_404(clerk):
    cert, _ = services.certificate_record_outside(actor=clerk, data=h.data(h.person()))
    other = client_for(f.staff("city_staff", f.OTHER_CITY))
    response = other.post(reverse("assessment:outside_verify", args=[cert.pk]),
                          {"verified": "on"})
    assert response.status_code == 404
    cert.refresh_from_db()
    assert not cert.verified


def test_template_keeps_numbers_and_dates_as_text(clerk):
    response = client_for(clerk).get(reverse("assessment:outside_template_certificates"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    for name in ("number", "id_number", "issued_on"):
        label = next(c.label for c in services.CERTIFICATE_COLUMNS if c.name == name)
        column = header.index(label) + 1
        assert sheet.cell(row=2, column=column).number_format == "@"
        assert sheet.cell(row=500, column=column).number_format == "@"

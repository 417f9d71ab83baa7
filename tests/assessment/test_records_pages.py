"""The staff page of a person's skill record: in scope, printable (print stylesheet, PDF),
linked from the person page through registry.hooks.person_page_links; out of scope 404."""

import pytest
from django.urls import reverse

from jineng.core.models import AuditEvent
from tests import factories as f
from tests.assessment import records_support as rs

pytestmark = pytest.mark.django_db


@pytest.fixture
def hist():
    return rs.history()


def _events_after(mark: int):
    return AuditEvent.objects.filter(pk__gt=mark).order_by("pk")


def _mark() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_staff_in_scope_see_the_record_print_it_and_download_a_pdf(client, hist):
    client.force_login(hist.w.county_staff)
    mark = _mark()
    url = reverse("assessment:records_person", args=[hist.person.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<style media="print">' in html and 'id="record-print"' in html
    for table in ("record-levels", "record-certificates", "record-assessments",
                  "record-classes"):
        assert f'id="{table}"' in html
    assert hist.person.id_masked in html
    for cert in hist.certificates.values():
        assert cert.number in html
    assert "养老护理员（初级）第2期" in html and "贵阳职业技能评价中心" in html
    assert "82.50" in html and "unverified" in html
    assert not _events_after(mark).exists()  # reading the page in scope is not an export

    pdf = client.get(reverse("assessment:records_person_pdf", args=[hist.person.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    event = _events_after(mark).get()
    assert (event.action, event.entity_type, event.entity_id) == (
        "export", "assessment.skillrecord", str(hist.person.pk))
    assert event.region_code == f.COUNTY and event.after["id_masked"] == hist.person.id_masked


def test_out_of_scope_is_404_and_writes_nothing(client, hist):
    client.force_login(f.staff("city_staff", f.OTHER_CITY))
    mark = _mark()
    assert client.get(reverse("assessment:records_person",
                              args=[hist.person.pk])).status_code == 404
    assert client.get(reverse("assessment:records_person_pdf",
                              args=[hist.person.pk])).status_code == 404
    assert not _events_after(mark).exists()
    client.logout()
    answer = client.get(reverse("assessment:records_person", args=[hist.person.pk]))
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_the_person_page_links_to_the_record(client, hist):
    client.force_login(hist.w.county_staff)
    page = client.get(reverse("registry:person_detail", args=[hist.person.pk])).content.decode()
    link = reverse("assessment:records_person", args=[hist.person.pk])
    assert f'id="skill-record-link" href="{link}"' in page


def test_the_public_home_page_links_to_the_workers_own_record(client):
    page = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("assessment:records_own")}" id="home-my-record"' in page
    start = client.get(reverse("assessment:records_own"))
    assert start.status_code == 200 and 'id="record-start"' in start.content.decode()

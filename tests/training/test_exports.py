"""Exports of classes, rosters and attendance as CSV and xlsx: scoped to the actor (out of
scope is 404), ID numbers masked, text written as text (a name starting with "=" is no
formula), audited; from the API and from the pages."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from jineng.accounts.models import ApiToken
from jineng.core.models import AuditEvent
from jineng.registry.models import Person
from jineng.training import services
from jineng.training.models import ClassSession
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def _as(user) -> OpenApiClient:
    _row, token = ApiToken.issue(user, "exports")
    return OpenApiClient().bearer(token)


@pytest.fixture
def world():
    w = h.world()
    cls = h.declare(w, name="=HYPERLINK(\"http://x\")班")
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    enrollment = h.enroll(w, cls, n=851, name="+学员")
    cls = services.class_transition(actor=w.operator, training_class=cls, action="open")
    session = ClassSession.objects.filter(training_class=cls).order_by("seq").first()
    services.attendance_record_manual(
        actor=w.operator, enrollment=enrollment, session=session,
        check_in=h.at(session.date, 9), check_out=h.at(session.date, 16), reason="-纸质签到")
    return w, cls, enrollment


def _csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_and_xlsx_are_masked_text_and_audited(world):
    w, cls, enrollment = world
    api = _as(w.operator)
    number = Person.objects.get(pk=enrollment.person_id)
    classes = _csv(api.call("training_export_classes", path={"fmt": "csv"}).response.content)
    assert classes[1][2] == "'=HYPERLINK(\"http://x\")班"  # shown, never run
    at = {"class_id": cls.pk}
    roster = _csv(api.call("training_export_roster_csv", path=at).response.content)
    assert roster[1][1] == "'+学员" and roster[1][2] == number.id_masked
    assert "*" in roster[1][2]
    attendance = _csv(api.call("training_export_attendance_csv", path=at).response.content)
    assert len(attendance) == 3 and attendance[1][11] == "是" and attendance[1][12] == "'-纸质签到"
    book = openpyxl.load_workbook(io.BytesIO(api.call(
        "training_export_roster_xlsx", path={"class_id": cls.pk}).response.content))
    cell = book.active["B2"]
    assert cell.value == "+学员" and cell.data_type == "s"
    book = openpyxl.load_workbook(io.BytesIO(api.call(
        "training_export_classes", path={"fmt": "xlsx"}).response.content))
    assert book.active["C2"].data_type == "s"
    exports = AuditEvent.objects.filter(action="export")
    assert exports.count() == 5
    assert {e.after["what"] for e in exports} == {"classes", f"roster-{cls.pk}",
                                                  f"attendance-{cls.pk}"}


def test_exports_are_scoped(world):
    w, cls, _enrollment = world
    other = _as(w.other_operator)
    assert other.call("training_export_roster_csv", path={"class_id": cls.pk}).status == 404
    assert other.call("training_export_attendance_xlsx", path={"class_id": cls.pk}).status == 404
    rows = _csv(other.call("training_export_classes", path={"fmt": "csv"}).response.content)
    assert len(rows) == 1  # the header only: no class of theirs
    far = _as(f.staff("county_staff", f.OTHER_COUNTY))
    assert far.call("training_export_roster_csv", path={"class_id": cls.pk}).status == 404
    assert _as(w.operator).call("training_export_classes", path={"fmt": "pdf"}).status == 404
    staff = _as(w.county_staff)
    answer = staff.call("training_export_roster_csv", path={"class_id": cls.pk})
    assert len(_csv(answer.response.content)) == 2
    assert not AuditEvent.objects.filter(action="export",
                                         actor_username=w.other_operator.username,
                                         entity_label__contains="花名册").exists()


def test_pages_offer_and_serve_the_exports(world):
    w, cls, _enrollment = world
    client = Client()
    client.force_login(w.operator)
    page = client.get(reverse("training:class_attendance", args=[cls.pk]))
    assert page.status_code == 200
    link = reverse("training:export_attendance", args=[cls.pk, "xlsx"])
    assert link in page.content.decode()
    answer = client.get(link)
    assert answer.status_code == 200 and answer["Content-Type"].startswith(
        "application/vnd.openxmlformats")
    assert client.get(reverse("training:export_classes", args=["csv"])).status_code == 200
    stranger = Client()
    stranger.force_login(w.other_operator)
    assert stranger.get(reverse("training:export_roster", args=[cls.pk, "csv"])
                        ).status_code == 404

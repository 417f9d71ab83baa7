"""Registry exports: Chinese headers, scope, masked ID numbers only, audited; the download
pages and the command line."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from jineng.accounts.models import Role
from jineng.core.models import AuditAction, AuditEvent
from jineng.core.validators import make_resident_id
from jineng.registry.exports import EXPORTERS, export_table
from jineng.registry.models import KeyGroupMembership
from tests import factories as f

pytestmark = pytest.mark.django_db


def body(export) -> bytes:
    return b"".join(export.chunks)


def all_text(data: bytes) -> str:
    """Every byte of the file, with the members of an xlsx (a zip) unpacked too."""
    parts = [data.decode("utf-8", errors="replace")]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts += [z.read(n).decode("utf-8", errors="replace") for n in z.namelist()]
    return "\n".join(parts)


@pytest.fixture
def persons(db):
    numbers = [make_resident_id(f.COUNTY, dt.date(1985, 4, 1 + i), 300 + i) for i in range(3)]
    people = [f.PersonFactory(plain_id=n, name=f"导出{i}") for i, n in enumerate(numbers)]
    KeyGroupMembership.objects.create(person=people[0], group="graduate",
                                      start_date=dt.date(2024, 7, 1))
    other = make_resident_id(f.OTHER_COUNTY, dt.date(1980, 1, 1), 9)
    f.PersonFactory(plain_id=other, name="别县人", region=f.region(f.OTHER_COUNTY))
    return numbers, other


def test_persons_xlsx_has_chinese_headers_and_masked_ids_only(persons):
    numbers, other = persons
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    data = body(export_table(actor=county, kind="persons", fmt="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == list(EXPORTERS["persons"].headers)
    assert rows[0][0] == "身份证号码（脱敏）" and rows[0][1] == "姓名"
    assert sorted(r[0] for r in rows[1:]) == sorted(
        n[:6] + "********" + n[-4:] for n in numbers)
    assert "别县人" not in {r[1] for r in rows[1:]}  # scoped to the county
    text = all_text(data)
    for number in [*numbers, other]:
        assert number not in text and number[6:14] not in text  # nor the birth date


def test_persons_csv_is_utf8_with_bom_and_masked(persons):
    numbers, _other = persons
    data = body(export_table(actor=f.staff(), kind="persons", fmt="csv"))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("身份证号码（脱敏）,姓名,性别")
    assert len(text.splitlines()) == 5
    assert not any(n in text for n in numbers)


def test_export_is_audited(persons):
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    export = export_table(actor=county, kind="persons", fmt="csv")
    assert export.count == 3
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.entity_type == "registry.person" and event.after == {"count": 3,
                                                                       "format": "csv"}
    assert event.actor_username == county.username and event.region_code == f.COUNTY


def test_organizations_and_sites_export_round_trip_headers():
    org = f.OrganizationFactory(name="导出学校")
    f.SiteFactory(organization=org, name="导出场地")
    f.OrganizationFactory(region=f.region(f.OTHER_CITY_COUNTY), name="遵义学校")
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    orgs = body(export_table(actor=county, kind="organizations", fmt="csv")).decode("utf-8-sig")
    lines = orgs.splitlines()
    assert lines[0].startswith("统一社会信用代码,机构名称,机构类别")
    assert len(lines) == 2 and org.credit_code in lines[1]
    sheet = openpyxl.load_workbook(io.BytesIO(body(export_table(
        actor=county, kind="sites", fmt="xlsx")))).worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:3] == ["机构统一社会信用代码", "机构名称", "场地名称"]
    assert rows[1][:3] == [org.credit_code, "导出学校", "导出场地"]


def test_institution_exports_only_what_it_registered(training_org):
    f.PersonFactory(registered_by=training_org, name="本校学员")
    f.PersonFactory(name="他人")
    data = body(export_table(actor=f.operator(training_org), kind="persons", fmt="csv"))
    text = data.decode("utf-8-sig")
    assert "本校学员" in text and "他人" not in text


def test_export_pages(client, persons):
    numbers, _other = persons
    client.force_login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    response = client.get(reverse("registry:export", args=["persons", "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="persons-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "导出0" in text and not any(n in text for n in numbers)
    assert client.get(reverse("registry:export", args=["persons", "pdf"])).status_code == 404
    assert client.get(reverse("registry:export", args=["dragons", "csv"])).status_code == 404
    client.logout()
    assert client.get(reverse("registry:export", args=["persons", "csv"])).status_code == 302


def test_cli_export(tmp_path, persons):
    numbers, other = persons
    out = tmp_path / "persons.xlsx"
    call_command("export_registry", "persons", "xlsx", str(out))
    text = all_text(out.read_bytes())
    assert "别县人" in text  # the system account sees everything …
    assert not any(n in text for n in [*numbers, other])  # … masked
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT,
                                     actor_username="jineng-system").count() == 1

"""A person's residence address (常住地址, issue 13 rule 8) at every entry point: the register and
correction pages, the API (register, correct, read), the import (file and API: an optional
column, its length checked with a Chinese row error), the export, and the keyed hash the ring
rule (R08) reads from the contacts selector. Real database, real pages, the API through its
document."""

from __future__ import annotations

import io

import openpyxl
import pyarrow as pa
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jineng.core import pii
from jineng.core.errors import DomainError
from jineng.core.models import AuditAction, AuditEvent
from jineng.registry import selectors, services
from jineng.registry.exports import export_table
from jineng.registry.importers import run
from jineng.registry.models import Person
from tests import factories as f
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db

HOME = "南明区人民路12号3单元401室"
TOO_LONG = "南" * 201


def client_for(user, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def county():
    return f.staff("county_staff", f.COUNTY)


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def address_of(pk: int) -> str:
    return Person.objects.get(pk=pk).address


# --- services ---------------------------------------------------------------------------------

def test_the_service_registers_and_corrects_an_address_and_refuses_one_too_long():
    staff = county()
    person = services.person_register(actor=staff, data=services.PersonInput(
        id_number=f.id_number_for(), name="王五", region=f.region(f.COUNTY),
        address=f"  {HOME} "))
    assert address_of(person.pk) == HOME
    with pytest.raises(DomainError) as refused:
        services.person_register(actor=staff, data=services.PersonInput(
            id_number=f.id_number_for(), name="赵六", region=f.region(f.COUNTY),
            address=TOO_LONG))
    assert refused.value.field == "address" and refused.value.code == "too_long"
    assert Person.objects.count() == 1
    services.person_update(actor=staff, person=person, reason="本人搬家",
                           changes=services.PersonChanges(address="花溪区阳光小区5栋2单元1102室"))
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, entity_id=str(person.pk))
    assert event.before == {"address": HOME}
    assert event.after == {"address": "花溪区阳光小区5栋2单元1102室"}
    with pytest.raises(DomainError) as refused:
        services.person_update(actor=staff, person=person, reason="更正",
                               changes=services.PersonChanges(address=TOO_LONG))
    assert refused.value.field == "address"
    assert address_of(person.pk) == "花溪区阳光小区5栋2单元1102室"


# --- pages ------------------------------------------------------------------------------------

def test_the_register_page_takes_an_address_and_the_person_page_shows_it():
    org = f.OrganizationFactory()
    client = client_for(f.operator(org))
    response = client.post(reverse("registry:person_register"), {
        "id_number": f.id_number_for(), "name": "王老五", "region": f.region(f.COUNTY).pk,
        "address": HOME})
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get()
    assert person.address == HOME and person.registered_by_id == org.pk
    # Shown to whoever may see the person: the institution that registered them, the county.
    for viewer in (client, client_for(county())):
        page = viewer.get(reverse("registry:person_detail", args=[person.pk]))
        assert page.status_code == 200 and HOME in page.content.decode()
    # Not to staff of another county (the person is not theirs to see).
    far = client_for(f.staff("county_staff", f.OTHER_CITY_COUNTY))
    assert far.get(reverse("registry:person_detail", args=[person.pk])).status_code == 404


def test_the_register_page_refuses_an_address_too_long_in_chinese():
    client = client_for(county(), language="zh-hans")
    response = client.post(reverse("registry:person_register"), {
        "id_number": f.id_number_for(), "name": "王老五", "region": f.region(f.COUNTY).pk,
        "address": TOO_LONG})
    assert response.status_code == 400 and not Person.objects.exists()
    errors = response.context["form"].errors
    assert list(errors) == ["address"] and chinese(errors["address"][0])
    assert "200" in errors["address"][0]


def test_the_correction_page_changes_the_address_with_a_reason():
    person = f.PersonFactory(address=HOME)
    client = client_for(county())
    url = reverse("registry:person_edit", args=[person.pk])
    page = client.get(url).content.decode()
    assert HOME in page  # the form starts from what is stored
    form = {"name": person.name, "phone": "", "region": f.region(f.COUNTY).pk,
            "reason": "本人搬家"}
    too_long = client.post(url, {**form, "address": TOO_LONG})
    assert too_long.status_code == 400 and "address" in too_long.context["form"].errors
    assert address_of(person.pk) == HOME
    assert client.post(url, {**form, "address": "南明区人民路12号3单元402室"}).status_code == 302
    assert address_of(person.pk) == "南明区人民路12号3单元402室"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, entity_id=str(person.pk))
    assert event.after == {"address": "南明区人民路12号3单元402室"}


# --- API --------------------------------------------------------------------------------------

def test_the_api_registers_reads_and_corrects_an_address():
    api = OpenApiClient(client_for(county()))
    created = api.call("registry_person_register", json_body={
        "id_number": f.id_number_for(), "name": "李四", "region_code": f.COUNTY,
        "address": HOME})
    assert created.status == 201 and created.body["address"] == HOME
    pk = created.body["id"]
    # Optional: a registration without it stores an empty address.
    bare = api.call("registry_person_register", json_body={
        "id_number": f.id_number_for(), "name": "李五", "region_code": f.COUNTY})
    assert bare.status == 201 and bare.body["address"] == ""
    read = api.call("registry_person_get", path={"person_id": pk})
    assert read.body["address"] == HOME
    # A correction without the address leaves it as it is; with it, changes it.
    kept = api.call("registry_person_update", path={"person_id": pk},
                    json_body={"phone": "13900000000", "reason": "更正"})
    assert kept.status == 200 and kept.body["address"] == HOME
    moved = api.call("registry_person_update", path={"person_id": pk},
                     json_body={"address": "观山湖区长岭路5号1单元101室", "reason": "搬家"})
    assert moved.status == 200 and moved.body["address"] == "观山湖区长岭路5号1单元101室"


def test_the_api_refuses_an_address_too_long_naming_the_field_in_chinese():
    api = OpenApiClient(client_for(county(), language="zh-hans"))
    refused = api.call("registry_person_register", json_body={
        "id_number": f.id_number_for(), "name": "李四", "region_code": f.COUNTY,
        "address": TOO_LONG})
    assert refused.status == 422 and refused.error_fields() == ["address"]
    assert chinese(refused.body["detail"][0]["message"])
    person = f.PersonFactory(address=HOME)
    patch = api.call("registry_person_update", path={"person_id": person.pk},
                     json_body={"address": TOO_LONG, "reason": "更正"})
    assert patch.status == 422 and patch.error_fields() == ["address"]
    assert not Person.objects.exclude(pk=person.pk).exists() and address_of(person.pk) == HOME


# --- import and export ------------------------------------------------------------------------

def persons_csv(*rows: tuple[str, str, str]) -> bytes:
    lines = ["身份证号码,姓名,所在地区代码,常住地址"]
    lines += [f"{number},{name},{f.COUNTY},{address}" for number, name, address in rows]
    return ("\n".join(lines) + "\n").encode()


def test_the_import_reads_the_optional_address_column():
    one, two = f.id_number_for(), f.id_number_for()
    report = run(actor=county(), kind="persons", filename="p.csv",
                 data=persons_csv((one, "周一", HOME), (two, "吴二", "")))
    assert report.ok and report.created == 2
    assert dict(Person.objects.values_list("name", "address")) == {"周一": HOME, "吴二": ""}
    # The same file again is unchanged; another address for a registered person is reported.
    again = run(actor=county(), kind="persons", filename="p.csv",
                data=persons_csv((one, "周一", HOME), (two, "吴二", "")))
    assert again.ok and again.unchanged == 2
    moved = run(actor=county(), kind="persons", filename="p.csv",
                data=persons_csv((one, "周一", "南明区人民路12号3单元402室")))
    assert [(e.row, e.field) for e in moved.errors] == [(2, "address")]
    assert address_of(Person.objects.get(name="周一").pk) == HOME


def test_the_import_refuses_an_address_too_long_with_a_chinese_row_error():
    data = persons_csv((f.id_number_for(), "周一", HOME), (f.id_number_for(), "吴二", TOO_LONG))
    with translation.override("zh-hans"):
        report = run(actor=county(), kind="persons", filename="p.csv", data=data)
        message = str(report.errors[0].message)
    assert [(e.row, e.field) for e in report.errors] == [(3, "address")]
    assert chinese(message) and "200" in message and "201" in message
    assert not report.written and not Person.objects.exists()


def test_the_import_api_takes_the_address_and_reports_a_long_one_by_row():
    api = OpenApiClient(client_for(county(), language="zh-hans"))
    data = persons_csv((f.id_number_for(), "周一", HOME), (f.id_number_for(), "吴二", TOO_LONG))
    upload = SimpleUploadedFile("persons.csv", data, content_type="text/csv")
    refused = api.call("registry_import", path={"kind": "persons"}, files={"file": upload})
    assert refused.status == 200 and refused.body["written"] is False
    assert [(e["row"], e["field"]) for e in refused.body["errors"]] == [(3, "address")]
    assert chinese(refused.body["errors"][0]["message"])
    upload = SimpleUploadedFile("persons.csv", data, content_type="text/csv")
    done = api.call("registry_import", path={"kind": "persons"}, files={"file": upload},
                    form={"skip_bad_rows": "true"})
    assert done.body["written"] is True and done.body["created"] == 1
    assert Person.objects.get().address == HOME


def test_the_import_template_and_the_export_carry_the_address():
    from jineng.registry.importers import IMPORTERS

    book = openpyxl.load_workbook(io.BytesIO(IMPORTERS["persons"].template_xlsx()))
    assert "常住地址" in [c.value for c in book.worksheets[0][1]]
    f.PersonFactory(address=HOME)
    export = export_table(actor=county(), kind="persons", fmt="csv")
    text = b"".join(export.chunks).decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert "常住地址" in header.split(",") and HOME in row.split(",")


# --- the contacts the ring rule reads ---------------------------------------------------------

def test_the_contacts_selector_answers_the_keyed_hash_of_the_normalised_address():
    a = f.PersonFactory(address=HOME, phone="13800000000")
    b = f.PersonFactory(address="南明区 人民路１２号 ３单元（４０１室）")  # the same, typed apart
    c = f.PersonFactory(address="南明区1号", phone="+86 138 0000 0000")  # too short; a's phone
    d = f.PersonFactory(address="南明区人民路12号3单元402室")  # no one else's: links no one
    e = f.PersonFactory()  # neither phone nor address
    raw = selectors.person_contacts_for_risk([p.pk for p in (a, b, c, d, e)])
    assert e.pk not in {pk for pk, _phone, _address in raw}  # neither: not read
    table = selectors.contact_hashes_for_risk([pa.Table.from_pylist(
        [{"person_id": pk, "phone": phone, "address": address} for pk, phone, address in raw],
        schema=selectors.contact_rows_schema_for_risk())])
    rows = list(zip(*(table.column(i).to_pylist() for i in range(3)), strict=True))
    by = {}
    for pk, kind, value in rows:
        by.setdefault(pk, {})[kind] = value
    assert set(by) == {a.pk, b.pk, c.pk}
    assert set(by[a.pk]) == {"phone", "address"} and set(by[b.pk]) == {"address"}
    assert set(by[c.pk]) == {"phone"} and by[c.pk]["phone"] == by[a.pk]["phone"]
    assert by[a.pk]["address"] == by[b.pk]["address"]
    # Only keyed hashes leave: neither the address nor its normalised form.
    text = repr(rows)
    assert HOME not in text and "南明区" not in text
    assert by[a.pk]["address"] == pii.keyed_hash("addr:南明区人民路12号3单元401室")

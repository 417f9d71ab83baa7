"""The dry run (POST /api/subsidy/evaluate): the amount with its steps or the refusal with its
code and sentence, against the person's history in jineng and imported; who may ask."""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal

import pytest

from jineng.accounts.models import Role
from jineng.assessment.views.records import PERSON_KEY
from jineng.core import pii
from jineng.core.models import AuditEvent
from jineng.subsidy.rules import types as t
from jineng.subsidy.services import history
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db


def params() -> t.ParameterSet:
    skill = {"family": "skill"}
    return t.ParameterSet(
        version="gz-dry", region_code=f.PROVINCE, valid_from=dt.date(2026, 1, 1), valid_to=None,
        limits=t.Limits(yearly_limit=3),
        kinds={t.TRAINING: t.KindRules(amount_basis=t.BASIS_CATALOG, **skill),
               t.CERTIFICATE: t.KindRules(amount_basis=t.BASIS_LEVEL_AMOUNTS,
                                          level_amounts={"grade5": Decimal("500")},
                                          needs_certificate=True, claim_window=True, **skill)})


@pytest.fixture
def world(monkeypatch):
    sh.use_params(monkeypatch, params())
    a = sh.assessed_class(1)
    person = a.enrollments[0].person
    return a, person, pii.decrypt(person.id_encrypted)


def ask(client: OpenApiClient, number: str, **kw):
    body = {"id_number": number, "kind": "certificate", "claim_date": "2026-06-01",
            "certificate_date": "2026-04-20", "level": "grade5", **kw}
    return client.call("subsidy_evaluate", json_body=body)


def _import(rows: list[str]):
    head = "claim_number,id_number,name,kind,region,claim_date,amount,level,occupation_code," \
           "paid_on\n"
    data = io.BytesIO((head + "\n".join(rows) + "\n").encode())
    data.name = "old.csv"
    report = history.subsidy_history_import(actor=f.staff(), file=data)
    assert report.ok, report.errors


def test_allowed_with_steps_and_the_year(world):
    a, _person, number = world
    staff = OpenApiClient().login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    before = AuditEvent.objects.count()
    answer = ask(staff, number,
                 occupation_code=a.cls.occupation.code or "")
    assert answer.status == 200, answer.body
    body = answer.body
    assert body["allowed"] and Decimal(body["amount"]) == Decimal("500.00"), body["refusal"]
    assert body["steps"] and all(s["text"] for s in body["steps"])
    assert body["refusal_code"] == "" and body["parameter_version"] == "gz-dry"
    assert body["year"]["used"] == 0 and body["year"]["left"] == 3
    assert body["registered"] and number not in str(body) and body["id_masked"].endswith(
        number[-4:])
    # Nothing written, the ID number in no audit event.
    assert AuditEvent.objects.count() == before


def test_imported_history_refuses_with_the_rule(world):
    a, person, number = world
    code = a.cls.occupation.code or ""
    _import([f"OLD-1,{number},{person.name},certificate,{f.COUNTY},2026-02-01,500,grade5,"
             f"{code},2026-03-01"])
    staff = OpenApiClient().login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    body = ask(staff, number, occupation_code=code).body
    assert not body["allowed"] and body["refusal_code"] == "same_occupation_level"
    assert body["refusal"] and body["history_count"] == 1 and body["year"]["used"] == 1
    _import([f"OLD-{i},{number},{person.name},certificate,{f.COUNTY},2026-0{i}-01,500,,,"
             f"2026-0{i}-20" for i in (2, 3)])
    body = ask(staff, number).body
    assert body["refusal_code"] == "yearly_limit" and "3" in body["refusal"]


def test_a_person_not_registered_counts_the_imported_history(world):
    stranger = f.id_number_for(n=777)
    _import([f"OLD-9,{stranger},王五,training,{f.COUNTY},2026-02-01,800,grade5,,2026-03-01"])
    county = OpenApiClient().login(f.staff(Role.COUNTY_STAFF, f.COUNTY))
    body = ask(county, stranger, region_code=f.COUNTY).body
    assert body["allowed"] and not body["registered"] and body["year"]["used"] == 1
    other = OpenApiClient().login(f.staff(Role.CITY_STAFF, f.OTHER_CITY))
    assert ask(other, stranger, region_code=f.COUNTY).status == 404
    assert ask(county, stranger).status == 400  # no region: name it


def test_who_may_ask(world):
    a, _person, number = world
    assert ask(OpenApiClient().login(a.world.operator), number).status == 200
    stranger_org = f.operator(f.OrganizationFactory())
    assert ask(OpenApiClient().login(stranger_org), number).status == 404
    assert ask(OpenApiClient().login(f.staff(Role.CITY_STAFF, f.OTHER_CITY)),
               number).status == 404
    assert ask(OpenApiClient(), number).status == 404  # anonymous, no identity check
    bad = ask(OpenApiClient().login(f.staff()), number[:-1] + "0"
              if number[-1] != "0" else number[:-1] + "1")
    assert bad.status == 400 and bad.error_fields() == ["id_number"]


def test_the_worker_after_the_identity_check(world):
    _a, person, number = world
    worker = OpenApiClient()
    session = worker.client.session
    session[PERSON_KEY] = {"id": person.pk, "until": time.time() + 600}
    session.save()
    assert ask(worker, number).status == 200
    other = f.id_number_for(n=555)
    f.PersonFactory(plain_id=other)
    assert ask(worker, other).status == 404  # only about oneself


def test_published_sets_are_read_again_when_they_change():
    from jineng.registry.models import Region
    from jineng.subsidy import dry_run
    from jineng.subsidy.models import ParameterSet
    from jineng.subsidy.rules import parameters as loader

    national = next(r for r in loader.shipped_sets() if r.region_code == "")
    county = Region.objects.get(code=f.COUNTY)
    day = dt.date(2026, 6, 1)
    assert dry_run.parameters_for(county, day) is None
    ParameterSet.objects.create(region=None, version=national.version,
                                valid_from=national.valid_from, valid_to=national.valid_to,
                                status="published", yaml_text="#", parsed=national.to_json())
    found = dry_run.parameters_for(county, day)
    assert found is not None and found.version == national.version
    assert dry_run.parameters_for(county, day) is found  # the index kept

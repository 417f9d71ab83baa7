"""Catalog API through its OpenAPI document (tests/openapi.py): public reads, look-ups, and the
workflow with an authorization matrix whose denied cases also change nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.accounts.models import ApiToken, Role
from jineng.catalog import services
from jineng.catalog.choices import CatalogKind, VersionStatus
from jineng.catalog.models import Catalog, CatalogVersion, SubsidyStandardEntry
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.catalog.helpers import D, base_catalog, occupation, publish_rows, subsidy_row, xlsx
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    catalog = base_catalog()
    v1 = publish_rows(catalog, [subsidy_row()], D(2024, 1, 1))
    v2 = publish_rows(catalog, [subsidy_row(amount="1800"),
                                subsidy_row(occupation="焊工", amount="1600")], D(2025, 1, 1))
    return catalog, v1, v2


def test_anyone_reads_published_catalogs_versions_and_entries(client, published):
    catalog, v1, v2 = published
    api = OpenApiClient(client)
    listed = api.call("catalog_list", query={"kind": CatalogKind.SUBSIDY_STANDARD})
    assert listed.status == 200 and [c["id"] for c in listed.body] == [catalog.pk]
    versions = api.call("catalog_version_list", path={"catalog_id": catalog.pk})
    assert [v["number"] for v in versions.body] == [2, 1]
    assert versions.body[1]["effective_to"] == "2024-12-31"
    entries = api.call("catalog_entry_list", path={"version_id": v2.pk},
                       query={"q": "焊工"})
    assert entries.body["count"] == 1
    assert entries.body["items"][0]["values"]["amount"] == "1600.00"
    in_force = api.call("catalog_version_in_force", path={"catalog_id": catalog.pk},
                        query={"day": "2024-05-01"})
    assert in_force.body["number"] == 1
    diff = api.call("catalog_version_diff", path={"old_id": v1.pk, "new_id": v2.pk})
    assert len(diff.body["added"]) == 1 and diff.body["changed"][0]["fields"] == ["补贴标准(元)"]


def test_drafts_answer_404_to_the_public_like_missing_versions(client, published):
    catalog, _v1, _v2 = published
    draft = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                          effective_from=D(2026, 1, 1))
    api = OpenApiClient(client)
    hidden = api.call("catalog_version_get", path={"version_id": draft.pk})
    missing = api.call("catalog_version_get", path={"version_id": 999999})
    assert hidden.status == missing.status == 404 and hidden.body == missing.body
    staff = OpenApiClient(client).login(f.staff())
    assert staff.call("catalog_version_get", path={"version_id": draft.pk}).status == 200


def test_the_subsidy_standard_lookup_names_the_version(client, published):
    _catalog, v1, v2 = published
    api = OpenApiClient(client)
    care = occupation()
    now = api.call("catalog_subsidy_standard_as_of", query={
        "occupation_id": care.pk, "level_code": "grade5", "region_code": f.COUNTY,
        "training_type": "employment", "day": "2025-06-01"})
    assert now.body["found"] and now.body["version_id"] == v2.pk
    assert now.body["entry"]["amount"] == "1800.00"
    before = api.call("catalog_subsidy_standard_as_of", query={
        "occupation_code": care.code, "level_code": "grade5", "region_code": f.COUNTY,
        "training_type": "employment", "day": "2024-06-01"})
    assert before.body["version_id"] == v1.pk
    none = api.call("catalog_subsidy_standard_as_of", query={
        "occupation_id": care.pk, "level_code": "grade5", "region_code": f.COUNTY,
        "training_type": "employment", "day": "2020-06-01"})
    assert none.body == {"found": False, "entry": None, "entry_id": None, "version_id": None,
                         "version_number": None, "catalog_id": None, "catalog_title": None,
                         "citation": None, "reason": None, "message": None}
    bad = api.call("catalog_subsidy_standard_as_of", query={
        "region_code": f.COUNTY, "training_type": "flying"})
    assert bad.status == 422


def test_the_institution_lookup_explains_a_refusal(client):
    trainer = f.OrganizationFactory()
    catalog = base_catalog(CatalogKind.TRAINING_INSTITUTION)
    publish_rows(catalog, [{"credit_code": trainer.credit_code, "occupation": "养老护理员",
                            "min_level": "初级工", "max_level": "初级工"}], D(2025, 1, 1))
    api = OpenApiClient(client)
    care = occupation()
    ok = api.call("catalog_institution_listed_as_of", query={
        "organization_id": trainer.pk, "occupation_id": care.pk, "level_code": "grade5",
        "day": "2025-03-01"})
    assert ok.body["found"] and ok.body["reason"] == "listed"
    no = api.call("catalog_institution_listed_as_of", query={
        "organization_id": trainer.pk, "occupation_id": care.pk, "level_code": "grade4",
        "day": "2025-03-01"})
    assert not no.body["found"] and no.body["reason"] == "level_not_listed"


def test_staff_run_the_whole_workflow_through_the_api(client):
    province = f.staff(Role.PROVINCE_STAFF, f.PROVINCE)
    _row, token = ApiToken.issue(province, "省厅系统")
    api = OpenApiClient(client).bearer(token)
    created = api.call("catalog_create", json_body={"kind": "subsidy_standard",
                                                    "region_code": f.PROVINCE})
    assert created.status == 201
    catalog_id = created.body["id"]
    draft = api.call("catalog_version_create", path={"catalog_id": catalog_id},
                     json_body={"effective_from": "2025-01-01", "change_note": "首版"})
    assert draft.status == 201
    vid = draft.body["id"]
    upload = SimpleUploadedFile("entries.xlsx", xlsx([subsidy_row(), subsidy_row(
        skill_level="中级工", amount="-1")]))
    report = api.call("catalog_entries_import", path={"version_id": vid},
                      files={"file": upload}, form={"mode": "replace"})
    assert report.status == 200 and not report.body["written"]
    assert report.body["errors"] == [{"row": 3, "field": "amount",
                                      "message": report.body["errors"][0]["message"]}]
    added = api.call("catalog_entry_add", path={"version_id": vid}, json_body={"values": {
        "occupation": "养老护理员", "skill_level": "初级工", "training_type": "就业技能培训",
        "amount": "1500", "required_hours": 120, "min_attendance_share": "0.8"}})
    assert added.status == 201
    refused = api.call("catalog_entry_add", path={"version_id": vid}, json_body={"values": {
        "occupation": "养老护理员", "skill_level": "中级工", "training_type": "就业技能培训",
        "amount": "abc", "required_hours": 120, "min_attendance_share": "0.8"}})
    assert refused.status == 400 and refused.error_fields() == ["amount"]
    assert api.call("catalog_version_problems", path={"version_id": vid}).body == []
    assert api.call("catalog_version_submit", path={"version_id": vid}).body["status"] == \
        "review"
    published = api.call("catalog_version_publish", path={"version_id": vid})
    assert published.status == 200 and published.body["status"] == "published"
    again = api.call("catalog_entry_delete", path={"version_id": vid,
                                                   "entry_id": added.body["id"]})
    assert again.status == 409


@pytest.fixture
def filing():
    """A city's supplement filed with the province (in review)."""
    base = base_catalog()
    publish_rows(base, [subsidy_row()], D(2025, 1, 1))
    city = f.staff(Role.CITY_STAFF, f.CITY)
    sup = services.catalog_create(actor=city, kind=base.kind, region=f.region(f.CITY),
                                  base=base)
    version = services.version_create_draft(actor=city, catalog=sup,
                                            effective_from=D(2025, 3, 1))
    services.entries_import(actor=city, version=version, filename="a.xlsx", data=xlsx(
        [subsidy_row(occupation="焊工", amount="1600")]))
    return services.version_submit(actor=city, version=version)


def snapshot(version) -> tuple:
    v = CatalogVersion.objects.get(pk=version.pk)
    return (v.status, v.published_at, v.rejection_reason,
            SubsidyStandardEntry.objects.filter(version=v).count(), AuditEvent.objects.count(),
            Catalog.objects.count())


MATRIX = [
    # who, operation, expected status (denied cases must change nothing). Those who may not
    # even see a filing in review get 404, exactly like a missing one.
    ("anonymous", "catalog_version_publish", 401),
    ("operator", "catalog_version_publish", 404),
    ("county", "catalog_version_publish", 404),
    ("other_province", "catalog_version_publish", 404),
    ("other_province", "catalog_version_reject", 404),
    ("city", "catalog_version_publish", 403),
    ("city", "catalog_version_reject", 403),
    ("province", "catalog_version_submit", 403),
    ("province", "catalog_version_reject", 200),
    ("province", "catalog_version_publish", 200),
]


def actor_for(who: str):
    return {
        "anonymous": None,
        "operator": lambda: f.operator(f.OrganizationFactory()),
        "county": lambda: f.staff(Role.COUNTY_STAFF, f.COUNTY),
        "city": lambda: f.staff(Role.CITY_STAFF, f.CITY),
        "province": lambda: f.staff(Role.PROVINCE_STAFF, f.PROVINCE),
        "other_province": lambda: f.staff(Role.PROVINCE_STAFF, "530000"),
    }[who]


@pytest.mark.parametrize(("who", "operation", "status"), MATRIX)
def test_authorization_matrix_for_a_filing(client, filing, who, operation, status):
    make = actor_for(who)
    api = OpenApiClient(client)
    if make is not None:
        api = api.login(make())
    before = snapshot(filing)
    body = {"reason": "不符合产业规划"} if operation.endswith("reject") else {}
    result = api.call(operation, path={"version_id": filing.pk}, json_body=body)
    assert result.status == status, result.body
    if status >= 400:
        assert snapshot(filing) == before
    else:
        after = CatalogVersion.objects.get(pk=filing.pk).status
        assert after in {VersionStatus.PUBLISHED, VersionStatus.REJECTED}


def test_bad_requests_name_the_field(client, published):
    catalog, _v1, _v2 = published
    api = OpenApiClient(client).login(f.staff())
    early = api.call("catalog_version_create", path={"catalog_id": catalog.pk},
                     json_body={"effective_from": "2024-06-01"})
    assert early.status == 400 and early.error_fields() == ["effective_from"]
    backwards = api.call("catalog_version_create", path={"catalog_id": catalog.pk},
                         json_body={"effective_from": "2026-06-01",
                                    "effective_to": "2026-01-01"})
    assert backwards.status == 400 and backwards.error_fields() == ["effective_to"]
    dup = api.call("catalog_create", json_body={"kind": "subsidy_standard",
                                                "region_code": f.PROVINCE})
    assert dup.status == 409


def test_entry_lists_keep_their_query_budget(client, django_assert_max_num_queries):
    trainer = f.OrganizationFactory()
    sites = [f.SiteFactory(organization=trainer, name=f"教学点{i}") for i in range(3)]
    catalog = base_catalog(CatalogKind.TRAINING_INSTITUTION)
    names = ["养老护理员", "焊工", "电工", "育婴员", "家政服务员", "中式烹调师", "快递员"]
    version = publish_rows(catalog, [
        {"credit_code": trainer.credit_code, "occupation": n, "min_level": "初级工",
         "max_level": "高级工", "sites": "、".join(s.name for s in sites)} for n in names],
        D(2025, 1, 1))
    api = OpenApiClient(client)
    api.call("catalog_entry_list", path={"version_id": version.pk})  # the document, once
    with django_assert_max_num_queries(8):
        result = api.call("catalog_entry_list", path={"version_id": version.pk})
    assert result.body["count"] == len(names)
    assert result.body["items"][0]["values"]["sites"] == "教学点0、教学点1、教学点2"

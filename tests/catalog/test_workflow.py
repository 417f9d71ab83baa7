"""The filing workflow: drafts, review, publication, supplements approved by the province,
permissions per role (denied cases change nothing), immutability of published versions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from jineng.accounts.models import Role
from jineng.catalog import selectors, services
from jineng.catalog.choices import CatalogKind, VersionStatus
from jineng.catalog.models import CatalogVersion, ImmutableVersion, SubsidyStandardEntry
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.catalog.helpers import (
    D,
    base_catalog,
    level,
    occupation,
    publish_rows,
    subsidy_row,
    supplement,
    xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return {
        "province": f.staff(Role.PROVINCE_STAFF, f.PROVINCE),
        "other_province": f.staff(Role.PROVINCE_STAFF, "530000"),
        "city": f.staff(Role.CITY_STAFF, f.CITY),
        "other_city": f.staff(Role.CITY_STAFF, f.OTHER_CITY),
        "county": f.staff(Role.COUNTY_STAFF, f.COUNTY),
        "operator": f.operator(f.OrganizationFactory()),
    }


def state(version: CatalogVersion) -> tuple:
    v = CatalogVersion.objects.get(pk=version.pk)
    return (v.status, v.effective_to, v.published_at,
            SubsidyStandardEntry.objects.filter(version=v).count(), AuditEvent.objects.count())


def test_province_drafts_submits_and_publishes_its_base_catalog(users):
    province = users["province"]
    catalog = services.catalog_create(actor=province, kind=CatalogKind.SUBSIDY_STANDARD,
                                      region=f.region(f.PROVINCE))
    assert catalog.title == "贵州省职业技能培训补贴标准目录"
    version = services.version_create_draft(actor=province, catalog=catalog,
                                            effective_from=D(2025, 1, 1))
    report = services.entries_import(actor=province, version=version,
                                     data=xlsx([subsidy_row()]), filename="a.xlsx")
    assert report.written and report.created == 1
    # a draft is invisible to the public and to other regions' staff
    assert not selectors.catalog_list(actor=None).filter(pk=catalog.pk).exists()
    assert not selectors.catalog_list(actor=users["city"]).filter(pk=catalog.pk).exists()
    version = services.version_submit(actor=province, version=version)
    assert version.status == VersionStatus.REVIEW and version.submitted_by == province
    version = services.version_publish(actor=province, version=version)
    assert version.status == VersionStatus.PUBLISHED and version.approved_by == province
    assert selectors.catalog_list(actor=None).filter(pk=catalog.pk).exists()
    actions = list(AuditEvent.objects.filter(entity_type="catalog.catalogversion",
                                             entity_id=str(version.pk))
                   .order_by("id").values_list("action", "after__status"))
    assert actions == [("create", "draft"), ("import", None), ("transition", "review"),
                       ("transition", "published")]


def test_publishing_a_new_version_cuts_and_supersedes_the_previous_one():
    catalog = base_catalog()
    v1 = publish_rows(catalog, [subsidy_row()], D(2024, 1, 1), D(2026, 12, 31))
    v2 = publish_rows(catalog, [subsidy_row(amount="1800")], D(2025, 7, 1))
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED
    assert v1.effective_to == D(2025, 6, 30) and v1.declared_effective_to == D(2026, 12, 31)
    assert v1.superseded_at == v2.published_at
    # a new draft starts from a copy of the version in force
    v3 = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                       effective_from=D(2026, 1, 1))
    assert v3.based_on == v2 and v3.subsidy_entries.get().amount == 1800


def test_new_versions_must_start_after_the_current_one_and_one_at_a_time():
    catalog = base_catalog()
    publish_rows(catalog, [subsidy_row()], D(2025, 1, 1))
    with pytest.raises(DomainError) as bad:
        services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                      effective_from=D(2025, 1, 1))
    assert bad.value.field == "effective_from"
    with pytest.raises(DomainError) as bad:
        services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                      effective_from=D(2025, 6, 1), effective_to=D(2025, 5, 1))
    assert bad.value.field == "effective_to" and "before" in bad.value.message
    services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                  effective_from=D(2025, 6, 1))
    with pytest.raises(Conflict):
        services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                      effective_from=D(2025, 9, 1))


def test_an_empty_or_invalid_draft_cannot_be_submitted():
    catalog = base_catalog()
    version = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                            effective_from=D(2025, 1, 1))
    with pytest.raises(DomainError) as bad:
        services.version_submit(actor=services.SYSTEM, version=version)
    assert bad.value.code == "version_invalid" and bad.value.field == "entries"
    services.entries_import(actor=services.SYSTEM, version=version, filename="a.xlsx",
                            data=xlsx([subsidy_row(valid_to="2025-12-31")]))
    # the version's dates move after the import: the entry now ends after the version does
    services.version_update_draft(actor=services.SYSTEM, version=version,
                                  effective_from=D(2025, 1, 1), effective_to=D(2025, 6, 30),
                                  change_note="")
    with pytest.raises(DomainError) as bad:
        services.version_submit(actor=services.SYSTEM, version=version)
    assert bad.value.field == "valid_to" and "row 2" in bad.value.message
    assert CatalogVersion.objects.get(pk=version.pk).status == VersionStatus.DRAFT


def test_a_city_files_a_supplement_that_applies_only_after_the_province_approves(users):
    base = base_catalog()
    publish_rows(base, [subsidy_row()], D(2025, 1, 1))
    city, province = users["city"], users["province"]
    sup = services.catalog_create(actor=city, kind=CatalogKind.SUBSIDY_STANDARD,
                                  region=f.region(f.CITY), base=base)
    version = services.version_create_draft(actor=city, catalog=sup,
                                            effective_from=D(2025, 3, 1))
    services.entries_import(actor=city, version=version, filename="s.xlsx", data=xlsx([
        subsidy_row(amount="1900", region_code=f.CITY, overrides_base="是",
                    override_reason="本市紧缺")]))
    version = services.version_submit(actor=city, version=version)
    day = D(2025, 6, 1)
    care, grade5 = occupation(), level()
    # filed but not approved: the base still answers, the public cannot see the filing
    assert selectors.subsidy_standard_as_of(care, grade5, f.COUNTY, "employment",
                                            day).entry.amount == 1500
    assert not selectors.catalog_list(actor=None).filter(pk=sup.pk).exists()
    assert selectors.filings_awaiting(actor=province).filter(pk=version.pk).exists()
    # the city cannot approve its own filing; a county cannot either
    for who in (city, users["county"]):
        before = state(version)
        with pytest.raises(Forbidden):
            services.version_publish(actor=who, version=version)
        assert state(version) == before
    services.version_publish(actor=province, version=version)
    answer = selectors.subsidy_standard_as_of(care, grade5, f.COUNTY, "employment", day)
    assert answer.entry.amount == 1900 and answer.catalog_id == sup.pk
    # other cities still get the base standard; before the supplement's start, so does Guiyang
    assert selectors.subsidy_standard_as_of(care, grade5, f.OTHER_CITY_COUNTY, "employment",
                                            day).entry.amount == 1500
    assert selectors.subsidy_standard_as_of(care, grade5, f.COUNTY, "employment",
                                            D(2025, 2, 1)).entry.amount == 1500


def test_county_supplement_beats_city_supplement_beats_base():
    base = base_catalog()
    publish_rows(base, [subsidy_row()], D(2025, 1, 1))
    why = {"overrides_base": "是", "override_reason": "地方紧缺"}
    publish_rows(supplement(base, f.CITY), [subsidy_row(amount="1700", **why)], D(2025, 1, 1))
    publish_rows(supplement(base, f.COUNTY), [subsidy_row(amount="1800", **why)],
                 D(2025, 1, 1))
    day, care, grade5 = D(2025, 5, 1), occupation(), level()
    amounts = {code: selectors.subsidy_standard_as_of(care, grade5, code, "employment",
                                                      day).entry.amount
               for code in (f.COUNTY, f.OTHER_COUNTY, f.OTHER_CITY_COUNTY)}
    assert amounts == {f.COUNTY: 1800, f.OTHER_COUNTY: 1700, f.OTHER_CITY_COUNTY: 1500}


def test_supplements_must_be_filed_by_their_own_region_under_a_base(users):
    base = base_catalog()
    with pytest.raises(Forbidden):
        services.catalog_create(actor=users["other_city"], kind=base.kind,
                                region=f.region(f.CITY), base=base)
    with pytest.raises(Forbidden):  # base catalogs are the province's
        services.catalog_create(actor=users["city"], kind=base.kind,
                                region=f.region(f.PROVINCE))
    with pytest.raises(DomainError) as bad:
        services.catalog_create(actor=users["city"], kind=base.kind, region=f.region(f.CITY))
    assert bad.value.field == "base"
    with pytest.raises(DomainError) as bad:
        services.catalog_create(actor=services.SYSTEM, kind=base.kind,
                                region=f.region("530100"), base=base)
    assert bad.value.field == "region"
    with pytest.raises(DomainError) as bad:
        services.catalog_create(actor=services.SYSTEM, kind=CatalogKind.QUALIFICATION,
                                region=f.region(f.CITY), base=base)
    assert bad.value.field == "kind"
    services.catalog_create(actor=users["county"], kind=base.kind, region=f.region(f.COUNTY),
                            base=base)
    with pytest.raises(Conflict):
        services.catalog_create(actor=services.SYSTEM, kind=base.kind,
                                region=f.region(f.COUNTY), base=base)


@pytest.mark.parametrize("who", ["other_province", "city", "county", "operator"])
def test_only_the_province_edits_and_publishes_its_base_catalog(users, who):
    catalog = base_catalog()
    publish_rows(catalog, [subsidy_row()], D(2025, 1, 1))
    draft = services.version_create_draft(actor=users["province"], catalog=catalog,
                                          effective_from=D(2026, 1, 1))
    before = state(draft)
    actor = users[who]
    attempts = [
        lambda: services.version_create_draft(actor=actor, catalog=catalog,
                                              effective_from=D(2027, 1, 1)),
        lambda: services.entries_import(actor=actor, version=draft, data=xlsx([]),
                                        filename="a.xlsx"),
        lambda: services.entry_delete(actor=actor, version=draft,
                                      entry_id=draft.subsidy_entries.first().pk),
        lambda: services.version_submit(actor=actor, version=draft),
        lambda: services.version_publish(actor=actor, version=draft),
        lambda: services.version_reject(actor=actor, version=draft, reason="x"),
        lambda: services.version_discard(actor=actor, version=draft),
    ]
    for attempt in attempts:
        with pytest.raises(Forbidden):
            attempt()
    assert state(draft) == before


def test_the_province_rejects_a_filing_with_a_reason_and_the_city_reopens_it(users):
    base = base_catalog()
    publish_rows(base, [subsidy_row()], D(2025, 1, 1))
    sup = supplement(base)
    version = services.version_create_draft(actor=users["city"], catalog=sup,
                                            effective_from=D(2025, 3, 1))
    services.entries_import(actor=users["city"], version=version, filename="s.xlsx",
                            data=xlsx([subsidy_row(special_ability_item="苗绣制作",
                                                   occupation="", skill_level="",
                                                   amount="900")]))
    services.version_submit(actor=users["city"], version=version)
    with pytest.raises(DomainError) as bad:
        services.version_reject(actor=users["province"], version=version, reason=" ")
    assert bad.value.field == "reason"
    rejected = services.version_reject(actor=users["province"], version=version,
                                       reason="补贴标准偏高")
    assert rejected.status == VersionStatus.REJECTED
    assert rejected.rejection_reason == "补贴标准偏高"
    with pytest.raises(Conflict):  # a rejected filing is not published
        services.version_publish(actor=users["province"], version=rejected)
    reopened = services.version_reopen(actor=users["city"], version=rejected)
    assert reopened.status == VersionStatus.DRAFT
    event = AuditEvent.objects.filter(entity_id=str(version.pk), after__status="rejected").get()
    assert event.reason == "补贴标准偏高" and event.actor == users["province"]


def test_published_versions_and_their_entries_cannot_be_edited():
    catalog = base_catalog()
    version = publish_rows(catalog, [subsidy_row()], D(2025, 1, 1))
    version = CatalogVersion.objects.get(pk=version.pk)
    entry = version.subsidy_entries.get()
    version.change_note = "rewritten"
    with pytest.raises(ImmutableVersion):
        version.save()
    entry.amount = 99
    with pytest.raises(ImmutableVersion):
        entry.save()
    with pytest.raises(ImmutableVersion):
        entry.delete()
    with pytest.raises(ImmutableVersion):
        version.delete()
    with pytest.raises(Conflict):
        services.entry_delete(actor=services.SYSTEM, version=version, entry_id=entry.pk)
    with pytest.raises(Conflict):
        services.entries_import(actor=services.SYSTEM, version=version, data=xlsx([]),
                                filename="a.xlsx")
    # and the database refuses too, whoever bypasses the models
    for sql, params in [
        ("UPDATE catalog_subsidystandardentry SET amount = 1 WHERE id = %s", [entry.pk]),
        ("UPDATE catalog_catalogversion SET effective_from = '2020-01-01' WHERE id = %s",
         [version.pk]),
        ("UPDATE catalog_catalogversion SET status = 'draft' WHERE id = %s", [version.pk]),
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, params)
    with pytest.raises(DatabaseError), transaction.atomic():
        SubsidyStandardEntry.objects.bulk_create([SubsidyStandardEntry(
            version=version, occupation=entry.occupation, skill_level=entry.skill_level,
            region=entry.region, training_type="upskilling", amount=1, required_hours=1,
            min_attendance_share=1)])
    if connection.vendor == "postgresql":  # SQLite leaves DELETE to the models (test flush)
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute("DELETE FROM catalog_subsidystandardentry WHERE id = %s", [entry.pk])
    # a superseded version may not be lengthened again either
    publish_rows(catalog, [subsidy_row()], D(2026, 1, 1))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE catalog_catalogversion SET effective_to = NULL WHERE id = %s",
                  [version.pk])
    version.refresh_from_db()
    assert version.effective_to == D(2025, 12, 31)
    assert version.subsidy_entries.get().amount == 1500


def test_a_draft_can_be_discarded_and_entries_removed_one_by_one():
    catalog = base_catalog()
    draft = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                          effective_from=D(2025, 1, 1))
    services.entries_import(actor=services.SYSTEM, version=draft, filename="a.xlsx", data=xlsx(
        [subsidy_row(), subsidy_row(skill_level="中级工", amount="2000")]))
    first = draft.subsidy_entries.order_by("pk").first()
    services.entry_delete(actor=services.SYSTEM, version=draft, entry_id=first.pk)
    assert draft.subsidy_entries.count() == 1
    services.version_discard(actor=services.SYSTEM, version=draft)
    assert not CatalogVersion.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="delete", entity_id=str(draft.pk)).exists()


def test_entry_add_uses_the_import_checks_and_counts_a_repeat_once():
    catalog = base_catalog()
    draft = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                          effective_from=D(2025, 1, 1))
    values = {"occupation": "养老护理员", "skill_level": "初级工", "training_type": "employment",
              "amount": 1500, "required_hours": 120, "min_attendance_share": "0.8"}
    entry = services.entry_add(actor=services.SYSTEM, version=draft, values=values)
    assert entry.amount == 1500 and entry.government_share == 1
    with pytest.raises(Conflict):
        services.entry_add(actor=services.SYSTEM, version=draft, values=values)
    with pytest.raises(DomainError) as bad:
        services.entry_add(actor=services.SYSTEM, version=draft,
                           values={**values, "amount": -5})
    assert bad.value.field == "amount"
    assert draft.subsidy_entries.count() == 1


def test_version_in_force_and_history_are_public_but_drafts_are_not(users):
    catalog = base_catalog()
    v1 = publish_rows(catalog, [subsidy_row()], D(2025, 1, 1))
    draft = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                          effective_from=D(2026, 1, 1))
    assert list(selectors.version_list(actor=None, catalog=catalog)) == [v1]
    assert set(selectors.version_list(actor=users["province"], catalog=catalog)) == {v1, draft}
    assert list(selectors.version_list(actor=users["city"], catalog=catalog)) == [v1]
    assert selectors.version_in_force(catalog, dt.date(2024, 12, 31)) is None

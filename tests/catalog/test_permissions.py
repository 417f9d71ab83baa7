"""One permission vocabulary: the pure predicates table by table, and, for each role, that a
page offers a form exactly when posting it succeeds (the test client renders the real
templates and the posts go through the real views and services)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jineng.accounts.models import Role
from jineng.catalog import services
from jineng.catalog.choices import CatalogKind, VersionStatus
from jineng.catalog.models import Catalog, CatalogVersion, SubsidyStandardEntry
from jineng.catalog.rules import permissions as perm
from jineng.core.errors import Forbidden
from tests import factories as f
from tests.catalog.helpers import D, base_catalog, publish_rows, subsidy_row, supplement, xlsx

# --- the pure predicates ---------------------------------------------------------------------

PROVINCE = perm.ActorFacts(hrss_staff=True, region_code="520000")
OTHER_PROVINCE = perm.ActorFacts(hrss_staff=True, region_code="530000")
CITY = perm.ActorFacts(hrss_staff=True, region_code="520100")
OTHER_CITY = perm.ActorFacts(hrss_staff=True, region_code="520300")
COUNTY = perm.ActorFacts(hrss_staff=True, region_code="520102")
INDUSTRY = perm.ActorFacts(hrss_staff=False, region_code="520000")  # a department of the province
OPERATOR = perm.ActorFacts()
ANONYMOUS = perm.ActorFacts()
ADMIN = perm.ActorFacts(everything=True)
SYSTEM = perm.ActorFacts(everything=True, system=True)

BASE = perm.CatalogFacts("520000")
CITY_SUPPLEMENT = perm.CatalogFacts("520100", base_region_code="520000")
COUNTY_SUPPLEMENT = perm.CatalogFacts("520102", base_region_code="520000")

KEEPING = [perm.may_create_catalog, perm.may_create_draft, perm.may_update_draft,
           perm.may_discard_draft, perm.may_add_entry, perm.may_delete_entry,
           perm.may_import_entries, perm.may_submit, perm.may_reopen]
APPROVING = [perm.may_publish, perm.may_reject]

# actor, catalog, keeps (drafts, entries, submits), approves (publishes, rejects)
MATRIX = [
    (PROVINCE, BASE, True, True),  # same region
    (OTHER_PROVINCE, BASE, False, False),  # another province
    (CITY, BASE, False, False),  # below the issuer
    (COUNTY, BASE, False, False),
    (INDUSTRY, BASE, False, False),  # same region, not HRSS
    (OPERATOR, BASE, False, False),
    (ANONYMOUS, BASE, False, False),
    (ADMIN, BASE, True, True),
    (SYSTEM, BASE, True, True),
    (CITY, CITY_SUPPLEMENT, True, False),  # the city files; only the province approves
    (OTHER_CITY, CITY_SUPPLEMENT, False, False),  # a sibling city
    (PROVINCE, CITY_SUPPLEMENT, False, True),  # above: approves, never edits
    (OTHER_PROVINCE, CITY_SUPPLEMENT, False, False),
    (COUNTY, CITY_SUPPLEMENT, False, False),  # below the filer
    (INDUSTRY, CITY_SUPPLEMENT, False, False),
    (ADMIN, CITY_SUPPLEMENT, True, True),
    (COUNTY, COUNTY_SUPPLEMENT, True, False),  # a county cannot publish, even its own
    (CITY, COUNTY_SUPPLEMENT, False, False),  # nor can its city approve it
    (PROVINCE, COUNTY_SUPPLEMENT, False, True),
    (INDUSTRY, COUNTY_SUPPLEMENT, False, False),
]


@pytest.mark.parametrize(("actor", "catalog", "keeps", "approves"), MATRIX)
def test_each_predicate_by_role_and_region(actor, catalog, keeps, approves):
    for predicate in KEEPING:
        assert predicate(actor, catalog) is keeps, predicate.__name__
    for predicate in APPROVING:
        assert predicate(actor, catalog) is approves, predicate.__name__


@pytest.mark.parametrize(("actor", "creates", "purges"), [
    (PROVINCE, True, False), (CITY, True, False), (COUNTY, True, False),
    (INDUSTRY, False, False), (OPERATOR, False, False), (ANONYMOUS, False, False),
    (perm.ActorFacts(everything=True, region_code="520000"), True, False),
    (ADMIN, False, False),  # no region of its own: the form has nothing to create for
    (SYSTEM, False, True),  # only a system job purges published catalogs
])
def test_creating_catalogs_and_purging(actor, creates, purges):
    assert perm.may_create_catalogs(actor) is creates
    assert perm.may_purge(actor) is purges


@pytest.mark.parametrize(("actor", "catalog", "status", "offered"), [
    (PROVINCE, BASE, perm.DRAFT,
     {"update", "discard", "add_entry", "delete_entry", "import", "submit"}),
    (PROVINCE, BASE, perm.REVIEW, {"publish", "reject"}),
    (PROVINCE, BASE, perm.REJECTED, {"reopen"}),
    (PROVINCE, BASE, "published", set()),
    (PROVINCE, CITY_SUPPLEMENT, perm.DRAFT, set()),
    (PROVINCE, CITY_SUPPLEMENT, perm.REVIEW, {"publish", "reject"}),
    (PROVINCE, CITY_SUPPLEMENT, perm.REJECTED, set()),
    (CITY, CITY_SUPPLEMENT, perm.DRAFT,
     {"update", "discard", "add_entry", "delete_entry", "import", "submit"}),
    (CITY, CITY_SUPPLEMENT, perm.REVIEW, set()),
    (CITY, CITY_SUPPLEMENT, perm.REJECTED, {"reopen"}),
    (INDUSTRY, BASE, perm.DRAFT, set()),
    (INDUSTRY, BASE, perm.REVIEW, set()),
])
def test_version_actions_follow_role_region_and_status(actor, catalog, status, offered):
    actions = perm.version_actions(actor, catalog, status)
    assert {name for name, yes in actions.items() if yes} == offered


def test_catalog_actions_offer_a_draft_only_while_none_is_open():
    assert perm.catalog_actions(PROVINCE, BASE, has_open_version=False)["create_draft"]
    assert not perm.catalog_actions(PROVINCE, BASE, has_open_version=True)["create_draft"]
    assert not perm.catalog_actions(CITY, BASE, has_open_version=False)["create_draft"]
    assert perm.catalog_actions(PROVINCE, CITY_SUPPLEMENT, has_open_version=True)["manage"]


def test_the_status_names_are_the_choices():
    assert (perm.DRAFT, perm.REVIEW, perm.REJECTED) == (
        VersionStatus.DRAFT, VersionStatus.REVIEW, VersionStatus.REJECTED)


# --- pages offer exactly what the services accept --------------------------------------------

pytest_db = pytest.mark.django_db

ROLES = ["province", "city", "county", "industry", "operator", "anonymous"]


def _login(client, role: str):
    users = {
        "province": lambda: f.staff(Role.PROVINCE_STAFF, f.PROVINCE),
        "city": lambda: f.staff(Role.CITY_STAFF, f.CITY),
        "county": lambda: f.staff(Role.COUNTY_STAFF, f.COUNTY),
        "industry": lambda: f.staff(Role.INDUSTRY_STAFF, f.PROVINCE),
        "operator": lambda: f.operator(f.OrganizationFactory()),
    }
    if role in users:
        client.force_login(users[role]())


def _world(owner: str, status: str | None):
    """A published base catalog of the province (and, for owner "city", the city's
    supplement); the owner's catalog gets a version in `status` (None: no open version)."""
    base = base_catalog()
    publish_rows(base, [subsidy_row(), subsidy_row(skill_level="中级工", amount="2000")],
                 D(2024, 1, 1))
    catalog = base if owner == "province" else supplement(base, f.CITY)
    if status is None:
        return catalog, None
    version = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                            effective_from=D(2026, 1, 1))
    if owner == "city":
        services.entry_add(actor=services.SYSTEM, version=version,
                           values=subsidy_row(occupation="焊工", amount="1600"))
    if status in (VersionStatus.REVIEW, VersionStatus.REJECTED):
        version = services.version_submit(actor=services.SYSTEM, version=version)
    if status == VersionStatus.REJECTED:
        version = services.version_reject(actor=services.SYSTEM, version=version,
                                          reason="补充材料")
    return catalog, version


def _version_url(name, version, *extra):
    return reverse(f"catalog:{name}", args=[version.catalog_id, version.number, *extra])


def _entry(version):
    return SubsidyStandardEntry.objects.filter(version=version).order_by("pk").first()


def _state(version):
    return CatalogVersion.objects.filter(pk=version.pk).first()


# action: (version status of the world, form marker on the page, post, did it succeed)
VERSION_ACTIONS = {
    "update": (VersionStatus.DRAFT, 'id="update-form"',
               lambda c, v: c.post(_version_url("version_update", v), {
                   "effective_from": "2026-02-01", "change_note": "改期"}),
               lambda v: _state(v).effective_from == D(2026, 2, 1)),
    "import": (VersionStatus.DRAFT, 'id="import-form"',
               lambda c, v: c.post(_version_url("version_manage", v), {
                   "mode": "append", "file": SimpleUploadedFile("e.xlsx", xlsx(
                       [subsidy_row(occupation="电工", amount="1700")]))}),
               lambda v: SubsidyStandardEntry.objects.filter(
                   version=v, occupation__name="电工").exists()),
    "delete_entry": (VersionStatus.DRAFT, 'class="inline delete-entry"',
                     lambda c, v: c.post(_version_url("entry_delete", v, v.first_entry)),
                     lambda v: not SubsidyStandardEntry.objects.filter(
                         pk=v.first_entry).exists()),
    "submit": (VersionStatus.DRAFT, 'id="submit-form"',
               lambda c, v: c.post(_version_url("version_submit", v)),
               lambda v: _state(v).status == VersionStatus.REVIEW),
    "discard": (VersionStatus.DRAFT, 'id="discard-form"',
                lambda c, v: c.post(_version_url("version_discard", v)),
                lambda v: _state(v) is None),
    "publish": (VersionStatus.REVIEW, 'id="publish-form"',
                lambda c, v: c.post(_version_url("version_publish", v)),
                lambda v: _state(v).status == VersionStatus.PUBLISHED),
    "reject": (VersionStatus.REVIEW, 'id="reject-form"',
               lambda c, v: c.post(_version_url("version_reject", v), {"reason": "不全"}),
               lambda v: _state(v).status == VersionStatus.REJECTED),
    "reopen": (VersionStatus.REJECTED, 'id="reopen-form"',
               lambda c, v: c.post(_version_url("version_reopen", v)),
               lambda v: _state(v).status == VersionStatus.DRAFT),
}
KEEPS = {"update", "import", "delete_entry", "submit", "discard", "reopen"}
APPROVES = {"publish", "reject"}


def _offered(client, url: str, marker: str) -> bool:
    response = client.get(url)
    if response.status_code != 200:
        return False
    return marker in response.content.decode()


@pytest_db
@pytest.mark.parametrize("owner", ["province", "city"])
@pytest.mark.parametrize("action", sorted(VERSION_ACTIONS))
@pytest.mark.parametrize("role", ROLES)
def test_the_version_page_offers_a_form_exactly_when_posting_it_succeeds(
        client, role, action, owner):
    status, marker, post, succeeded = VERSION_ACTIONS[action]
    _catalog, version = _world(owner, status)
    version.first_entry = _entry(version).pk
    _login(client, role)
    offered = _offered(client, _version_url("version_manage", version), marker)
    post(client, version)
    assert offered is bool(succeeded(version))
    # and who that is: the owner's staff keep drafts, the province approves
    expected = (role == owner and action in KEEPS) or (role == "province" and action in APPROVES)
    assert offered is expected


@pytest_db
@pytest.mark.parametrize("owner", ["province", "city"])
@pytest.mark.parametrize("role", ROLES)
def test_the_catalog_page_offers_a_new_draft_exactly_when_creating_one_succeeds(
        client, role, owner):
    catalog, _none = _world(owner, None)
    before = CatalogVersion.objects.filter(catalog=catalog).count()
    _login(client, role)
    detail = client.get(reverse("catalog:detail", args=[catalog.pk]))
    link = detail.status_code == 200 and 'id="new-version"' in detail.content.decode()
    url = reverse("catalog:draft_create", args=[catalog.pk])
    form = client.get(url)
    form_shown = form.status_code == 200 and 'name="effective_from"' in form.content.decode()
    client.post(url, {"effective_from": "2026-01-01", "copy_entries": "on"})
    created = CatalogVersion.objects.filter(catalog=catalog).count() > before
    assert link is form_shown is created is (role == owner)


@pytest_db
@pytest.mark.parametrize("role", ROLES)
def test_the_manage_page_offers_the_new_catalog_form_exactly_when_creating_succeeds(
        client, role):
    _world("province", None)  # a published base: cities and counties may add a supplement
    _login(client, role)
    page = client.get(reverse("catalog:manage"))
    offered = page.status_code == 200 and 'id="catalog-form"' in page.content.decode()
    before = Catalog.objects.count()
    kind = (CatalogKind.TRAINING_INSTITUTION if role == "province"
            else CatalogKind.SUBSIDY_STANDARD)
    client.post(reverse("catalog:manage"), {"kind": kind})
    assert offered is (Catalog.objects.count() > before)
    assert offered is (role in {"province", "city", "county"})


@pytest_db
def test_services_refuse_with_the_same_predicates():
    """`ensure` raises for those the predicates refuse (its message names who may)."""
    catalog, version = _world("city", VersionStatus.REVIEW)
    city = f.staff(Role.CITY_STAFF, f.CITY)
    with pytest.raises(Forbidden, match=re.escape("province")):
        services.version_publish(actor=city, version=version)
    with pytest.raises(Forbidden, match="supplement"):
        services.entry_add(actor=f.staff(Role.PROVINCE_STAFF, f.PROVINCE), version=version,
                           values=subsidy_row())
    with pytest.raises(Forbidden):
        services.catalogs_purge(actor=f.UserFactory(is_superuser=True), catalogs=[catalog])

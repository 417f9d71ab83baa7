"""Catalog review shows training quality: the page of an institution catalog's version (and of a
city's supplement) shows each listed institution's composite score, its rank among the latest
outcomes run's institutions and the trainees behind it, answered by the outcomes app through
catalog.hooks.institution_quality. Nothing breaks, and nothing is shown, without a provider,
without a run, for a user who is not HRSS staff or for an institution out of scope."""

from __future__ import annotations

import re

import pytest

from jineng.accounts.models import Role
from jineng.catalog import hooks, services
from jineng.catalog.choices import CatalogKind
from tests import factories as f
from tests.catalog.helpers import D, base_catalog, supplement, xlsx
from tests.outcomes import factories as of

pytestmark = pytest.mark.django_db


def _draft_with(catalog, *orgs):
    version = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                            effective_from=D(2025, 1, 1))
    rows = [{"credit_code": o.credit_code, "occupation": "养老护理员", "min_level": "初级工",
             "max_level": "初级工"} for o in orgs]
    report = services.entries_import(actor=services.SYSTEM, version=version,
                                     data=xlsx(rows, CatalogKind.TRAINING_INSTITUTION),
                                     filename="x.xlsx", mode="replace")
    assert report.ok, report.as_dict()
    return version


def _run_with(scores: dict):
    run = of.run()
    for org, composite in scores.items():
        of.cell(run, "composite", key=org.pk, value=composite, trainees=23)
        of.cell(run, "employment", key=org.pk, value=0.6, trainees=23)
    return run


def _panel(client, version):
    response = client.get(f"/catalogs/{version.catalog_id}/v{version.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(r'<section class="panel" id="quality">(.*?)</section>', html, re.S)
    return match.group(1) if match else None


def test_the_review_page_shows_score_rank_and_cell_size(client):
    a, b, c = (f.OrganizationFactory(name=n) for n in ("甲培训学校", "乙培训学校", "丙培训学校"))
    _run_with({a: 0.81, b: 0.62, c: 0.55})
    version = _draft_with(base_catalog(CatalogKind.TRAINING_INSTITUTION), a, b)
    client.force_login(f.staff(Role.PROVINCE_STAFF, f.PROVINCE))
    panel = _panel(client, version)
    assert panel is not None
    row_b = re.search(rf'<tr data-org="{b.pk}">(.*?)</tr>', panel, re.S).group(1)
    assert "乙培训学校" in row_b and "0.620" in row_b
    assert re.search(r'data-field="rank">\s*2 of 3', row_b)
    assert re.search(r'data-field="trainees">23<', row_b)
    assert f'href="/outcomes/quality/institutions/{b.pk}/"' in row_b
    assert f'data-org="{c.pk}"' not in panel  # not on this page of the catalog


def test_a_city_supplement_shows_it_too(client):
    a = f.OrganizationFactory(name="甲培训学校")
    _run_with({a: 0.7})
    base = base_catalog(CatalogKind.TRAINING_INSTITUTION)
    version = _draft_with(supplement(base), a)
    client.force_login(f.staff(Role.CITY_STAFF, f.CITY))
    panel = _panel(client, version)
    assert panel is not None and "Training quality of the institutions" in panel
    assert re.search(r'data-field="rank">\s*1 of 1', panel)


def test_nothing_shown_and_nothing_broken_without_a_run_or_a_figure(client):
    a = f.OrganizationFactory()
    version = _draft_with(base_catalog(CatalogKind.TRAINING_INSTITUTION), a)
    client.force_login(f.staff(Role.PROVINCE_STAFF, f.PROVINCE))
    assert _panel(client, version) is None  # no run at all
    _run_with({f.OrganizationFactory(): 0.5})  # a run without a figure for `a`
    assert _panel(client, version) is None


def test_nothing_shown_and_nothing_broken_without_a_provider(client):
    a = f.OrganizationFactory()
    _run_with({a: 0.7})
    version = _draft_with(base_catalog(CatalogKind.TRAINING_INSTITUTION), a)
    client.force_login(f.staff(Role.PROVINCE_STAFF, f.PROVINCE))
    saved = list(hooks.institution_quality.items())
    for name, _provider in saved:
        hooks.institution_quality.unregister(name)
    try:
        assert hooks.quality_of(actor=None, organization_ids=[a.pk]) == {}
        assert _panel(client, version) is None
    finally:
        for name, provider in saved:
            hooks.institution_quality.register(name, provider)
    assert _panel(client, version) is not None


def test_only_hrss_staff_who_see_the_institution_get_figures(client):
    a = f.OrganizationFactory()  # in the factories' county (Guiyang)
    _run_with({a: 0.7})
    version = _draft_with(base_catalog(CatalogKind.TRAINING_INSTITUTION), a)
    client.force_login(f.staff(Role.INDUSTRY_STAFF, f.PROVINCE, sector="elderly_child_care"))
    assert _panel(client, version) is None  # not HRSS staff: the ranking is theirs only
    answer = hooks.quality_of(actor=f.staff(Role.CITY_STAFF, f.OTHER_CITY),
                              organization_ids=[a.pk])
    assert answer == {}  # out of that city's scope: nothing, not an error


def test_other_catalog_kinds_ask_nothing(client, monkeypatch):
    asked = []
    monkeypatch.setattr(hooks, "quality_of", lambda **kw: asked.append(kw) or {})
    catalog = base_catalog(CatalogKind.SUBSIDY_STANDARD)
    version = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                            effective_from=D(2025, 1, 1))
    client.force_login(f.staff(Role.PROVINCE_STAFF, f.PROVINCE))
    assert _panel(client, version) is None and asked == []

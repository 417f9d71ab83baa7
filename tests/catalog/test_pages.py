"""Public pages (no login), downloads opened with openpyxl and checked as PDF, and the staff
pages of the workflow."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from jineng.accounts.models import Role
from jineng.catalog import exports, services
from jineng.catalog.choices import CatalogKind, VersionStatus
from jineng.catalog.models import CatalogVersion
from tests import factories as f
from tests.catalog.helpers import D, base_catalog, publish_rows, subsidy_row, supplement, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    catalog = base_catalog()
    v1 = publish_rows(catalog, [subsidy_row(), subsidy_row(occupation="焊工", amount="1600"),
                                subsidy_row(occupation="电工", amount="1700")], D(2024, 1, 1))
    v2 = publish_rows(catalog, [subsidy_row(amount="1800"),
                                subsidy_row(occupation="焊工", amount="1600"),
                                subsidy_row(occupation="育婴员", amount="1400"),
                                subsidy_row(occupation="焊工", skill_level="中级工",
                                            amount="2200", training_type="岗位技能提升培训",
                                            government_share="0.6", enterprise_share="0.3",
                                            individual_share="0.1")], D(2025, 1, 1),
                      now=None)
    return catalog, v1, v2


def test_the_public_sees_published_catalogs_only(client, published):
    catalog, _v1, _v2 = published
    hidden = supplement(catalog)
    services.version_create_draft(actor=services.SYSTEM, catalog=hidden,
                                  effective_from=D(2025, 1, 1))
    page = client.get(reverse("catalog:index"))
    assert page.status_code == 200
    assert f'data-catalog="{catalog.pk}"' in page.content.decode()
    assert f'data-catalog="{hidden.pk}"' not in page.content.decode()
    assert client.get(reverse("catalog:detail", args=[hidden.pk])).status_code == 404


def rows_of(response) -> list[str]:
    return re.findall(r'<tr data-entry="\d+">(.*?)</tr>', response.content.decode(), re.S)


def test_the_catalog_page_searches_and_filters_the_version_in_force(client, published):
    catalog, v1, v2 = published
    url = reverse("catalog:detail", args=[catalog.pk])
    page = client.get(url)
    assert f'data-version="{v2.number}"' in page.content.decode()
    assert len(rows_of(page)) == 4
    care = rows_of(client.get(url, {"q": "养老护理员"}))
    assert len(care) == 1 and "1800.00" in care[0]
    assert len(rows_of(client.get(url, {"q": "4-10-01"}))) >= 1  # by occupation code
    assert len(rows_of(client.get(url, {"q": "焊工", "level": "grade4"}))) == 1
    assert len(rows_of(client.get(url, {"training_type": "upskilling"}))) == 1
    assert len(rows_of(client.get(url, {"region": f.COUNTY}))) == 4  # province-wide applies
    assert len(rows_of(client.get(url, {"region": "530102"}))) == 0
    # what the catalog said on a past day
    old = client.get(url, {"on": "2024-06-01"})
    assert f'data-version="{v1.number}"' in old.content.decode()
    assert any("1500.00" in r for r in rows_of(old))
    assert "No version" in client.get(url, {"on": "2020-01-01"}).content.decode()


def test_pages_paginate_and_keep_the_query_budget(client, django_assert_max_num_queries):
    catalog = base_catalog()
    levels = ["初级工", "中级工", "高级工"]
    types = ["就业技能培训", "岗位技能提升培训"]
    names = ["养老护理员", "焊工", "电工", "育婴员", "家政服务员", "中式烹调师", "快递员",
             "电子商务师", "茶艺师", "导游", "保育师"]
    rows = [subsidy_row(occupation=n, skill_level=lv, training_type=t)
            for n in names for lv in levels for t in types]
    publish_rows(catalog, rows, D(2025, 1, 1))
    url = reverse("catalog:detail", args=[catalog.pk])
    with django_assert_max_num_queries(15):
        page = client.get(url)
    assert len(rows_of(page)) == 50 and "page=2" in page.content.decode()
    assert len(rows_of(client.get(url, {"page": 2}))) == len(rows) - 50


def test_history_and_the_side_by_side_comparison(client, published):
    catalog, _v1, _v2 = published
    history = client.get(reverse("catalog:history", args=[catalog.pk])).content.decode()
    assert 'data-version="1"' in history and 'data-version="2"' in history
    assert "2024-12-31" in history  # version 1 was cut to end the day before version 2
    diff = client.get(reverse("catalog:diff", args=[catalog.pk]), {"a": 1, "b": 2})
    body = diff.content.decode()
    assert re.search(r'data-count="added">2<', body)
    assert re.search(r'data-count="removed">1<', body)
    assert re.search(r'data-count="changed">1<', body)
    changed = re.search(r'<table class="diff" id="changed">(.*?)</table>', body, re.S).group(1)
    assert '<td class="old">1500.00</td>' in changed and '<td class="new">1800.00</td>' in changed
    removed = re.search(r'id="removed">(.*?)</table>', body, re.S).group(1)
    assert "电工" in removed


def test_excel_download_has_the_version_and_dates_and_the_import_layout(client, published):
    catalog, _v1, _v2 = published
    response = client.get(reverse("catalog:download", args=[catalog.pk, 2, "xlsx"]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    title = sheet["A1"].value
    assert catalog.title in title and "version 2" in title and "2025-01-01" in title
    header = [c.value for c in sheet[2]]
    assert header[:3] == ["职业编码", "职业(工种)", "技能等级"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 4
    by_name = {(r[1], r[2], r[6]): r for r in rows}
    care = by_name[("养老护理员", "初级工", "就业技能培训")]
    assert care[0] == "4-10-01-05" and float(care[header.index("补贴标准(元)")]) == 1800
    welder = by_name[("焊工", "中级工", "岗位技能提升培训")]
    assert float(welder[header.index("企业分担比例")]) == pytest.approx(0.3)


def test_pdf_download_is_a_pdf_with_pages(client, published):
    catalog, _v1, _v2 = published
    response = client.get(reverse("catalog:download", args=[catalog.pk, 1, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", response.content)) == 1
    assert b"STSong-Light" in response.content


def test_a_long_catalog_pdf_spans_several_pages():
    catalog = base_catalog()
    names = ["养老护理员", "焊工", "电工", "育婴员", "家政服务员", "中式烹调师", "快递员",
             "电子商务师", "茶艺师", "导游"]
    rows = [subsidy_row(occupation=n, skill_level=lv, training_type=t)
            for n in names for lv in ("初级工", "中级工", "高级工")
            for t in ("就业技能培训", "岗位技能提升培训")]
    version = publish_rows(catalog, rows, D(2025, 1, 1))
    pdf = exports.version_pdf(version)
    assert len(re.findall(rb"/Type /Page\b", pdf)) >= 2


def test_drafts_cannot_be_downloaded_by_the_public(client, published):
    catalog, _v1, _v2 = published
    draft = services.version_create_draft(actor=services.SYSTEM, catalog=catalog,
                                          effective_from=D(2026, 1, 1))
    url = reverse("catalog:download", args=[catalog.pk, draft.number, "xlsx"])
    assert client.get(url).status_code == 404
    client.force_login(f.staff())
    assert client.get(url).status_code == 200


def test_the_lookup_page_answers_with_the_version(client, published):
    _catalog, _v1, v2 = published
    response = client.get(reverse("catalog:lookup"), {
        "occupation": "养老护理员", "level": "grade5", "region": f.COUNTY,
        "training_type": "employment", "day": "2025-03-01"})
    body = response.content.decode()
    assert "1800.00" in body and f"?v={v2.number}" in body
    old = client.get(reverse("catalog:lookup"), {
        "occupation": "4-10-01-05", "level": "grade5", "region": f.COUNTY,
        "training_type": "employment", "day": "2024-03-01"}).content.decode()
    assert "1500.00" in old
    bad = client.get(reverse("catalog:lookup"), {"occupation": "火星", "region": "999999",
                                                 "training_type": "employment"})
    assert "Unknown occupation" in bad.content.decode()


def test_pages_render_in_chinese_by_default(chinese_client, published):
    catalog, _v1, _v2 = published
    pages = {reverse("catalog:index"): "目录",
             reverse("catalog:detail", args=[catalog.pk]): "版本记录",
             reverse("catalog:diff", args=[catalog.pk]): "版本对比",
             reverse("catalog:lookup"): "补贴标准查询"}
    for url, text in pages.items():
        response = chinese_client.get(url)
        assert response.status_code == 200 and text in response.content.decode()
    download = chinese_client.get(reverse("catalog:download", args=[catalog.pk, 2, "xlsx"]))
    title = openpyxl.load_workbook(io.BytesIO(download.content)).active["A1"].value
    assert "第2版" in title and "2025-01-01" in title


def test_staff_take_a_draft_through_import_submit_and_publish_on_the_pages(client):
    province = f.staff(Role.PROVINCE_STAFF, f.PROVINCE)
    client.force_login(province)
    response = client.post(reverse("catalog:manage"), {"kind": CatalogKind.SUBSIDY_STANDARD})
    assert response.status_code == 302
    catalog_id = int(response["Location"].rstrip("/").split("/")[-1])
    response = client.post(reverse("catalog:draft_create", args=[catalog_id]),
                           {"effective_from": "2025-01-01", "change_note": "首版"})
    assert response.status_code == 302
    manage_url = reverse("catalog:version_manage", args=[catalog_id, 1])
    bad = client.post(manage_url, {"mode": "replace", "file": _upload(
        [subsidy_row(), subsidy_row(skill_level="中级工", amount="-3")])})
    assert bad.status_code == 400
    pattern = r'<tr data-row="3">.*?补贴标准\(元\).*?greater than zero'
    assert re.search(pattern, bad.content.decode(), re.S)
    good = client.post(manage_url, {"mode": "replace", "file": _upload([subsidy_row()])})
    assert good.status_code == 200 and "Written: 1 entries" in good.content.decode()
    client.post(reverse("catalog:version_submit", args=[catalog_id, 1]))
    page = client.get(manage_url).content.decode()
    assert 'data-status="review"' in page and 'id="publish-version"' in page
    client.post(reverse("catalog:version_publish", args=[catalog_id, 1]))
    assert CatalogVersion.objects.get(catalog_id=catalog_id).status == VersionStatus.PUBLISHED


def test_a_county_user_sees_no_publish_button_and_cannot_publish_by_posting(client):
    base = base_catalog()
    publish_rows(base, [subsidy_row()], D(2025, 1, 1))
    county_catalog = supplement(base, f.COUNTY)
    county = f.staff(Role.COUNTY_STAFF, f.COUNTY)
    draft = services.version_create_draft(actor=county, catalog=county_catalog,
                                          effective_from=D(2025, 3, 1))
    services.entries_import(actor=county, version=draft, filename="a.xlsx", data=xlsx(
        [subsidy_row(occupation="焊工", amount="1600")]))
    services.version_submit(actor=county, version=draft)
    client.force_login(county)
    url = reverse("catalog:version_manage", args=[county_catalog.pk, draft.number])
    assert 'id="publish-version"' not in client.get(url).content.decode()
    response = client.post(reverse("catalog:version_publish",
                                   args=[county_catalog.pk, draft.number]))
    assert response.status_code == 403  # core.http: Forbidden answers the 403 page
    assert CatalogVersion.objects.get(pk=draft.pk).status == VersionStatus.REVIEW
    client.force_login(f.staff(Role.PROVINCE_STAFF, f.PROVINCE))
    assert 'id="publish-version"' in client.get(url).content.decode()


def test_the_template_downloads_for_every_kind(client):
    for kind in CatalogKind.values:
        response = client.get(reverse("catalog:template", args=[kind]))
        assert response.status_code == 200
        openpyxl.load_workbook(io.BytesIO(response.content))
    assert client.get("/catalogs/templates/nonsense.xlsx").status_code == 404


def _upload(rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("entries.xlsx", xlsx(rows))


def test_the_catalog_list_keeps_its_query_budget(client, django_assert_max_num_queries):
    base = base_catalog()
    publish_rows(base, [subsidy_row()], D(2025, 1, 1))
    for code in (f.CITY, f.OTHER_CITY, f.COUNTY):
        publish_rows(supplement(base, code), [subsidy_row(occupation="焊工")], D(2025, 1, 1))
    with django_assert_max_num_queries(6):
        body = client.get(reverse("catalog:index")).content.decode()
    assert body.count("data-catalog=") == 4

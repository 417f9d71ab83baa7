"""Staff side of training wishes: posters (PDF with the QR link), aggregation by occupation ×
region × key group, scope (HRSS of the region read wishes; industry staff aggregates only;
out of scope answers like missing), the Excel files; and the API through its OpenAPI
document (public submission included)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from jineng.core.models import AuditEvent
from jineng.demand import selectors, services
from jineng.demand.models import TrainingWish, WishPoster
from jineng.demand.rules import wishes as rules
from tests import factories as f
from tests.demand import factories as df
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db


def test_staff_create_a_poster_and_print_it(client, county_staff, settings):
    settings.JINENG_PUBLIC_URL = "https://jineng.example.cn"
    client.force_login(county_staff)
    response = client.post(reverse("demand:wish_posters"), {
        "region_code": f.COUNTY, "place_kind": "gig_market", "place_name": "南明零工市场"})
    assert response.status_code == 302
    poster = WishPoster.objects.get()
    assert poster.region.code == f.COUNTY and poster.created_by == county_staff.username
    page = client.get(reverse("demand:wish_posters"))
    link = f"https://jineng.example.cn/demand/w/{poster.token}/"
    assert link in page.content.decode()
    for per_page in ("1", "4"):
        pdf = client.get(reverse("demand:wish_posters_pdf"), {"per_page": per_page})
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
    # The QR code is a link annotation to the form's absolute address too.
    assert link.encode() in client.get(reverse("demand:wish_posters_pdf")).content
    # out of use: the link answers 404, the toggle comes back
    client.post(reverse("demand:wish_poster_toggle", args=[poster.pk]))
    assert client.get(reverse("demand:wish_form", args=[poster.token])).status_code == 404


def test_other_citys_poster_is_missing_for_county_staff(client, county_staff,
                                                          other_city_poster):
    client.force_login(county_staff)
    response = client.get(reverse("demand:wish_posters_pdf"), {"id": other_city_poster.pk})
    assert response.status_code == 404
    toggle = client.post(reverse("demand:wish_poster_toggle", args=[other_city_poster.pk]))
    assert toggle.status_code == 404
    assert WishPoster.objects.get(pk=other_city_poster.pk).is_active


def _world():
    nurse, electrician = df.occupation(), df.occupation("电工")
    here = df.PosterFactory()
    yunyan = df.PosterFactory(region=f.region(f.OTHER_COUNTY))
    zunyi = df.PosterFactory(region=f.region(f.OTHER_CITY_COUNTY))
    df.WishFactory(poster=here, occupations=[nurse], key_groups=["migrant_worker"])
    df.WishFactory(poster=here, occupations=[nurse, electrician],
                   key_groups=["migrant_worker", "unemployed"])
    df.WishFactory(poster=yunyan, occupations=[nurse])
    df.WishFactory(poster=zunyi, occupations=[electrician], key_groups=["veteran"])
    return nurse, electrician


def test_aggregates_count_each_occupation_and_group(province_staff):
    nurse, electrician = _world()
    cells = {(c.occupation_id, c.region_code, c.key_group): c.wishes
             for c in selectors.wish_aggregates(actor=province_staff)}
    assert cells == {
        (nurse.pk, f.COUNTY, "migrant_worker"): 2, (nurse.pk, f.COUNTY, "unemployed"): 1,
        (electrician.pk, f.COUNTY, "migrant_worker"): 1,
        (electrician.pk, f.COUNTY, "unemployed"): 1,
        (nurse.pk, f.OTHER_COUNTY, ""): 1, (electrician.pk, f.OTHER_CITY_COUNTY, "veteran"): 1,
    }
    by_city = {(c.occupation_id, c.region_code, c.key_group): c.wishes
               for c in selectors.wish_aggregates(actor=province_staff, by="city",
                                                  key_group="migrant_worker")}
    assert by_city == {(nurse.pk, f.CITY, "migrant_worker"): 2,
                       (electrician.pk, f.CITY, "migrant_worker"): 1}
    totals = {t["code"]: t["wishes"] for t in selectors.wish_region_totals(actor=province_staff)}
    assert totals == {f.COUNTY: 2, f.OTHER_COUNTY: 1, f.OTHER_CITY_COUNTY: 1}


def test_scope_of_wishes_and_aggregates(county_staff, industry_staff, city_staff):
    _world()
    assert selectors.wish_list(actor=county_staff).count() == 2
    assert selectors.wish_list(actor=city_staff).count() == 3
    assert selectors.wish_list(actor=industry_staff).count() == 0
    assert selectors.wish_list(actor=AnonymousUser()).count() == 0
    assert sum(c.wishes for c in selectors.wish_aggregates(actor=industry_staff)) == 7
    assert {c.region_code for c in selectors.wish_aggregates(actor=county_staff)} == {f.COUNTY}
    assert selectors.wish_aggregates(actor=AnonymousUser()) == []


def test_pages_and_excel(client, county_staff, industry_staff):
    _world()
    client.force_login(county_staff)
    summary = client.get(reverse("demand:wish_summary"))
    assert summary.status_code == 200 and 'data-testid="wish-map"' in summary.content.decode()
    book = openpyxl.load_workbook(io.BytesIO(
        client.get(reverse("demand:wish_summary"), {"format": "xlsx"}).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 5 and all(isinstance(r[0], str) for r in rows[1:])  # codes as text
    listing = client.get(reverse("demand:wish_list"))
    assert listing.status_code == 200
    export = client.get(reverse("demand:wish_list"), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    ids = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(ids) == 2 and all("*" in i for i in ids)
    numbers = set(TrainingWish.objects.values_list("id_masked", flat=True))
    assert set(ids) <= numbers
    assert AuditEvent.objects.filter(action="export", entity_type="demand.trainingwish").exists()
    client.force_login(industry_staff)
    assert client.get(reverse("demand:wish_list")).status_code == 404
    assert client.get(reverse("demand:wish_summary")).status_code == 200


def test_api_public_submission_and_staff_reads(county_staff, industry_staff, poster):
    occ = df.occupation()
    api = OpenApiClient()
    body = {"poster_token": str(poster.token), "name": "钱六",
            "id_number": f.id_number_for(n=321), "phone": "13811112222",
            "occupation_ids": [occ.pk], "consent": True, "key_groups": ["graduate"]}
    first = api.call("demand_wish_submit", json_body=body)
    again = api.call("demand_wish_submit", json_body={**body, "occupation_ids": [occ.pk]})
    assert first.status == again.status == 201 and first.body == again.body
    assert TrainingWish.objects.count() == 1
    bad = api.call("demand_wish_submit", json_body={**body, "phone": "1234"})
    assert bad.status == 400 and bad.error_fields() == ["phone"]
    no_consent = api.call("demand_wish_submit", json_body={**body, "consent": False})
    assert no_consent.status == 400 and no_consent.error_fields() == ["consent"]
    search = api.call("demand_wish_occupation_search", query={"q": occ.name[:2]})
    assert search.status == 200 and occ.pk in [o["id"] for o in search.body]

    staff = OpenApiClient().login(county_staff)
    cells = staff.call("demand_wish_aggregates")
    assert cells.status == 200 and cells.body[0]["wishes"] == 1
    wishes = staff.call("demand_wish_list")
    assert wishes.status == 200 and wishes.body["count"] == 1
    assert "*" in wishes.body["items"][0]["id_masked"]
    assert body["id_number"] not in str(wishes.body)
    posters = staff.call("demand_poster_list")
    assert posters.status == 200 and posters.body["items"][0]["link"].endswith(
        f"/demand/w/{poster.token}/")
    created = staff.call("demand_poster_create", json_body={
        "region_code": f.COUNTY, "place_kind": "village", "place_name": "某村"})
    assert created.status == 201
    off = staff.call("demand_poster_set_active", path={"poster_id": created.body["id"]},
                     query={"active": False})
    assert off.status == 200 and off.body["is_active"] is False

    industry = OpenApiClient().login(industry_staff)
    assert industry.call("demand_wish_list").body["count"] == 0
    assert industry.call("demand_wish_aggregates").body[0]["wishes"] == 1
    refused = industry.call("demand_poster_create", json_body={
        "region_code": f.COUNTY, "place_kind": "village", "place_name": "某村"})
    assert refused.status == 403


def test_api_throttles_with_429(poster):
    occ = df.occupation()
    api = OpenApiClient()
    for _i in range(rules.ADDRESS_LIMIT.limit):
        services.count_address("127.0.0.1")
    body = {"poster_token": str(poster.token), "name": "孙七",
            "id_number": f.id_number_for(n=399), "phone": "13811113333",
            "occupation_ids": [occ.pk], "consent": True}
    answer = api.call("demand_wish_submit", json_body=body)
    assert answer.status == 429 and answer.error_codes() == ["throttled"]

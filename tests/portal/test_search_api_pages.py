"""The public search API (through its OpenAPI document) and page: anonymous, paginated,
rate-limited, bad queries answered naming the field; policy answers cite their clause."""

import pytest

from jineng.core.models import AuditAction, AuditEvent
from tests import factories as f
from tests.openapi import OpenApiClient, operation
from tests.portal.search_support import rebuild, search_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def anon(client):
    return OpenApiClient(client)


@pytest.fixture
def world(db):
    w = search_world()
    rebuild()
    return w


def test_documented_public_and_rate_limited():
    method, path, op = operation("portal_search")
    assert method == "get" and path.endswith("/portal/search")
    assert {} in op.get("security", [])
    assert {"200", "422", "429"} <= set(op["responses"])


def test_anonymous_search_finds_classes_with_kinds(world, anon):
    result = anon.call("portal_search", query={"q": "养老护理"})
    assert result.status == 200
    kinds = {r["kind"] for r in result.body["results"]}
    assert {"class", "occupation"} <= kinds
    assert result.body["occupations"][0]["name"] == "养老护理员"
    urls = [r["url"] for r in result.body["results"] if r["kind"] == "class"]
    assert all(u.startswith("/classes/") for u in urls)


def test_clause_answers_cite_pack_and_clause(world, anon):
    result = anon.call("portal_search", query={"q": "新八级工", "kind": "clause"})
    assert result.status == 200 and result.body["results"]
    for hit in result.body["results"]:
        assert hit["citation"]["pack"] == "guizhou-2025-2027"
        assert hit["citation"]["clause"] and hit["citation"]["quote"]


def test_pinyin_and_typo_through_the_api(world, anon):
    for q in ("dg", "diangong", "电王"):
        body = anon.call("portal_search", query={"q": q, "kind": "occupation"}).body
        assert body["occupations"][0]["name"] == "电工", q


def test_pagination(world, anon):
    first = anon.call("portal_search", query={"q": "培训", "limit": 1}).body
    assert len(first["results"]) == 1 and first["next_offset"] == 1 and first["count"] > 1
    second = anon.call("portal_search", query={"q": "培训", "limit": 1, "offset": 1}).body
    assert second["results"][0]["title"] != first["results"][0]["title"]


@pytest.mark.parametrize("query, field, code", [
    ({}, "q", "required"), ({"q": "  "}, "q", "required"),
    ({"q": "电" * 101}, "q", "max_length"), ({"q": "电工", "kind": "person"}, "kind",
                                              "invalid_choice"),
    ({"q": "电工", "limit": 500}, "limit", "out_of_range"),
    ({"q": "电工", "offset": 99999}, "offset", "out_of_range"),
])
def test_bad_input_names_the_field(anon, query, field, code):
    result = anon.call("portal_search", query=query)
    assert result.status == 422
    assert result.error_fields() == [field] and result.error_codes() == [code]


def test_not_a_number_is_refused(anon):
    result = anon.call("portal_search", query={"q": "电工", "limit": "abc"})
    assert result.status == 422 and "limit" in result.error_fields()


def test_rate_limited_page_and_api_together(world, anon, client, settings):
    settings.JINENG_PORTAL_RATE_LIMITS = {"portal.search": (3, 60)}
    assert anon.call("portal_search", query={"q": "电工"}).status == 200
    assert client.get("/search/", {"q": "电工"}).status_code == 200
    assert anon.call("portal_search", query={"q": "电工"}).status == 200
    refused = anon.call("portal_search", query={"q": "电工"})
    assert refused.status == 429 and refused.body["detail"][0]["code"] == "throttled"
    assert int(refused.response["Retry-After"]) > 0
    page = client.get("/search/", {"q": "电工"})
    assert page.status_code == 429
    assert AuditEvent.objects.filter(action=AuditAction.THROTTLED,
                                     entity_id="portal.search").count() == 1


def test_page_renders_labelled_box_and_results_with_kinds(world, client):
    empty = client.get("/search/")
    assert empty.status_code == 200
    html = empty.content.decode()
    assert '<label for="search-q">' in html and 'role="search"' in html
    response = client.get("/search/", {"q": "考培分离"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-kind="clause"' in html and 'data-testid="citation"' in html


def test_page_names_the_field_of_a_bad_query(client):
    response = client.get("/search/", {"q": "电" * 101})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="q"' in html and 'data-code="max_length"' in html
    assert 'aria-invalid="true"' in html


def test_page_corrects_pinyin_to_the_occupation(world, client):
    response = client.get("/search/", {"q": "ylhly"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="corrected"' in html and "养老护理员" in html


def test_rebuild_button_starts_a_job_for_province_staff(world, client):
    staff = f.staff()
    client.force_login(staff)
    assert "search/index/rebuild" in client.get("/search/").content.decode()
    response = client.post("/search/index/rebuild/")
    assert response.status_code == 302 and "/jobs/" in response["Location"]


def test_rebuild_refused_for_county_staff(world, client):
    client.force_login(f.staff("county_staff", f.COUNTY))
    assert "search/index/rebuild" not in client.get("/search/").content.decode()
    assert client.post("/search/index/rebuild/").status_code == 403

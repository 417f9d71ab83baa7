"""API-wide input limits and errors: body sizes checked before parsing (413), list page sizes
capped (400 naming `limit`), one error shape whose messages are in the request's language,
JSON answers for addresses that match no operation, and localized 403/404/500 pages. Also the
regression tests of the server errors the OpenAPI fuzzer (tests/test_openapi_fuzz.py) found."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import translation

from jineng.accounts.models import ApiToken
from jineng.core import api_errors, tabular
from jineng.core.api import JSON_BODY_LIMIT, MAX_LIMIT, MIB
from jineng.core.api_errors import RequestTooLarge, pydantic_message
from jineng.core.middleware import LimitedStream
from tests import factories as f
from tests.openapi import OpenApiClient, document

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
BATCH_URL = "/api/training/attendance/events/batch"


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def operator_api(db):
    user = f.operator(f.OrganizationFactory())
    return OpenApiClient().bearer(ApiToken.issue(user, "test")[1])


# --- sizes before parsing ---------------------------------------------------------------------

def test_the_attendance_batch_refuses_a_body_over_its_limit_before_parsing(operator_api):
    """5,000 events fit in 2 MiB; 3 MB of events answers 413 — the event-count rule would
    otherwise run only after the whole body was parsed."""
    event = {"idempotency_key": "k" * 90, "class_id": 1, "kind": "check_in",
             "occurred_at": "2026-03-02T08:00:00+08:00", "method": "terminal",
             "id_number": "520102199005170011", "device": "d" * 60}
    events = [event] * (3 * MIB // len(json.dumps(event)) + 1)
    result = operator_api.call("attendance_event_batch", json_body={"events": events})
    assert result.status == 413
    assert result.error_codes() == ["too_large"] and "2 MB" in result.body["detail"][0]["message"]


def test_a_60_mb_body_is_refused_from_its_content_length_alone_in_chinese(operator_api):
    """The 60 MB body that used to answer 500 with a traceback: refused from the header,
    before a byte is read (the body sent here is not even JSON)."""
    with translation.override("zh-hans"):
        response = operator_api.client.post(
            BATCH_URL, data=b"not json", content_type="application/json",
            CONTENT_LENGTH=str(60 * MIB), **operator_api.headers, **ZH)
    assert response.status_code == 413
    item = response.json()["detail"][0]
    assert item["code"] == "too_large" and has_chinese(item["message"]), item


def test_a_json_operation_without_its_own_limit_takes_1_mib(operator_api):
    response = operator_api.client.post(
        "/api/training/classes", data=b"{}", content_type="application/json",
        CONTENT_LENGTH=str(JSON_BODY_LIMIT + 1), **operator_api.headers)
    assert response.status_code == 413
    assert document()["paths"]["/api/training/classes"]["post"]["x-max-body-bytes"] == (
        JSON_BODY_LIMIT)


def test_the_import_api_refuses_a_file_over_the_upload_limit(settings):
    staff = f.staff()
    api = OpenApiClient().bearer(ApiToken.issue(staff, "t")[1])
    response = api.client.post(
        "/api/registry/imports/persons", data=b"x", content_type="multipart/form-data; b=x",
        CONTENT_LENGTH=str(settings.JINENG_MAX_UPLOAD_BYTES + 1), **api.headers)
    assert response.status_code == 413, response.content[:300]
    assert response.json()["detail"][0]["code"] == "too_large"


def test_every_page_is_held_to_the_site_wide_limit(settings, client):
    response = client.post("/accounts/login/", data=b"x", content_type="text/plain",
                           CONTENT_LENGTH=str(settings.JINENG_MAX_REQUEST_BYTES + 1))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


def test_a_malformed_content_length_is_a_bad_request(client):
    response = client.post(BATCH_URL, data=b"{}", content_type="application/json",
                           CONTENT_LENGTH="12abc")
    assert response.status_code == 400
    assert response.json()["detail"][0]["code"] == "invalid_length"


def test_a_body_without_content_length_is_cut_at_the_limit():
    stream = LimitedStream(io.BytesIO(b"x" * 100), limit=10)
    with pytest.raises(RequestTooLarge):
        stream.read()
    assert LimitedStream(io.BytesIO(b"x" * 10), limit=10).read() == b"x" * 10


def test_the_document_states_the_limits():
    batch = document()["paths"][BATCH_URL]["post"]
    assert batch["x-max-body-bytes"] == 2 * MIB and "413" in batch["responses"]
    imports = document()["paths"]["/api/registry/imports/{kind}"]["post"]
    assert "413" in imports["responses"] and imports["x-max-body-bytes"] >= 10 * MIB


def test_data_upload_settings_agree_with_the_limits(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE >= 2 * MIB  # the largest JSON body
    assert settings.JINENG_MAX_REQUEST_BYTES >= settings.JINENG_MAX_UPLOAD_BYTES
    # importers refuse the same size the request limit lets through, not a larger dead one
    assert tabular.MAX_FILE_BYTES == settings.JINENG_MAX_UPLOAD_BYTES


# --- list page size ---------------------------------------------------------------------------

def test_a_page_over_the_cap_is_refused_naming_limit(province_staff):
    api = OpenApiClient().login(province_staff)
    refused = api.call("registry_region_list", query={"limit": 100000})
    assert refused.status == 400 and refused.error_fields() == ["limit"]
    assert refused.error_codes() == ["max_value"]
    assert api.call("registry_region_list", query={"limit": MAX_LIMIT}).status == 200


@pytest.mark.parametrize("operation_id", ["registry_person_list", "registry_organization_list",
                                          "training_class_list", "audit_event_list",
                                          "catalog_entry_list"])
def test_every_list_shares_the_cap(operation_id):
    """Every paginated operation takes core.api's paginator: its 400 is documented."""
    ops = {op["operationId"]: op for item in document()["paths"].values()
           for op in item.values()}
    op = ops[operation_id]
    assert any(p["name"] == "limit" for p in op["parameters"])
    assert "400" in op["responses"]
    assert f"at most {MAX_LIMIT}" in next(
        p for p in op["parameters"] if p["name"] == "limit")["schema"]["description"]


def test_an_offset_past_any_list_is_refused_not_a_server_error(province_staff):
    api = OpenApiClient().login(province_staff)
    result = api.call("registry_region_list", query={"offset": 10**12})
    assert result.status == 400 and result.error_fields() == ["offset"]


# --- errors in the request's language ---------------------------------------------------------

def test_validation_errors_name_the_field_in_chinese(province_staff, chinese):
    api = OpenApiClient().login(province_staff)
    api.headers.update(ZH)
    result = api.call("registry_person_register", json_body={"name": "张三"})
    assert result.status == 422
    messages = [d["message"] for d in result.body["detail"]]
    assert "id_number" in result.error_fields()
    assert all(has_chinese(m) and "Field required" not in m for m in messages), messages
    assert any(m.startswith("id_number") for m in messages), messages


def test_pydantic_messages_are_translated_with_their_limits(chinese):
    message = pydantic_message({"type": "string_too_long", "loc": ("body", "payload", "name"),
                                "ctx": {"max_length": 50}})
    assert message == "name：最多 50 个字符。"
    assert pydantic_message({"type": "something_new", "loc": ("query", "q")}) == "q：值无效。"


def test_not_found_is_translated(province_staff):
    api = OpenApiClient().login(province_staff)
    api.headers.update(ZH)
    with translation.override("zh-hans"):
        result = api.call("registry_person_get", path={"person_id": 987654321})
    assert result.status == 404 and result.body["detail"][0]["message"] == "未找到。"


def test_unauthenticated_calls_get_the_one_error_shape(client):
    result = OpenApiClient(client).call("registry_person_list")
    assert result.status == 401 and result.error_codes() == ["unauthorized"]


def test_an_anonymous_write_answers_401_not_a_csrf_failure():
    """No credentials and no session cookie: there is nothing for CSRF to protect."""
    result = OpenApiClient(Client(enforce_csrf_checks=True)).call(
        "registry_person_search", json_body={"id_number": "520102199005170011"})
    assert result.status == 401 and result.error_codes() == ["unauthorized"]


def test_a_session_write_without_its_csrf_token_is_refused_in_the_shape(province_staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(province_staff)
    result = OpenApiClient(client).call(
        "registry_person_search", json_body={"id_number": "520102199005170011"})
    assert result.status == 403 and result.error_codes() == ["csrf"]


def test_an_address_matching_no_operation_answers_json_404(client):
    """`<int:…>` path converters refuse `abc` before ninja sees it: the answer is still the
    API's own 404, not Django's HTML page (found by the fuzzer)."""
    response = client.get("/api/catalogs/abc", **ZH)
    assert response.status_code == 404
    assert response.json()["detail"][0]["code"] == "not_found"


def test_a_pack_with_a_control_character_is_a_syntax_problem_not_a_server_error(province_staff):
    """Found by the fuzzer: YAML's reader refused "\\x0c" before the parser's error handling
    (500)."""
    result = OpenApiClient().login(province_staff).call(
        "jineng_plans_api_pack_check", json_body={"text": "\x0ckey: 1"})
    assert result.status == 400 and result.body["ok"] is False
    assert [i["code"] for i in result.body["issues"]] == ["yaml_syntax"]


# --- localized error pages --------------------------------------------------------------------

def test_the_404_page_is_localized(client):
    response = client.get("/no-such-page/", **ZH)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_403_page_is_localized(rf: RequestFactory):
    request = rf.get("/registry/")
    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        response = api_errors.handler403(request, None)
    assert response.status_code == 403 and "无权访问" in response.content.decode()


def test_the_500_page_needs_no_database_or_context(rf: RequestFactory,
                                                  django_assert_num_queries):
    with translation.override("zh-hans"), django_assert_num_queries(0):
        page = api_errors.handler500(rf.get("/training/"))
        api = api_errors.handler500(rf.get("/api/training/classes"))
    assert page.status_code == 500 and "服务器错误" in page.content.decode()
    assert api.status_code == 500 and json.loads(api.content)["detail"][0]["code"] == (
        "server_error")


# --- numbers no database column can hold (found by the fuzzer: OverflowError on SQLite) ------

def test_an_id_beyond_the_database_range_in_a_query_is_refused_naming_it(province_staff):
    api = OpenApiClient().login(province_staff)
    api.headers.update(ZH)
    with translation.override("zh-hans"):
        result = api.call("registry_site_list", query={"organization": 10**27})
    assert result.status == 422 and result.error_fields() == ["organization"]
    assert has_chinese(result.body["detail"][0]["message"])
    assert api.call("registry_site_list", query={"organization": 2**63 - 1}).status == 200


def test_an_id_beyond_the_database_range_in_a_path_is_refused(province_staff):
    result = OpenApiClient().login(province_staff).call(
        "training_class_get", path={"class_id": 10**30})
    assert result.status == 422 and result.error_fields() == ["class_id"]


def test_an_integer_beyond_the_database_range_in_a_body_is_refused(operator_api):
    response = operator_api.client.post(
        "/api/training/attendance/events", data='{"class_id": 1000000000000000000000000}',
        content_type="application/json", **operator_api.headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["code"] == "number_too_large"


def test_a_body_that_is_not_json_is_refused_in_the_one_shape(province_staff):
    """pack_check documents its own 400 body; a body that does not parse is a 422 in the
    error shape (found by the fuzzer: "Cannot parse request body" broke the 400 schema)."""
    api = OpenApiClient().login(province_staff)
    response = api.client.post("/api/plans/packs/check", data=b"\x8a\x97d9",
                               content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["code"] == "json_invalid"

"""Calling the API in tests through its own OpenAPI document.

Tests name an operation by its operationId; the helper builds the URL from the document, calls it
with the Django test client (as a session user, with a bearer token, or anonymously), and checks
the answer against the response schema the document declares for that status code (JSON Schema,
with `$ref`s resolved in `#/components/schemas`). An undeclared status code fails the test, so the
document cannot drift from what the API does.

    api = OpenApiClient(client).login(user)
    result = api.call("registry_person_get", path={"person_id": 3})
    assert result.status == 200 and result.body["id_masked"]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import jsonschema
from django.test import Client

OPENAPI_URL = "/api/openapi.json"
_document: dict | None = None


def document() -> dict:
    """The OpenAPI document, fetched once per test session."""
    global _document
    if _document is None:
        response = Client().get(OPENAPI_URL)
        assert response.status_code == 200, response.content[:500]
        _document = json.loads(response.content)
    return _document


def operations() -> dict[str, tuple[str, str, dict]]:
    """operationId → (HTTP method, path template, operation object)."""
    found: dict[str, tuple[str, str, dict]] = {}
    for path, item in document()["paths"].items():
        for method, op in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                found[op["operationId"]] = (method, path, op)
    return found


def operation(operation_id: str) -> tuple[str, str, dict]:
    ops = operations()
    assert operation_id in ops, f"no operation {operation_id!r} in the OpenAPI document"
    return ops[operation_id]


def build_url(operation_id: str, path: dict[str, Any] | None = None) -> str:
    _method, template, op = operation(operation_id)
    declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
    given = dict(path or {})
    assert set(given) == declared, f"path parameters {sorted(given)} ≠ {sorted(declared)}"
    url = template
    for name, value in given.items():
        url = url.replace("{" + name + "}", str(value))
    return url


def validate(operation_id: str, status: int, body: Any) -> None:
    """Check a JSON body against the schema the document declares for this status."""
    _method, _path, op = operation(operation_id)
    responses = op.get("responses", {})
    declared = responses.get(str(status))
    if declared is None:
        # 401, 413, 422 and the other shared answers are declared on every operation
        # (config/api.py), so an undeclared status is a real drift.
        raise AssertionError(f"{operation_id} answered {status}, which the document does not "
                             f"declare ({sorted(responses)}): {body!r}"[:1000])
    schema = declared.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return
    root = {**schema, "components": document().get("components", {})}
    validator = jsonschema.Draft202012Validator(
        root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{operation_id} {status}: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])


@dataclass
class ApiResult:
    status: int
    body: Any  # parsed JSON, or None for a file download
    response: Any

    @cached_property
    def content(self) -> bytes:
        if hasattr(self.response, "streaming_content"):
            return b"".join(self.response.streaming_content)
        return self.response.content

    def error_fields(self) -> list[str]:
        return [d["field"] for d in self.body["detail"]]

    def error_codes(self) -> list[str]:
        return [d["code"] for d in self.body["detail"]]


class OpenApiClient:
    """A test client that calls operations by operationId and validates every answer."""

    def __init__(self, client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers: dict[str, str] = {}

    def login(self, user) -> OpenApiClient:
        """Act as `user` through the session (what the web pages' own calls do)."""
        self.client.force_login(user)
        return self

    def bearer(self, token: str) -> OpenApiClient:
        """Act through an API token, as an outside system does."""
        self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return self

    def call(self, operation_id: str, *, path: dict[str, Any] | None = None,
             query: dict[str, Any] | None = None, json_body: Any = None,
             files: dict[str, Any] | None = None, form: dict[str, Any] | None = None,
             ) -> ApiResult:
        method, _template, op = operation(operation_id)
        url = build_url(operation_id, path)
        kwargs: dict[str, Any] = dict(self.headers)
        if method == "get":
            response = self.client.get(url, data=query or {}, **kwargs)
        else:
            if query:
                from urllib.parse import urlencode

                url = f"{url}?{urlencode(query, doseq=True)}"
            if files is not None or form is not None:
                payload = {**(form or {}), **(files or {})}
                response = getattr(self.client, method)(url, data=payload, **kwargs)
            else:
                response = getattr(self.client, method)(
                    url, data=json.dumps(json_body if json_body is not None else {}),
                    content_type="application/json", **kwargs)
        content_type = response.get("Content-Type", "")
        body = None
        if content_type.startswith("application/json"):
            body = json.loads(response.content)
            validate(operation_id, response.status_code, body)
        else:
            declared = op.get("responses", {}).get(str(response.status_code))
            assert declared is not None, (
                f"{operation_id} answered {response.status_code} ({content_type}), "
                "undeclared in the document")
            declared_types = set(declared.get("content", {}))
            assert not declared_types or content_type.split(";")[0] in declared_types, (
                f"{operation_id}: {content_type} is not one of {sorted(declared_types)}")
        return ApiResult(status=response.status_code, body=body, response=response)

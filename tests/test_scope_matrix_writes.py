"""The scope matrix, for writes: every role against every write operation (POST, PUT, PATCH,
DELETE) of the API and every page that takes a record, aimed at records the role may NOT see.

The world, the viewers and the oracle (`may_see`) are those of tests/test_scope_matrix.py. For
each write operation or page whose address names a record, each viewer sends a plausible request
(a body built from the operation's own schema: the required fields with valid values) for a
missing record and for every record out of the viewer's scope. The answer for an out-of-scope
record must be exactly the answer for a missing one (status and body; 404 for the API), and
afterwards no table holds one row more or less and no audit event was written except the
audited refusals (a refused unmask is recorded on purpose). Anonymous visitors are refused
(401 from the API, the login page from pages). Operations and pages are collected from the
OpenAPI document and the URL resolver, so new ones join by themselves; one whose record the
world cannot name is skipped with the reason (pytest -rs).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import reverse

from jineng.config.api import api
from jineng.core.models import AuditEvent
from tests.test_scope_matrix import (
    MISSING_PK,
    PAGES,
    PUBLIC_PAGES,
    SKIP,
    VIEWERS,
    Rec,
    Walk,
    _address,
    _login_redirect,
    _record_addressing,
    _record_kind,
    build_world,
    client_for,
    may_see,
    oracle_viewer,
    values_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The scope matrix's world, built for this module as it is for that one: inside a
    transaction rolled back at the module's end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

WRITE_METHODS = ("post", "put", "patch", "delete")
# Audit events a refused write may leave: a refused unmask is evidence on purpose; the logins
# are the test clients' own.
AUDITED_REFUSALS = {"unmask", "login"}  # and the test clients' own logins
# Operations a role may never perform, refused (403) before any record is looked up: a missing
# and an out-of-scope record then answer alike (still compared below), just not with 404.
ROLE_REFUSED_FIRST = {
    "subsidy_claim_review": "only HRSS staff review claims (subsidy.services.claim_review)",
}


# --- request bodies from the schema -------------------------------------------------------------

PLAUSIBLE = {"reason": "scope matrix: a reason long enough", "account": "6222021234567890123",
             "action": "approve"}


# Uploads whose content is checked before the record's lookup: a file of the accepted type.
PLAUSIBLE_FILES = {
    "subsidy_claim_attachment_add": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    # an inspector's photo: its type and name are checked before the inspection's lookup
    "supervision_inspection_attach": b"\xff\xd8\xff\xe0" + b"0" * 64,
}
# ... under a file name matching that content (the default: rows.csv)
PLAUSIBLE_FILE_NAMES = {"supervision_inspection_attach": "photo.jpg"}


class Sampler:
    """The smallest valid value of a JSON schema: required fields only, first enum value,
    lengths and minima respected. Enough to get past validation to the record's lookup."""

    def __init__(self, document: dict) -> None:
        self.components = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def value(self, schema: dict, depth: int = 0) -> Any:
        schema = self.resolve(schema)
        if depth > 6:
            return None
        for key in ("const", "default"):
            if key in schema:
                return schema[key]
        if schema.get("enum"):
            return schema["enum"][0]
        for key in ("anyOf", "oneOf", "allOf"):
            if key in schema:
                options = [o for o in schema[key] if self.resolve(o).get("type") != "null"]
                return self.value(options[0] if options else schema[key][0], depth + 1)
        kind = schema.get("type")
        if kind == "object" or "properties" in schema:
            props = schema.get("properties", {})
            body = {name: self.value(props.get(name, {}), depth + 1)
                    for name in schema.get("required", [])}
            # Fields whose plausible value a schema cannot say, filled so that the request
            # gets past the services' input checks to the record's lookup.
            body.update({name: value for name, value in PLAUSIBLE.items()
                         if name in props and "enum" not in self.resolve(props[name])})
            return body
        if kind == "array":
            count = schema.get("minItems", 0)
            return [self.value(schema.get("items", {}), depth + 1) for _ in range(count)]
        if kind == "integer":
            return max(int(schema.get("minimum", 1)), 1)
        if kind == "number":
            return max(float(schema.get("minimum", 1)), 1.0)
        if kind == "boolean":
            return False
        if kind == "string":
            fmt = schema.get("format")
            if fmt == "date":
                return "2026-03-02"
            if fmt == "date-time":
                return "2026-03-02T09:00:00+08:00"
            if fmt == "binary":
                return b"a,b\n1,2\n"
            return "x" * max(int(schema.get("minLength", 1)), 1)
        return "x"


def _body(op: dict, sampler: Sampler) -> tuple[str, Any]:
    """("json" | "multipart" | "none", payload)."""
    content = op.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return "json", sampler.value(content["application/json"].get("schema", {}))
    if "multipart/form-data" in content:
        values = sampler.value(content["multipart/form-data"].get("schema", {}))
        data = PLAUSIBLE_FILES.get(op.get("operationId", ""))
        name = PLAUSIBLE_FILE_NAMES.get(op.get("operationId", ""), "rows.csv")
        return "multipart", {k: (_upload(data or v, name) if isinstance(v, bytes) else v)
                             for k, v in (values or {}).items()}
    return "none", None


def _upload(data: bytes, name: str = "rows.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


# --- what changed -------------------------------------------------------------------------------

# Tables a refused request may change: the public site's per-address rate counters count
# every request, answered or not.
NOT_DATA = {"core.RateCounter"}


def table_counts() -> dict[str, int]:
    """Rows per table of jineng's models (and the users'), audit events and rate counters
    aside."""
    counts = {}
    for model in apps.get_models():
        if (model.__module__.startswith("jineng.") and model is not AuditEvent
                and model._meta.label not in NOT_DATA):
            counts[model._meta.label] = model._default_manager.count()
    return counts


def audit_high_water() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def changes_since(before: dict[str, int], since_audit: int) -> list[str]:
    after = table_counts()
    changed = [f"{label}: {before[label]} → {after[label]}"
               for label in before if after[label] != before[label]]
    events = (AuditEvent.objects.filter(pk__gt=since_audit)
              .exclude(action__in=AUDITED_REFUSALS).values_list("action", "entity_type"))
    changed += [f"audit event {action} {entity}" for action, entity in events]
    return changed


# --- the API ------------------------------------------------------------------------------------

def _write_ops() -> list[tuple[str, str, dict]]:
    document = api.get_openapi_schema()
    return [(path, method, op) for path, methods in document["paths"].items()
            for method, op in methods.items() if method in WRITE_METHODS]


DOCUMENT = api.get_openapi_schema()
WRITE_OPS = _write_ops()


def _addressing(path: str) -> tuple[list[tuple[str, str]], str | None]:
    """[(param, kind of record it names)] along the path, and the kind of the last one."""
    segments = [s for s in path.split("/") if s]
    named = []
    for i, segment in enumerate(segments):
        match = re.fullmatch(r"\{(\w+)\}", segment)
        if match:
            named.append((match.group(1), _record_kind(segments[i - 1], path) if i else None))
    return named, (named[-1][1] if named else None)


def _url_for(path: str, named: list[tuple[str, str]], rec: Rec | None) -> str | None:
    """The path naming `rec` (None: a missing record) and, for a nested one, its parent."""
    url = path
    if len(named) == 2:
        (parent_param, _pk), (param, _k) = named
        if rec is not None and rec.parent is None:
            return None
        url = url.replace("{" + parent_param + "}", rec.parent.ref if rec else str(MISSING_PK))
        return url.replace("{" + param + "}", rec.ref if rec else str(MISSING_PK))
    ((param, _kind),) = named
    return url.replace("{" + param + "}", rec.ref if rec else str(MISSING_PK))


def _send(client: Client, method: str, url: str, how: str, payload: Any):
    if how == "json":
        return client.generic(method.upper(), url, data=_json(payload),
                              content_type="application/json")
    if how == "multipart":
        for value in payload.values():  # the same upload is sent again: from its start
            if hasattr(value, "seek"):
                value.seek(0)
        return client.post(url, payload)
    return client.generic(method.upper(), url)


def _json(payload: Any) -> str:
    import json

    return json.dumps(payload, default=str)


@pytest.mark.parametrize(("path", "method", "op"), WRITE_OPS,
                         ids=[f"{m.upper()} {p}" for p, m, _o in WRITE_OPS])
def test_api_write_on_an_out_of_scope_record_is_like_a_missing_one(path, method, op,
                                                                  world):
    if op["operationId"] in SKIP:
        pytest.skip(SKIP[op["operationId"]])
    named, kind = _addressing(path)
    if not named:
        pytest.skip(f"{method.upper()} {path} names no record in its path (the services' "
                    "tests and the write contract cover who may create)")
    if kind is None or len(named) > 2 or not world.of(kind):
        pytest.skip(f"{method.upper()} {path}: the world has no records for {named} yet")
    how, payload = _body(op, Sampler(DOCUMENT))
    walk = Walk(world, op["operationId"])
    before, since = table_counts(), audit_high_water()
    for viewer in VIEWERS:
        client = client_for(viewer, world)
        missing_url = _url_for(path, named, None)
        missing = _send(client, method, missing_url, how, payload)
        if viewer.role is None:
            if missing.status_code != 401:
                walk.fail(viewer, missing_url, f"anonymous got {missing.status_code}, not 401")
            continue
        # 422: the sampled body failed the schema before the lookup (both answers must then
        # still be the same); anything else but 404 is wrong.
        refused_first = missing.status_code == 403 and op["operationId"] in ROLE_REFUSED_FIRST
        if missing.status_code not in (404, 422) and not refused_first:
            walk.fail(viewer, missing_url, f"a write on a missing record answered "
                                           f"{missing.status_code}, not 404")
        for rec in world.of(kind):
            if may_see(oracle_viewer(op["operationId"], viewer), rec, world):
                continue
            url = _url_for(path, named, rec)
            if url is None:
                continue
            response = _send(client, method, url, how, payload)
            if (response.status_code, response.content) != (missing.status_code,
                                                             missing.content):
                walk.fail(viewer, url, f"out-of-scope {kind} {rec.key} answered "
                                       f"{response.status_code} {response.content[:120]!r}, "
                                       "not what a missing record answers")
            walk.check_text(viewer, url, response)
    changed = changes_since(before, since)
    if changed:
        walk.failures.append(f"{method.upper()} {path} changed data: {changed[:10]}")
    walk.report()


# --- pages --------------------------------------------------------------------------------------

def _record_pages():
    for page in PAGES:
        if page.name in SKIP:
            continue
        record_args, kind = _record_addressing(page)
        if record_args and kind:
            yield page, record_args, kind


RECORD_PAGES = list(_record_pages())


@pytest.mark.parametrize(("page", "record_args", "kind"), RECORD_PAGES,
                         ids=[str(p) for p, _a, _k in RECORD_PAGES])
def test_page_post_on_an_out_of_scope_record_is_like_a_missing_one(page, record_args, kind,
                                                                    world):
    area = page.name.split(":")[0]
    other_args = [a for a in page.args if a not in record_args]
    if any(not values_for(area, a) for a in other_args):
        pytest.skip(f"{page}: arguments {other_args} without values")
    fixed = {a: values_for(area, a)[0] for a in other_args}
    walk = Walk(world, page.name)
    before, since = table_counts(), audit_high_water()
    # A form post with every field a form of ours might read filled plausibly.
    form = {"reason": "scope matrix", "action": "approve", "name": "x", "status": "listed",
            "phone": "13800000000", "note": "x", "value": "1", "date": "2026-03-02"}
    for viewer in VIEWERS:
        client = client_for(viewer, world)
        missing_url = reverse(page.name, kwargs={**fixed, **_address(record_args, None)})
        missing = client.post(missing_url, form)
        if viewer.role is None and page.name not in PUBLIC_PAGES:
            if not _login_redirect(missing) and missing.status_code not in (403, 405):
                walk.fail(viewer, missing_url, f"anonymous got {missing.status_code}")
            continue
        for rec in world.of(kind):
            if may_see(oracle_viewer(page.name, viewer), rec, world):
                continue
            url = reverse(page.name, kwargs={**fixed, **_address(record_args, rec)})
            response = client.post(url, form)
            if response.status_code != missing.status_code:
                walk.fail(viewer, url, f"POST on out-of-scope {kind} {rec.key} answered "
                                       f"{response.status_code}, a missing one "
                                       f"{missing.status_code}")
            walk.check_text(viewer, url, response)
    changed = changes_since(before, since)
    if changed:
        walk.failures.append(f"POST {page} changed data: {changed[:10]}")
    walk.report()


def test_the_write_walk_drives_operations_of_every_modeled_area():
    """A guard against the walk silently skipping everything: writes on classes, persons,
    organizations, catalog versions and plan reports are all walked."""
    driven = set()
    for path, _method, _op in WRITE_OPS:
        named, kind = _addressing(path)
        if named and kind:
            driven.add(kind)
    assert {"trainingclass", "person", "organization", "catalogversion"} <= driven, driven
    assert len(RECORD_PAGES) > 20




# Regions a spot check may be drawn for: the world's counties, cities and provinces.
DRAW_REGIONS = ["520102", "520103", "520302", "430102", "520100", "520300", "520000", "430000"]


def test_spot_check_draw_outside_the_region_is_like_a_missing_region(world):
    """A spot check names its region in the body, not in the path (the walk above skips it):
    drawn for a region outside the caller's subtree, it answers exactly as for a region that
    does not exist (404), for everyone who may draw; those who may not are refused alike
    (403); nothing is written."""
    walk = Walk(world, "supervision_spot_check_draw")
    before, since = table_counts(), audit_high_water()
    url = "/api/supervision/spot-checks"

    def draw(client: Client, code: str):
        return client.post(url, data=_json({"population": "class", "region_code": code,
                                            "seed": "matrix"}),
                           content_type="application/json")

    for viewer in VIEWERS:
        client = client_for(viewer, world)
        missing = draw(client, "999999")
        if viewer.role is None:
            if missing.status_code != 401:
                walk.fail(viewer, url, f"anonymous got {missing.status_code}, not 401")
            continue
        # Inspectors and HRSS staff (who read persons) may draw; the others are refused.
        may_draw = viewer.everything or (bool(viewer.prefix) and viewer.sees_persons)
        if missing.status_code != (404 if may_draw else 403):
            walk.fail(viewer, url, f"a missing region answered {missing.status_code}")
        for code in DRAW_REGIONS:
            if viewer.everything or (may_draw and code.startswith(viewer.prefix)):
                continue  # in scope: it would draw
            response = draw(client, code)
            if (response.status_code, response.content) != (missing.status_code,
                                                             missing.content):
                walk.fail(viewer, f"{url} region_code={code}",
                          f"answered {response.status_code} {response.content[:120]!r}, not "
                          "what a missing region answers")
            walk.check_text(viewer, url, response)
    changed = changes_since(before, since)
    if changed:
        walk.failures.append(f"POST {url} changed data: {changed[:10]}")
    walk.report()

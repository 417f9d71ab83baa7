"""Property-based fuzzing of the whole OpenAPI document (schemathesis), as every role.

For each operation of the document, schemathesis generates requests from its schema — valid
ones and deliberately invalid ones — and each request is sent once as each role (province,
city and county staff, an industry department, the operators of a training and of an
evaluation institution, an enterprise, an inspector, all with API tokens, and the anonymous
public) against the small world of the scope matrix (tests/test_scope_matrix.py). Path and
query values that name records are swapped, half of the time, for ids of that world, so the
requests reach past "not found". Every answer must:

- not be a server error (5xx),
- carry a status code the document declares for the operation,
- match the schema the document gives for that status, with the declared content type.

Each call runs in a savepoint rolled back after it, so the world stays the same for every
role and example. Operations are read from the document at collection time: a new endpoint is
fuzzed without anyone touching this file. Runs are derandomized (the same requests every
time); JINENG_FUZZ_EXAMPLES sets the number of examples per operation: 3 in tier S, 8 with
`dev.py test --all`.
"""

from __future__ import annotations

import os
import traceback

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jineng.accounts.models import ApiToken
from jineng.config.api import api
from tests.test_scope_matrix import REGION_QUERY, VIEWERS, build_world

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("JINENG_FUZZ_EXAMPLES", "3"))
ROLES = ["province", "city", "county", "industry", "trainer", "evaluator", "enterprise",
         "inspector", "anonymous"]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
OPERATIONS = {op.definition.raw["operationId"]: op
              for op in (result.ok() for result in SCHEMA.get_all_operations())}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The scope matrix's world, built once for the module inside a transaction rolled back
    at its end, with an API token for each role."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = build_world()
            built.tokens = {}
            for name in ROLES:
                if name == "anonymous":
                    built.tokens[name] = None
                else:
                    built.tokens[name] = ApiToken.issue(built.users[name], "fuzz")[1]
            yield built
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def wsgi_app():
    """Django's own WSGI application, without the end-of-request handler that would close the
    test's database connection (the test client unhooks it the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    errors: list[str] = []

    def remember(sender, request=None, **kwargs):
        errors.append(traceback.format_exc())

    signals.got_request_exception.connect(remember)
    app = get_wsgi_application()
    app.errors = errors
    try:
        yield app
    finally:
        signals.got_request_exception.disconnect(remember)
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def record_values(world) -> dict[str, list]:
    """Values of the world for parameters that name a record, by parameter name."""
    from jineng.registry.models import Occupation, SkillLevel

    def pks(kind: str) -> list[int]:
        return [r.pk for r in world.of(kind)]

    versions = pks("catalogversion")
    return {
        "person_id": pks("person"),
        "organization_id": pks("organization"),
        "organization": pks("organization"),
        "site_id": pks("site"),
        "class_id": pks("trainingclass"),
        "enrollment_id": pks("enrollment"),
        "catalog_id": pks("catalog"),
        "version_id": versions, "old_id": versions, "new_id": versions,
        "key": [r.slug for r in world.of("plan")],
        "report_id": pks("quarterlyreport"),
        "code": REGION_QUERY, "region_code": REGION_QUERY, "region": REGION_QUERY,
        "parent_code": REGION_QUERY,
        "occupation_id": list(Occupation.objects.order_by("pk").values_list("pk", flat=True)[:5]),
        "level_code": list(SkillLevel.objects.values_list("code", flat=True)),
        "kind": ["regions", "organizations", "sites", "persons", "organization", "training"],
    }


def test_every_role_and_operation_is_fuzzed():
    """The walk covers the whole document, as every role the issue names."""
    assert len(OPERATIONS) >= 60
    assert {v.name for v in VIEWERS} >= set(ROLES) - {"anonymous"}


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_operation_answers_within_its_documented_schema(operation_id, world, wsgi_app):
    operation = OPERATIONS[operation_id]
    values = record_values(world)
    failures: list[str] = []
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], print_blob=False,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy, data=st.data())
    def fuzz(case, data):
        for where in (case.path_parameters, case.query):
            for name in list(where or {}):
                if values.get(name) and data.draw(st.booleans(), label=f"world {name}"):
                    where[name] = data.draw(st.sampled_from(values[name]), label=name)
        for role in ROLES:
            token = world.tokens[role]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            del wsgi_app.errors[:]
            with transaction.atomic():
                response = case.call(app=wsgi_app, headers=headers)
                transaction.set_rollback(True)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # every failure is reported below
                text = response.content[:300].decode("utf-8", "replace")
                failures.append(f"as {role}: {case.method} {case.formatted_path} "
                                f"query={case.query} body={str(case.body)[:200]!r}\n"
                                f"→ {response.status_code} {text}\n{exc}\n"
                                + "".join(wsgi_app.errors[-1:]))

    fuzz()
    assert not failures, f"{len(failures)} failing calls; the first ones:\n\n" + "\n\n".join(
        failures[:5])

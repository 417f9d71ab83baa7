"""The one OpenAPI document for every integration: each app adds its router here."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from jineng.core.api import (
    INT_MAX,
    ErrorOut,
    JsonParser,
    api_authenticators,
    guard_request,
    operation_body_limit,
)
from jineng.core.api_errors import install_error_handlers

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
UNSAFE_METHODS = {"post", "put", "patch", "delete"}


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


class JinengAPI(NinjaAPI):
    """Documents the answers every operation can give whatever its own code says: 401 (bad
    or missing credentials), 403 on writes (a session without its CSRF token), 404 where the
    path has values, 422 (input that does not match the schema), 413 (a body over the
    operation's size limit, stated in `x-max-body-bytes`) and, for lists, 400 (a page size
    over the cap). New operations get them without doing anything."""

    def get_openapi_schema(self, **kwargs: Any):
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", ErrorOut.model_json_schema(
            ref_template="#/components/schemas/{model}"))
        for name, sub in ErrorOut.model_json_schema(
                ref_template="#/components/schemas/{model}").get("$defs", {}).items():
            components.setdefault(name, sub)
        components["ErrorOut"].pop("$defs", None)
        limits = self._body_limits()
        for item in schema["paths"].values():
            for method, op in item.items():
                responses = op.setdefault("responses", {})
                responses.setdefault(401, _error_response("Not authenticated"))
                params = op.get("parameters", [])
                for param in params:
                    if param.get("schema", {}).get("type") == "integer":
                        param["schema"].setdefault("maximum", INT_MAX)
                        param["schema"].setdefault("minimum", -INT_MAX)
                if any(p["in"] == "path" for p in params):
                    # an address whose values do not fit the path (`/persons/abc`)
                    responses.setdefault(404, _error_response("Not found"))
                if method in UNSAFE_METHODS:
                    responses.setdefault(403, _error_response(
                        "Not allowed (for a session: the CSRF token is missing)"))
                if params or "requestBody" in op:
                    responses.setdefault(422, _error_response("Input does not match the schema"))
                if any(p["name"] == "limit" and p["in"] == "query" for p in params):
                    responses.setdefault(400, _error_response("Invalid request"))
                limit = limits.get(op.get("operationId"))
                if limit is not None and "requestBody" in op:
                    op["x-max-body-bytes"] = limit
                    responses.setdefault(413, _error_response(
                        f"Body larger than {limit} bytes (checked before parsing)"))
        return schema

    def _body_limits(self) -> dict[str, int]:
        """operationId → the largest body the operation accepts."""
        return {operation.operation_id or self.get_openapi_operation_id(operation):
                operation_body_limit(operation)
                for bound in self._get_bound_routers()
                for path_view in bound.path_operations.values()
                for operation in path_view.operations}


api = JinengAPI(
    title="jineng API",
    version="1.0.0",
    description=str(_("Subsidized vocational skills training: registries, catalogs, training.")),
    auth=api_authenticators(),
    urls_namespace="api",
    parser=JsonParser(),
)
install_error_handlers(api)
# Bodies over an operation's limit, and integers beyond the database's, are refused before
# authentication and parsing.
api.add_decorator(guard_request, mode="view")

api.add_router("/registry/", "jineng.registry.api.router")
api.add_router("/catalogs/", "jineng.catalog.api.router")
api.add_router("/audit/", "jineng.core.api.router")
api.add_router("/training/", "jineng.training.api.router")
api.add_router("/assessment/", "jineng.assessment.api.router")
api.add_router("/outcomes/", "jineng.outcomes.api.router")
api.add_router("/supervision/", "jineng.supervision.api.router")
api.add_router("/supervision/", "jineng.supervision.api.exclusions.router")
api.add_router("/supervision/", "jineng.supervision.api.oversight.router")
api.add_router("/subsidy/", "jineng.subsidy.api.router")
api.add_router("/demand/", "jineng.demand.api.router")
api.add_router("/portal/", "jineng.portal.api.router")
api.add_router("/plans/", "jineng.plans.api.router")
api.add_router("/jobs/", "jineng.jobs.api.router")
api.add_router("/accounts/", "jineng.accounts.api.router")

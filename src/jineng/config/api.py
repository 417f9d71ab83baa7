"""The one OpenAPI document for every integration: each app adds its router here."""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI

from jineng.accounts.api_auth import ApiTokenAuth, SessionAuth
from jineng.core.api_errors import install_error_handlers

api = NinjaAPI(
    title="jineng API",
    version="1.0.0",
    description=str(_("Subsidized vocational skills training: registries, catalogs, training.")),
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
)
install_error_handlers(api)

api.add_router("/registry/", "jineng.registry.api.router")
api.add_router("/catalogs/", "jineng.catalog.api.router")
api.add_router("/audit/", "jineng.core.api.router")
api.add_router("/training/", "jineng.training.api.router")
api.add_router("/plans/", "jineng.plans.api.router")
api.add_router("/jobs/", "jineng.jobs.api.router")

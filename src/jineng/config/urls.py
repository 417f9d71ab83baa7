from django.contrib import admin
from django.urls import include, path

from jineng.config.api import api

# JSON in the API's error shape under /api/, localized pages (templates/4xx.html) elsewhere.
handler400 = "jineng.core.api_errors.handler400"
handler403 = "jineng.core.api_errors.handler403"
handler404 = "jineng.core.api_errors.handler404"
handler500 = "jineng.core.api_errors.handler500"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("jineng.accounts.urls")),
    path("registry/", include("jineng.registry.urls")),
    path("catalogs/", include("jineng.catalog.urls")),
    path("training/", include("jineng.training.urls")),
    path("assessment/", include("jineng.assessment.urls")),
    path("outcomes/", include("jineng.outcomes.urls")),
    path("supervision/", include("jineng.supervision.urls")),
    path("subsidy/", include("jineng.subsidy.urls")),
    path("demand/", include("jineng.demand.urls")),
    path("plans/", include("jineng.plans.urls")),
    path("audit/", include("jineng.core.urls")),
    path("jobs/", include("jineng.jobs.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("jineng.portal.urls")),
]

from django.contrib import admin
from django.urls import include, path

from jineng.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("jineng.accounts.urls")),
    path("registry/", include("jineng.registry.urls")),
    path("catalogs/", include("jineng.catalog.urls")),
    path("training/", include("jineng.training.urls")),
    path("plans/", include("jineng.plans.urls")),
    path("audit/", include("jineng.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("jineng.portal.urls")),
]

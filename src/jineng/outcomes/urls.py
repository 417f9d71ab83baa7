from jineng.outcomes.views import imports, linkage, quality, runs

app_name = "outcomes"

urlpatterns = imports.urlpatterns + linkage.urlpatterns + runs.urlpatterns + quality.urlpatterns

from jineng.portal.views import coverage, overview, scorecards, search, site

app_name = "portal"
# The portal is mounted at the site root: its patterns come last in config.urls.
urlpatterns = (overview.urlpatterns + coverage.urlpatterns + site.urlpatterns + search.urlpatterns
               + scorecards.urlpatterns)

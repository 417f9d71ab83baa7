from jineng.portal.views import coverage, overview, scorecards, search, site, travel

app_name = "portal"
# The portal is mounted at the site root: its patterns come last in config.urls.
urlpatterns = (overview.urlpatterns + coverage.urlpatterns + travel.urlpatterns + site.urlpatterns
               + search.urlpatterns + scorecards.urlpatterns)

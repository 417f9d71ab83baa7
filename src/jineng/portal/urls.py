from jineng.portal.views import overview

app_name = "portal"
# The portal is mounted at the site root: its patterns come last in config.urls.
urlpatterns = overview.urlpatterns

from jineng.subsidy.views import urlpatterns as urlpatterns

app_name = "subsidy"

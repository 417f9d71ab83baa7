from jineng.supervision.views import urlpatterns as urlpatterns

app_name = "supervision"

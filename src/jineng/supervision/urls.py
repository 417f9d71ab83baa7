from jineng.supervision.views import exclusions, oversight
from jineng.supervision.views import urlpatterns as alert_urlpatterns

app_name = "supervision"
urlpatterns = alert_urlpatterns + oversight.urlpatterns + exclusions.urlpatterns

from jineng.subsidy.views import urlpatterns as _pages
from jineng.subsidy.views_own import urlpatterns as _own

urlpatterns = [*_pages, *_own]

app_name = "subsidy"

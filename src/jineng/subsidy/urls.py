from jineng.subsidy.views import urlpatterns as _pages
from jineng.subsidy.views_applications import urlpatterns as _filed
from jineng.subsidy.views_own import urlpatterns as _own

urlpatterns = [*_filed, *_pages, *_own]  # the attachments before claims/<pk>/<action>/

app_name = "subsidy"

from django.urls import path

from jineng.registry import views

app_name = "registry"
urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("occupations/", views.occupation_list, name="occupation_list"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("sites/", views.site_list, name="site_list"),
    path("persons/", views.person_list, name="person_list"),
]

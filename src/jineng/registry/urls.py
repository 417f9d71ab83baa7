from django.urls import path

from jineng.registry import io_views, views

app_name = "registry"
urlpatterns = [
    path("regions/", views.region_list, name="region_list"),
    path("occupations/", views.occupation_list, name="occupation_list"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/status/", views.organization_status,
         name="organization_status"),
    path("organizations/<int:org_pk>/sites/new/", views.site_create, name="site_create"),
    path("sites/", views.site_list, name="site_list"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_register, name="person_register"),
    path("persons/find/", views.person_find, name="person_find"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/unmask/", views.person_unmask, name="person_unmask"),
    path("persons/<int:pk>/key-groups/", views.key_group_add, name="key_group_add"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("persons/merges/<int:pk>/", views.person_merge_detail, name="person_merge_detail"),
    path("organizations/<int:pk>/edit/", views.organization_edit, name="organization_edit"),
    path("imports/<slug:kind>/", io_views.import_page, name="import"),
    path("imports/<slug:kind>/template.xlsx", io_views.import_template, name="import_template"),
    path("exports/<slug:kind>.<slug:fmt>", io_views.export_download, name="export"),
]

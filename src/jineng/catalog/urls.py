from django.urls import path

from jineng.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("lookup/", views.lookup, name="lookup"),
    path("templates/<str:kind>.xlsx", views.import_template, name="template"),
    path("manage/", views.manage, name="manage"),
    path("<int:pk>/", views.catalog_detail, name="detail"),
    path("<int:pk>/history/", views.catalog_history, name="history"),
    path("<int:pk>/compare/", views.catalog_diff, name="diff"),
    path("<int:pk>/drafts/new/", views.draft_create, name="draft_create"),
    path("<int:pk>/v<int:number>.<str:fmt>", views.version_download, name="download"),
    path("<int:pk>/v<int:number>/", views.version_manage, name="version_manage"),
    path("<int:pk>/v<int:number>/dates/", views.version_update, name="version_update"),
    path("<int:pk>/v<int:number>/submit/", views.version_submit, name="version_submit"),
    path("<int:pk>/v<int:number>/publish/", views.version_publish, name="version_publish"),
    path("<int:pk>/v<int:number>/reject/", views.version_reject, name="version_reject"),
    path("<int:pk>/v<int:number>/reopen/", views.version_reopen, name="version_reopen"),
    path("<int:pk>/v<int:number>/discard/", views.version_discard, name="version_discard"),
    path("<int:pk>/v<int:number>/entries/<int:entry_id>/delete/", views.entry_delete,
         name="entry_delete"),
]

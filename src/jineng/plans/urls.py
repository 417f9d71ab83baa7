from django.urls import path

from jineng.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.home, name="home"),
    path("all/", views.plan_list, name="list"),
    path("schema.json", views.pack_schema, name="schema"),
    path("packs/check/", views.pack_check, name="pack_check"),
    path("<slug:key>/", views.plan_dashboard, name="dashboard"),
    path("<slug:key>/targets/", views.plan_targets, name="targets"),
    path("<slug:key>/checklist/<int:pk>/", views.checklist_update, name="checklist_update"),
    path("<slug:key>/targets/<str:target_key>/split/", views.target_decompose,
         name="decompose"),
    path("<slug:key>/reports/", views.report_list, name="reports"),
    path("<slug:key>/reports/summary/", views.report_summary, name="summary"),
    path("<slug:key>/reports/summary.<str:fmt>", views.report_summary_export,
         name="summary_export"),
    path("<slug:key>/reports/preview.<str:fmt>", views.report_preview_export,
         name="report_preview"),
    path("<slug:key>/reports/<int:pk>/", views.report_detail, name="report"),
    path("<slug:key>/reports/<int:pk>/export.<str:fmt>", views.report_export,
         name="report_export"),
]

from django.urls import path

from jineng.training import views

app_name = "training"
urlpatterns = [
    path("", views.class_list, name="class_list"),
    path("declare/", views.class_declare, name="class_declare"),
    path("review/", views.review_queue, name="review_queue"),
    path("today/", views.today, name="today"),
    path("teachers/", views.teacher_list, name="teacher_list"),
    path("<int:pk>/", views.class_detail, name="class_detail"),
    path("<int:pk>/transition/", views.class_transition, name="class_transition"),
    path("<int:pk>/revise/", views.class_revise, name="class_revise"),
    path("<int:pk>/enroll/", views.class_enroll, name="class_enroll"),
    path("<int:pk>/attendance/", views.class_attendance, name="class_attendance"),
    path("<int:pk>/attendance/manual/", views.attendance_manual, name="attendance_manual"),
    path("attendance/<int:event_pk>/void/", views.attendance_void, name="attendance_void"),
    path("export/classes.<str:fmt>", views.export_classes, name="export_classes"),
    path("<int:pk>/export/roster.<str:fmt>", views.export_roster, name="export_roster"),
    path("<int:pk>/export/attendance.<str:fmt>", views.export_attendance,
         name="export_attendance"),
    path("history/import/", views.history_import, name="history_import"),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:pk>/withdraw/", views.enrollment_withdraw,
         name="enrollment_withdraw"),
]

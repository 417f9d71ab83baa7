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
    path("enrollments/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:pk>/withdraw/", views.enrollment_withdraw,
         name="enrollment_withdraw"),
]

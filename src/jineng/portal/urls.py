from django.urls import path

from jineng.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
]

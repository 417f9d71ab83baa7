from django.contrib.auth import views as auth_views
from django.urls import path

from jineng.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-step/", views.otp_setup, name="otp_setup"),
    path("two-step/disable/", views.otp_disable, name="otp_disable"),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from jineng.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/new/", views.password_new, name="password_new"),
    path("me/", views.account, name="account"),
    path("me/password/", views.password_change, name="password_change"),
    path("two-step/", views.otp_setup, name="otp_setup"),
    path("two-step/disable/", views.otp_disable, name="otp_disable"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/disable/", views.user_disable, name="user_disable"),
    path("users/<int:user_id>/enable/", views.user_enable, name="user_enable"),
    path("users/<int:user_id>/reset-password/", views.user_password_reset,
         name="user_password_reset"),
    path("users/<int:user_id>/reset-two-step/", views.user_otp_reset, name="user_otp_reset"),
]

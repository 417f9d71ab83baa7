from django.urls import path  # noqa: F401 - the areas add their pages below

app_name = "outcomes"

urlpatterns: list = []

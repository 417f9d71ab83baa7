"""signing pages (being written)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""Outcomes pages: runs."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

"""Demand pages: matching."""

from __future__ import annotations

urlpatterns: list = []

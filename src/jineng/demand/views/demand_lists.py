"""Demand pages: demand_lists."""

from __future__ import annotations

urlpatterns: list = []

"""Demand pages: wages."""

from __future__ import annotations

urlpatterns: list = []

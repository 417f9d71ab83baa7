"""Outcomes API: imports."""

from ninja import Router

router = Router()

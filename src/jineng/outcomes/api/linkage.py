"""Outcomes API: linkage."""

from ninja import Router

router = Router()

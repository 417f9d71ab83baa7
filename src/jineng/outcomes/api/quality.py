"""Outcomes API: quality."""

from ninja import Router

router = Router()

"""The demand API: wishes."""

from ninja import Router

router = Router(tags=["demand"])

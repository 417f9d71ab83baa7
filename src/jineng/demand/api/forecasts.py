"""The demand API: forecasts."""

from ninja import Router

router = Router(tags=["demand"])

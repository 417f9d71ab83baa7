"""The demand API: demand_lists."""

from ninja import Router

router = Router(tags=["demand"])

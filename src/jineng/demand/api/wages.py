"""The demand API: wages."""

from ninja import Router

router = Router(tags=["demand"])

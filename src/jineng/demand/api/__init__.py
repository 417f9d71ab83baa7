"""The demand API: one router per sub-domain, mounted at /api/v1/demand/."""

from ninja import Router

from jineng.demand.api import demand_lists, forecasts, matching, wages, wishes

router = Router(tags=["demand"])
router.add_router("", wishes.router)
router.add_router("", demand_lists.router)
router.add_router("", forecasts.router)
router.add_router("", matching.router)
router.add_router("", wages.router)

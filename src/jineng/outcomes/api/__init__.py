"""The outcomes API: one router per sub-domain, mounted at /api/v1/outcomes/."""

from ninja import Router

from jineng.outcomes.api import imports, linkage, quality, runs

router = Router(tags=["outcomes"])
router.add_router("", imports.router)
router.add_router("", linkage.router)
router.add_router("", runs.router)
router.add_router("", quality.router)

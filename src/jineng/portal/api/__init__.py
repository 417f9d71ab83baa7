"""The public API of the portal (anonymous, rate-limited), mounted at /api/v1/portal/: one
router per sub-domain."""

from ninja import Router

router = Router(tags=["portal"])

from jineng.portal.api import site  # noqa: E402

router.add_router("", site.router)  # the training map: /classes, /classes/{id}, /sites

from jineng.portal.api import coverage  # noqa: E402

router.add_router("", coverage.router)  # the 30-minute circle: /coverage/…

from jineng.portal.api import travel  # noqa: E402

router.add_router("", travel.router)  # the travel model's parameters: /coverage/travel-settings

from jineng.portal.api import search  # noqa: E402

router.add_router("", search.router)  # full-text search: /search

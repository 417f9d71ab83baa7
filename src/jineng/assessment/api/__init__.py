"""The assessment API: one router per sub-domain, mounted at /api/v1/assessment/."""

from ninja import Router

from jineng.assessment.api import evaluator_codes, outside, records, results, signing, sittings
from jineng.assessment.api import issuance as certificates

router = Router(tags=["assessment"])
router.add_router("", sittings.router)
router.add_router("", results.router)
router.add_router("", certificates.router)
router.add_router("", signing.router)
router.add_router("", outside.router)
router.add_router("", records.router)
router.add_router("", evaluator_codes.router)

"""The subsidy API, mounted at /api/subsidy/: claims, budgets, parameter sets, payment
batches. Thin: parse, call a service or a selector, shape the answer."""

from ninja import Router

from jineng.subsidy.api import applications, claims, evaluate, funds, history, parameters, payments

router = Router(tags=["subsidy"])
router.add_router("", applications.router)
router.add_router("", claims.router)
router.add_router("", funds.router)
router.add_router("", parameters.router)
router.add_router("", payments.router)
router.add_router("", evaluate.router)
router.add_router("", history.router)

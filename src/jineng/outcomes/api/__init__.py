"""The outcomes API: one router, a module per sub-domain (records, linkage, measures)."""

from ninja import Router

router = Router(tags=["outcomes"])

"""Registry API: regions, occupations, skill levels, organizations, sites, persons."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["registry"])

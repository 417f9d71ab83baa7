"""The training API's one router: every module of the package adds its operations to it, in
the order the package imports them (the order of the OpenAPI document)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["training"])

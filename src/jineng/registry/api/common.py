"""The registry API's one router: every module of the package adds its operations to it, in the
order the package imports them (the order of the OpenAPI document); and what the operations
share (the caller, its address, a region named in a body)."""


from django.utils.translation import gettext as _
from ninja import Router

from jineng.core.api import PUBLIC_SECURITY, public_auth
from jineng.core.errors import DomainError, NotFound
from jineng.registry import selectors
from jineng.registry.models import Region

router = Router(tags=["registry"])

PUBLIC = public_auth()
PUBLIC_EXTRA = {"security": PUBLIC_SECURITY}


def _actor(request):
    return request.auth


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _region(actor, code: str, field: str = "region_code") -> Region:
    """A region named in a request body; unknown codes are a 400 naming the field."""
    try:
        return selectors.region_get(actor=actor, code=(code or "").strip())
    except NotFound:
        raise DomainError(_("Unknown region code %(code)s.") % {"code": code},
                          field=field) from None

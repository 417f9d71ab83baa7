"""Who may write in plans: the checks services make before writing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jineng.core.errors import Forbidden
from jineng.core.scoping import scope_of
from jineng.registry.models import Region

# --- who may write ---------------------------------------------------------------------------

def _is_everything(actor) -> bool:
    return scope_of(actor).everything


def ensure_staff_of(actor, region: Region) -> None:
    """HRSS staff of exactly this region (or a system administrator)."""
    if _is_everything(actor):
        return
    if not getattr(actor, "is_hrss_staff", False) or actor.region_id is None:
        raise Forbidden(_("Only HRSS staff may do this."))
    if actor.region_id != region.pk:
        raise Forbidden(_("Only the staff of %(region)s may do this.") % {"region": region.name})



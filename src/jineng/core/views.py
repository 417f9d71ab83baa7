from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from jineng.core import selectors
from jineng.core.models import AuditAction


@login_required
def audit_list(request):
    filters = {
        "action": request.GET.get("action") or None,
        "entity_type": request.GET.get("entity_type") or None,
        "actor_username": request.GET.get("actor") or None,
    }
    events = selectors.audit_event_list(actor=request.user, **filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html",
                  {"page": page, "actions": AuditAction.choices, "filters": filters})

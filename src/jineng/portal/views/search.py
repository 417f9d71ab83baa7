"""The public search page (no login, phone first): one labelled search box, the occupations the
query names (pinyin and typos tolerated), and one list of classes, institutions, occupations
and policy clauses, each marked with its kind; a policy answer shows the clause it comes from.
Province staff start a rebuild of the index from here (a background job)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from jineng.core import ratelimit
from jineng.core.errors import DomainError, Forbidden
from jineng.portal.models import SearchKind
from jineng.portal.rules import search as rules
from jineng.portal.selectors import search as selectors
from jineng.portal.services import search as services


def _int(value: str | None, default: int) -> int | None:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        return None


def search_page(request):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    q = request.GET.get("q")
    kind = request.GET.get("kind", "")
    context = {"q": (q or "")[: rules.MAX_QUERY_CHARS * 2], "kind": kind,
               "kinds": SearchKind.choices, "max_chars": rules.MAX_QUERY_CHARS,
               "may_rebuild": _may_rebuild(request.user)}
    if q is None:  # the empty page, before any search
        return render(request, "portal/search/page.html", context)
    decision = services.search_hit(request)
    if not decision.allowed:
        response = render(request, "portal/search/page.html",
                          {**context, "retry_after": decision.retry_after}, status=429)
        response["Retry-After"] = str(decision.retry_after)
        return response
    limit = rules.DEFAULT_PAGE_SIZE
    offset = _int(request.GET.get("offset"), 0)
    try:
        if offset is None:
            offset = -1  # refused below, naming the field
        answer = selectors.search(actor=request.user, q=q, kind=kind, limit=limit,
                                  offset=offset)
    except DomainError as refused:
        return render(request, "portal/search/page.html", {**context, "error": refused},
                      status=400)
    base = {"q": answer.query, **({"kind": kind} if kind else {})}
    context.update(answer=answer, next_url=_page_url(base, answer.next_offset),
                   previous_url=_page_url(base, answer.previous_offset))
    return render(request, "portal/search/page.html", context)


def _page_url(base: dict, offset: int | None) -> str:
    if offset is None:
        return ""
    return reverse("portal:search") + "?" + urlencode({**base, "offset": offset})


def _may_rebuild(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        services.ensure_may_rebuild(user)
    except Forbidden:
        return False
    return True


@login_required
@require_POST
def rebuild(request):
    """Start a rebuild of the index (province staff): a background job, then its page."""
    try:
        job = services.search_index_rebuild_start(
            actor=request.user, ip_address=ratelimit.request_address(request) or None)
    except Forbidden:
        return render(request, "portal/search/page.html",
                      {"q": "", "kinds": SearchKind.choices, "max_chars": rules.MAX_QUERY_CHARS,
                       "forbidden": True}, status=403)
    return redirect("jobs:job_detail", pk=job.pk)


urlpatterns = [
    path("search/", search_page, name="search"),
    path("search/index/rebuild/", rebuild, name="search_rebuild"),
]

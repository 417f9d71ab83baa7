"""Registry pages: thin views over selectors and services."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from jineng.registry import selectors

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def region_list(request):
    regions = selectors.region_list(actor=request.user, parent_code=request.GET.get("parent"),
                                    q=request.GET.get("q", ""))
    if not request.GET.get("parent") and not request.GET.get("q"):
        regions = regions.filter(level="province")
    return render(request, "registry/region_list.html", {"page": _page(request, regions)})


@login_required
def occupation_list(request):
    occupations = selectors.occupation_list(actor=request.user, q=request.GET.get("q", ""))
    return render(request, "registry/occupation_list.html",
                  {"page": _page(request, occupations)})


@login_required
def organization_list(request):
    orgs = selectors.organization_list(actor=request.user, kind=request.GET.get("kind"),
                                       q=request.GET.get("q", ""))
    return render(request, "registry/organization_list.html", {"page": _page(request, orgs)})


@login_required
def site_list(request):
    sites = selectors.site_list(actor=request.user)
    return render(request, "registry/site_list.html", {"page": _page(request, sites)})


@login_required
def person_list(request):
    persons = selectors.person_list(actor=request.user, q=request.GET.get("q", ""))
    return render(request, "registry/person_list.html", {"page": _page(request, persons)})

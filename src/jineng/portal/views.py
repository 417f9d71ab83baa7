from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from jineng.portal import selectors


def home(request):
    if request.user.is_authenticated:
        return redirect("portal:overview")
    return render(request, "portal/home.html", {"stats": selectors.public_stats()})


@login_required
def overview(request):
    return render(request, "portal/overview.html", selectors.overview(actor=request.user))

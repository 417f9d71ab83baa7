"""Certificates issued here, for staff: the list (filters: kind, occupation, level, status,
issuer, date of issue; ID numbers masked) and one certificate (its sitting or class, its
一试双证 pair, its status history, and the signing area's links: the signed file, the printable
PDF, the public page, revocation). A class's training certificates are issued from here too
(a POST from the class's institution or its HRSS office)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jineng.assessment import services
from jineng.assessment.choices import CertificateKind, CertificateStatus
from jineng.assessment.selectors import issuance as selectors
from jineng.core.errors import DomainError
from jineng.core.http import domain_errors, message_errors
from jineng.core.scoping import scope_of
from jineng.registry.models import SkillLevel
from jineng.training import selectors as training_selectors

PAGE_SIZE = 50


def _int(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 9 else None


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def filters_from(params) -> selectors.CertificateFilters:
    """The list's filters from a query string; an unknown value is ignored (shown unset)."""
    kind = params.get("kind", "")
    status = params.get("status", "")
    level = params.get("level", "")
    return selectors.CertificateFilters(
        kind=kind if kind in CertificateKind.values else "",
        occupation_id=_int(params.get("occupation", "")),
        level=level if SkillLevel.objects.filter(code=level).exists() else "",
        status=status if status in CertificateStatus.values else "",
        issuer_id=_int(params.get("issuer", "")),
        issued_from=_day(params.get("from", "")), issued_to=_day(params.get("to", "")),
        sitting_id=_int(params.get("sitting", "")),
        training_class_id=_int(params.get("class", "")), q=params.get("q", "")[:40])


@login_required
def issuance_list(request):
    if not scope_of(request.user).sees_persons:
        raise Http404
    filters = filters_from(request.GET)
    page = Paginator(selectors.issued_certificate_list(actor=request.user, filters=filters),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/issuance_list.html", {
        "page": page, "filters": filters, "kinds": CertificateKind.choices,
        "statuses": CertificateStatus.choices, "levels": SkillLevel.objects.order_by("rank")})


@login_required
@domain_errors
def issuance_detail(request, pk: int):
    certificate = selectors.issued_certificate_get(actor=request.user, pk=pk)
    return render(request, "assessment/issuance_detail.html", {
        "c": certificate,
        "sitting": certificate.candidate.sitting if certificate.candidate_id else None,
        "pair": selectors.issued_certificate_pair(actor=request.user, certificate=certificate),
        "history": selectors.issued_certificate_history(actor=request.user,
                                                        certificate=certificate),
        "may_revoke": services.may_revoke(request.user, certificate),
        "may_set_photo": certificate.candidate_id is not None
        and services.may_set_photo(request.user, certificate)})


@login_required
@require_POST
@domain_errors
def issuance_training_certificates(request, class_id: int):
    """Issue a finished class's training (or entrepreneurship-training) certificates."""
    cls = training_selectors.class_get(actor=request.user, pk=class_id)
    with message_errors(request):
        issued = services.training_certificates_issue(actor=request.user, training_class=cls)
        if issued:
            messages.success(request, _("%(count)s certificates issued.")
                             % {"count": len(issued)})
        else:
            messages.info(request, _("Every trainee who completed the class holds its "
                                     "certificate already."))
    return redirect(f"{reverse('assessment:issuance_list')}?class={cls.pk}")


@login_required
@require_POST
@domain_errors
def issuance_candidate_photo(request, candidate_id: int):
    """Upload a candidate's photo for their certificates (size checked before reading)."""
    from jineng.assessment.rules import photos

    upload = request.FILES.get("photo")
    back = request.POST.get("next") or reverse("assessment:issuance_list")
    if not back.startswith("/") or back.startswith("//"):
        back = reverse("assessment:issuance_list")
    with message_errors(request):
        if upload is None:
            raise DomainError(_("Choose the photo file."), field="photo", code="required")
        if upload.size > photos.MAX_BYTES:
            raise services.photo_refusal("too_large")
        services.candidate_photo_set(actor=request.user, candidate=candidate_id,
                                     data=upload.read(photos.MAX_BYTES + 1))
        messages.success(request, _("The photo is set on the candidate's certificates."))
    return redirect(back)


urlpatterns = [
    path("candidates/<int:candidate_id>/photo/", issuance_candidate_photo,
         name="issuance_candidate_photo"),
    path("certificates/", issuance_list, name="issuance_list"),
    path("certificates/<int:pk>/", issuance_detail, name="issuance_detail"),
    path("classes/<int:class_id>/training-certificates/", issuance_training_certificates,
         name="issuance_training_certificates"),
]

"""Signing pages. Public, no login, phone-first: the verify page (an uploaded file or a
number) and a certificate's QR link `/assessment/c/<number>/`. Staff: the signed file
(`.json`), the printable PDF, the revoke form, the keys page (rotate)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jineng.assessment import selectors, services, throttle
from jineng.assessment.choices import CertificateStatus, RevocationReason
from jineng.assessment.rules import documents
from jineng.assessment.signing_pdf import certificate_pdf
from jineng.core.errors import Forbidden
from jineng.core.http import domain_errors, form_errors, message_errors


class VerifyForm(forms.Form):
    file = forms.FileField(label=_("Certificate file (.json)"), required=False)
    number = forms.CharField(label=_("Certificate number"), required=False, max_length=40)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if not upload and not (data.get("number") or "").strip():
            raise forms.ValidationError(_("Upload the certificate's file or enter its number."))
        if upload and upload.size > documents.MAX_DOCUMENT_BYTES:
            self.add_error("file", _("A certificate file is at most 64 KB: this is not one."))
        return data


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RevocationReason.choices)
    note = forms.CharField(label=_("Why (recorded in the history)"), widget=forms.Textarea(
        attrs={"rows": 3}), max_length=2000)
    revoke_paired = forms.TypedChoiceField(
        label=_("The paired certificate (一试双证)"), required=False, empty_value=None,
        coerce=lambda v: v == "yes",
        choices=[("", _("— choose —")), ("yes", _("Revoke it too")),
                 ("no", _("Keep it valid"))])

    def __init__(self, *args, pair=None, **kwargs):
        super().__init__(*args, **kwargs)
        if pair is None:
            del self.fields["revoke_paired"]
        else:
            self.fields["revoke_paired"].help_text = _(
                "Certificate %(number)s was issued from the same assessment.") % {
                    "number": pair.number}


def _throttled(request, decision) -> HttpResponse:
    response = render(request, "assessment/signing_throttled.html",
                      {"message": throttle.message(decision)}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


def _verify_page_url(request) -> str:
    return request.build_absolute_uri(reverse("assessment:signing_verify"))


@require_http_methods(["GET", "POST"])
def verify(request):
    """Anyone checks a certificate: upload its signed file, or enter its number."""
    form = (VerifyForm(request.POST, request.FILES) if request.method == "POST"
            else VerifyForm())
    outcome = None
    if request.method == "POST":
        decision = throttle.check(request)
        if not decision.allowed:
            return _throttled(request, decision)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload:
            outcome = selectors.verify_document_bytes(
                upload.read(documents.MAX_DOCUMENT_BYTES + 1))
        else:
            number = selectors.normalize_number(form.cleaned_data["number"])
            return redirect("assessment:signing_certificate_public", number=number)
    return render(request, "assessment/signing_verify.html",
                  {"form": form, "outcome": outcome,
                   "facts": outcome.facts() if outcome and outcome.payload else None},
                  status=400 if form.errors else 200)


def certificate_public(request, number: str):
    """What a certificate's QR code opens: its status now and the holder's masked name
    (rate-limited per client address: numbers cannot be walked)."""
    decision = throttle.check(request)
    if not decision.allowed:
        return _throttled(request, decision)
    status = selectors.certificate_public_status(number)
    return render(request, "assessment/signing_public.html",
                  {"status": status, "verify_url": reverse("assessment:signing_verify")})


@login_required
@domain_errors
def certificate_file(request, pk: int):
    """The signed certificate file (anyone can check it offline)."""
    certificate = selectors.signing_certificate_get(actor=request.user, pk=pk)
    document = selectors.certificate_document(certificate)
    if document is None:
        services.certificate_sign(certificate)
        document = selectors.certificate_document(certificate)
    response = HttpResponse(documents.document_bytes(document),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.json"'
    return response


@login_required
@domain_errors
def certificate_pdf_view(request, pk: int):
    """The printable certificate with its QR code."""
    certificate = selectors.signing_certificate_get(actor=request.user, pk=pk)
    if not certificate.signature:
        services.certificate_sign(certificate)
    data = certificate_pdf(certificate, verify_page=_verify_page_url(request))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate.number}.pdf"'
    return response


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def certificate_revoke(request, pk: int):
    certificate = selectors.signing_certificate_get(actor=request.user, pk=pk)
    if not services.may_revoke(request.user, certificate):
        raise Forbidden(gettext("Only province or city HRSS staff of the certificate's region "
                                "revoke certificates issued here."))
    pair = selectors.signing_pair_of(certificate)
    if pair is not None and pair.status != CertificateStatus.VALID:
        pair = None
    form = (RevokeForm(request.POST, pair=pair) if request.method == "POST"
            else RevokeForm(pair=pair))
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.certificate_revoke(
                actor=request.user, certificate=certificate,
                reason=form.cleaned_data["reason"], note=form.cleaned_data["note"],
                revoke_paired=form.cleaned_data.get("revoke_paired"))
            return redirect("assessment:signing_certificate_public", number=certificate.number)
    return render(request, "assessment/signing_revoke.html",
                  {"certificate": certificate, "form": form, "pair": pair},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def keys(request):
    """The published signing keys; key managers rotate here."""
    if request.method == "POST":
        with message_errors(request):
            services.signing_key_rotate(actor=request.user)
        return redirect("assessment:signing_keys")
    return render(request, "assessment/signing_keys.html",
                  {"keys": selectors.published_keys(),
                   "may_rotate": services.may_manage_keys(request.user)})


urlpatterns = [
    path("verify/", verify, name="signing_verify"),
    path("c/<str:number>/", certificate_public, name="signing_certificate_public"),
    path("keys/", keys, name="signing_keys"),
    path("certificates/<int:pk>/signed.json", certificate_file, name="signing_certificate_file"),
    path("certificates/<int:pk>/certificate.pdf", certificate_pdf_view,
         name="signing_certificate_pdf"),
    path("certificates/<int:pk>/revoke/", certificate_revoke, name="signing_certificate_revoke"),
]

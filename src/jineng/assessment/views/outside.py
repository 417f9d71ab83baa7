"""Pages of certificates from outside: the list (verified filter, mark verified), the record
form, the file import of certificates and of a previous system's assessments (upload, row
report, template download). HRSS staff; other users get 404 (the pages do not exist for them).
Thin: the services check and write."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jineng.assessment import selectors, services
from jineng.assessment.choices import CertificateKind, CertificateOrigin
from jineng.core.errors import DomainError
from jineng.core.http import domain_errors, form_errors, message_errors
from jineng.registry import selectors as registry_selectors

PAGE_SIZE = 50
ORIGIN_CHOICES = [(o.value, o.label) for o in CertificateOrigin
                  if o != CertificateOrigin.ISSUED]


def _ensure_page(user, *, history: bool = False) -> None:
    allowed = services.may_import_history(user) if history \
        else services.may_record_outside(user)
    if not allowed:
        raise Http404


class FilterForm(forms.Form):
    verified = forms.ChoiceField(label=gettext_lazy("Verified"), required=False, choices=[
        ("", gettext_lazy("All")), ("yes", gettext_lazy("Verified")),
        ("no", gettext_lazy("Not verified"))])
    origin = forms.ChoiceField(label=gettext_lazy("Origin"), required=False,
                               choices=[("", gettext_lazy("All")), *ORIGIN_CHOICES])
    q = forms.CharField(label=gettext_lazy("Number or holder"), required=False, max_length=40)


class RecordForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CertificateKind.choices)
    origin = forms.ChoiceField(label=gettext_lazy("Origin"), choices=ORIGIN_CHOICES)
    number = forms.CharField(label=gettext_lazy("Certificate number"), max_length=40)
    id_number = forms.CharField(label=gettext_lazy("Holder's ID number"), max_length=20,
                                help_text=gettext_lazy("A person registered in your "
                                                       "jurisdiction."))
    holder_name = forms.CharField(label=gettext_lazy("Holder's name"), max_length=50)
    occupation = forms.CharField(label=gettext_lazy("Occupation or work type"),
                                 required=False, max_length=100,
                                 help_text=gettext_lazy("Its code or its name."))
    work_type = forms.CharField(label=gettext_lazy("Work type or direction"), required=False,
                                max_length=100)
    level = forms.ChoiceField(label=gettext_lazy("Skill level"), required=False)
    special_ability_item = forms.CharField(label=gettext_lazy("Special ability item"),
                                           required=False, max_length=100)
    title = forms.CharField(label=gettext_lazy("Training project or operation type"),
                            required=False, max_length=200)
    issuer_name = forms.CharField(label=gettext_lazy("Issuer"), max_length=200)
    issued_on = forms.DateField(label=gettext_lazy("Issued on"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    training_start = forms.DateField(label=gettext_lazy("Training from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    training_end = forms.DateField(label=gettext_lazy("Training to"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    verified = forms.BooleanField(label=gettext_lazy("Verified against its issuer"),
                                  required=False)
    note = forms.CharField(label=gettext_lazy("How it was verified"), required=False,
                           max_length=500)

    def __init__(self, *args, levels=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "—"), *((lv.code, str(lv)) for lv in levels)]


class VerifyForm(forms.Form):
    verified = forms.BooleanField(required=False)
    note = forms.CharField(required=False, max_length=500)


class HistoryImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.csv in UTF-8 or GBK, or .xlsx)"))


class ImportForm(HistoryImportForm):
    skip_bad_rows = forms.BooleanField(
        label=gettext_lazy("Skip bad rows (import the good rows, report the bad ones)"),
        required=False)


@login_required
@domain_errors
def outside_list(request):
    _ensure_page(request.user)
    form = FilterForm(request.GET or None)
    verified = origin = q = None
    if form.is_valid():
        verified = {"yes": True, "no": False}.get(form.cleaned_data["verified"])
        origin, q = form.cleaned_data["origin"], form.cleaned_data["q"]
    qs = selectors.outside_certificate_list(actor=request.user, verified=verified,
                                            origin=origin or "", q=q or "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "assessment/outside_list.html", {
        "form": form, "page": page,
        "may_import_history": services.may_import_history(request.user)})


def _input(user, form: RecordForm) -> services.OutsideCertificateInput:
    data = form.cleaned_data
    occupation = None
    if data["occupation"].strip():
        qs = registry_selectors.occupation_list(actor=user).filter(
            rank__in=("occupation", "work_type"))
        text = data["occupation"].strip()
        occupation = qs.filter(code=text).first() or qs.filter(name=text).order_by("pk").first()
        if occupation is None:
            raise DomainError(_("Unknown occupation or work type “%(value)s”.")
                              % {"value": text}, field="occupation")
    level = None
    if data["level"]:
        level = registry_selectors.skill_level_list(actor=user).filter(
            code=data["level"]).first()
    return services.OutsideCertificateInput(
        kind=data["kind"], number=data["number"], origin=data["origin"],
        id_number=data["id_number"], holder_name=data["holder_name"],
        issuer_name=data["issuer_name"], issued_on=data["issued_on"], occupation=occupation,
        work_type=data["work_type"], level=level,
        special_ability_item=data["special_ability_item"], title=data["title"],
        training_start=data["training_start"], training_end=data["training_end"],
        verified=data["verified"], note=data["note"])


@login_required
@domain_errors
def outside_record(request):
    """The record form. The ID number is sent by POST only (never in a URL)."""
    _ensure_page(request.user)
    levels = list(registry_selectors.skill_level_list(actor=request.user))
    form = RecordForm(request.POST or None, levels=levels,
                      initial={"issued_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        with form_errors(form) as outcome:
            cert, created = services.certificate_record_outside(
                actor=request.user, data=_input(request.user, form))
        if not outcome.failed:
            if created:
                messages.success(request, _("Recorded certificate %(number)s.")
                                 % {"number": cert.number})
            else:
                messages.info(request, _("Certificate %(number)s was recorded before with the "
                                         "same content.") % {"number": cert.number})
            return redirect("assessment:outside_list")
    return render(request, "assessment/outside_record.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
@domain_errors
def outside_verify(request, pk: int):
    _ensure_page(request.user)
    cert = selectors.outside_certificate_get(actor=request.user, pk=pk)
    form = VerifyForm(request.POST)
    form.is_valid()
    with message_errors(request) as outcome:
        services.certificate_mark_verified(
            actor=request.user, certificate=cert,
            verified=bool(form.cleaned_data.get("verified")),
            note=form.cleaned_data.get("note", ""))
    if not outcome.failed:
        messages.success(request, _("Certificate %(number)s updated.") % {"number": cert.number})
    back = request.POST.get("next", "")
    return redirect(back if _is_local(back) else "assessment:outside_list")


def _is_local(url: str) -> bool:
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def _import_page(request, *, history: bool):
    _ensure_page(request.user, history=history)
    form = (HistoryImportForm if history else ImportForm)(request.POST or None,
                                                           request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with form_errors(form):
            if history:
                report = services.history_import(actor=request.user, file=upload)
            else:
                report = services.certificates_import(
                    actor=request.user, file=upload,
                    skip_bad_rows=form.cleaned_data["skip_bad_rows"])
    columns = services.HISTORY_COLUMNS if history else services.CERTIFICATE_COLUMNS
    labels = {c.name: str(c.label) for c in columns}
    errors = [{"row": e.row, "field": labels.get(e.field, e.field), "message": e.message}
              for e in (report.errors if report else [])]
    status = 400 if form.errors or (report and not report.written) else 200
    return render(request, "assessment/outside_import.html", {
        "form": form, "report": report, "errors": errors, "columns": columns,
        "history": history}, status=status)


@login_required
@domain_errors
def outside_import(request):
    """Upload a file of certificates from outside; the report lists every bad row."""
    return _import_page(request, history=False)


@login_required
@domain_errors
def outside_history_import(request):
    """Upload a previous system's assessments and certificates (a province moving here)."""
    return _import_page(request, history=True)


def _template(request, which: str) -> HttpResponse:
    _ensure_page(request.user, history=which == "history")
    data = services.history_template() if which == "history" \
        else services.certificates_template()
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="outside-{which}-template.xlsx"'
    return response


@login_required
@domain_errors
def outside_template_certificates(request):
    return _template(request, "certificates")


@login_required
@domain_errors
def outside_template_history(request):
    return _template(request, "history")


urlpatterns = [
    path("outside/", outside_list, name="outside_list"),
    path("outside/new/", outside_record, name="outside_record"),
    path("outside/<int:pk>/verify/", outside_verify, name="outside_verify"),
    path("outside/import/", outside_import, name="outside_import"),
    path("outside/history/", outside_history_import, name="outside_history_import"),
    path("outside/template/certificates.xlsx", outside_template_certificates,
         name="outside_template_certificates"),
    path("outside/template/history.xlsx", outside_template_history,
         name="outside_template_history"),
]

"""Outcomes pages: record linkage. The queue of rows that arrived without a valid ID number
(filter by status, region, import) with the person the linker proposes and what agreed, the
page of one link, and the forms to confirm, reject, reopen and run the linker."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jineng.core.errors import NotFound
from jineng.core.http import form_errors, message_errors
from jineng.core.scoping import scope_of
from jineng.outcomes.choices import LinkStatus
from jineng.outcomes.selectors import linkage as selectors
from jineng.outcomes.services import linkage as services

PAGE_SIZE = 50
FIELD_LABELS = {
    "name": gettext_lazy("name"), "birth_date": gettext_lazy("birth date"),
    "region": gettext_lazy("region"), "id_digits": gettext_lazy("ID digits"),
}
LEVEL_LABELS = {
    "exact": gettext_lazy("exact"), "pinyin": gettext_lazy("same pinyin"),
    "similar": gettext_lazy("similar"), "different": gettext_lazy("different"),
    "typo": gettext_lazy("one digit off"),
    "same_month_or_swapped": gettext_lazy("same month, or day and month swapped"),
    "county": gettext_lazy("same county"), "city": gettext_lazy("same city"),
    "region_and_sequence": gettext_lazy("region and sequence digits agree"),
    "sequence": gettext_lazy("sequence digits agree"),
    "neither": gettext_lazy("no digit group agrees"), "missing": gettext_lazy("not given"),
}


class LinkFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False,
                               choices=[("", gettext_lazy("all")), *LinkStatus.choices])
    region_code = forms.CharField(label=gettext_lazy("Region code"), required=False,
                                  max_length=12)
    import_id = forms.IntegerField(label=gettext_lazy("Import"), required=False, min_value=1,
                                   max_value=2**31 - 1)


class LinkConfirmForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000,
                             widget=forms.TextInput)
    id_number = forms.CharField(label=gettext_lazy("Another person's ID number (optional)"),
                                max_length=20, required=False)


class LinkDecisionForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000,
                             widget=forms.TextInput)


def _comparison(link) -> list[tuple[str, str, str]]:
    return [(str(FIELD_LABELS[f]), str(LEVEL_LABELS.get(link.comparison.get(f, ""),
                                                        link.comparison.get(f, "—"))),
             link.comparison.get(f, ""))
            for f in FIELD_LABELS if f in link.comparison]


def _staff_only(request) -> None:
    scope = scope_of(request.user)
    if not (scope.everything or (scope.sees_persons and scope.region_prefix is not None)):
        raise Http404


@login_required
def link_queue(request):
    _staff_only(request)
    form = LinkFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.link_list(actor=request.user, status=filters.get("status") or "",
                             region_code=filters.get("region_code") or "",
                             import_id=filters.get("import_id"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for link in page.object_list:
        link.comparison_rows = _comparison(link)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "outcomes/link_queue.html", {
        "form": form, "page": page, "query": query.urlencode(),
        "counts": selectors.link_counts(actor=request.user),
        "may_decide": services.may_decide_links(request.user),
        "may_run": services.may_run_linkage(request.user),
        "decision_form": LinkDecisionForm(), "confirm_form": LinkConfirmForm(),
    })


@login_required
@require_POST
def link_run(request):
    _staff_only(request)
    with message_errors(request) as outcome:
        summary = services.link_run_start(actor=request.user)
    if not outcome.error:
        if summary.job_id:
            messages.success(request, _("The linker runs in the background (job %(id)s).")
                             % {"id": summary.job_id})
            return redirect("jobs:job_detail", summary.job_id)
        messages.success(request, _("%(proposed)s rows looked at: %(linked)s linked "
                                    "automatically, %(pending)s awaiting confirmation, "
                                    "%(unmatched)s without a candidate.")
                         % {"proposed": summary.proposed, "linked": summary.linked,
                            "pending": summary.pending, "unmatched": summary.unmatched})
    return redirect("outcomes:link_queue")


@login_required
def link_detail(request, pk: int):
    _staff_only(request)
    try:
        link = selectors.link_get(actor=request.user, pk=pk)
    except NotFound as error:
        raise Http404 from error
    may_decide = services.may_decide_links(request.user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    confirm_form = LinkConfirmForm(request.POST if action == "confirm" else None)
    decision_form = LinkDecisionForm(request.POST if action in ("reject", "reopen") else None)
    if request.method == "POST":
        if not may_decide or action not in ("confirm", "reject", "reopen"):
            raise Http404
        form = confirm_form if action == "confirm" else decision_form
        if form.is_valid():
            d = form.cleaned_data
            with form_errors(form) as outcome:
                if action == "confirm":
                    services.link_confirm(actor=request.user, link_id=link.pk,
                                          id_number=d["id_number"], reason=d["reason"])
                elif action == "reject":
                    services.link_reject(actor=request.user, link_id=link.pk,
                                         reason=d["reason"])
                else:
                    services.link_reopen(actor=request.user, link_id=link.pk,
                                         reason=d["reason"])
            if not outcome.error:
                messages.success(request, _("The decision is recorded."))
                nxt = request.POST.get("next", "")
                return redirect(nxt if nxt.startswith(reverse("outcomes:link_queue"))
                                else reverse("outcomes:link_detail", args=[link.pk]))
    link.comparison_rows = _comparison(link)
    errors = confirm_form.errors or decision_form.errors
    return render(request, "outcomes/link_detail.html", {
        "link": link, "may_decide": may_decide, "confirm_form": confirm_form,
        "decision_form": decision_form,
        "open": link.status in (LinkStatus.PENDING, LinkStatus.UNMATCHED),
    }, status=400 if errors else 200)


urlpatterns = [
    path("links/", link_queue, name="link_queue"),
    path("links/run/", link_run, name="link_run"),
    path("links/<int:pk>/", link_detail, name="link_detail"),
]

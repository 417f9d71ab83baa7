"""Subsidy pages: claims (a reviewer approving a class's claims sees each amount's computation
step by step), budgets, parameter sets, payment batches. Thin: every write is a service call,
every read a selector; refusals come back as messages naming the rule."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jineng.core.errors import DomainError
from jineng.core.http import domain_errors, message_errors
from jineng.core.tabular import check_file_size
from jineng.subsidy import exports, selectors, services
from jineng.subsidy.choices import ClaimKind, ClaimStatus, FundSource

PAGE_SIZE = 50
REVIEW_ACTIONS = {"approve", "return", "refuse"}


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- claims ------------------------------------------------------------------------------------

@login_required
@domain_errors
def claim_list(request):
    status = request.GET.get("status", "")
    status = status if status in ClaimStatus.values else ""
    class_id = _int(request.GET.get("class_id"))
    qs = selectors.claim_list(actor=request.user, status=status, class_id=class_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"claim": claim, "steps": selectors.explained_steps(claim),
             "may_approve": "approve" in selectors.available_claim_actions(actor=request.user,
                                                                           claim=claim)}
            for claim in page]
    return render(request, "subsidy/claims.html", {
        "page": page, "rows": rows, "may_approve": any(r["may_approve"] for r in rows),
        "status": status, "class_id": class_id or "", "statuses": ClaimStatus.choices,
        "kinds": ClaimKind})


@login_required
@domain_errors
@require_POST
def claim_approve_selected(request):
    """A reviewer approves the claims ticked on the list, one by one (each in its own
    transaction: a claim the budget or the rules stop is reported, the others go on)."""
    done, refused = 0, []
    for value in request.POST.getlist("claim_id")[:PAGE_SIZE]:
        claim_id = _int(value)
        if claim_id is None:
            continue
        try:
            services.claim_review(actor=request.user, claim_id=claim_id, action="approve")
            done += 1
        except DomainError as error:
            refused.append(_("Claim %(id)s: %(message)s") % {"id": claim_id,
                                                            "message": error.message})
    if done:
        messages.success(request, _("%(n)s claims approved.") % {"n": done})
    for line in refused:
        messages.error(request, line)
    back = request.POST.get("next", "")
    if not back.startswith(reverse("subsidy:claim_list")):  # only back to the list itself
        back = reverse("subsidy:claim_list")
    return redirect(back)


@login_required
@domain_errors
@require_POST
def claim_batch_create(request):
    class_id = _int(request.POST.get("class_id"))
    with message_errors(request) as outcome:
        if class_id is None:
            raise DomainError(_("Give the class number."), field="class_id")
        result = services.claim_batch_from_class(
            actor=request.user, class_id=class_id,
            payee_kind=request.POST.get("payee_kind", "institution"),
            account=request.POST.get("account", ""),
            bank_name=request.POST.get("bank_name", ""))
    if not outcome.failed:
        messages.success(request, _("%(created)s claims created, %(refused)s refused by the "
                                    "rules, %(already)s trainees already claimed.")
                         % {"created": len(result.created), "refused": len(result.refused),
                            "already": result.already})
        return redirect(f"{reverse('subsidy:claim_list')}?class_id={class_id}")
    return redirect("subsidy:claim_list")


@login_required
@domain_errors
def claim_detail(request, pk: int):
    claim = selectors.claim_get(actor=request.user, pk=pk)
    from jineng.subsidy.selectors_applications import claim_evidence

    return render(request, "subsidy/claim_detail.html", {
        "claim": claim, "steps": selectors.explained_steps(claim),
        "evidence": claim_evidence(claim),
        "history": selectors.claim_history(actor=request.user, claim=claim),
        "actions": selectors.available_claim_actions(actor=request.user, claim=claim)})


@login_required
@domain_errors
@require_POST
def claim_action(request, pk: int, action: str):
    reason = request.POST.get("reason", "")
    with message_errors(request) as outcome:
        if action in REVIEW_ACTIONS:
            services.claim_review(actor=request.user, claim_id=pk, action=action,
                                  reason=reason)
        elif action == "submit":
            services.claim_submit(actor=request.user, claim_id=pk)
        elif action == "withdraw":
            services.claim_withdraw(actor=request.user, claim_id=pk, reason=reason)
        elif action == "reapply":
            services.claim_reapply(actor=request.user, claim_id=pk)
        elif action == "recover":
            services.claim_recover(actor=request.user, claim_id=pk, reason=reason)
        elif action == "reevaluate":
            services.claim_reevaluate(actor=request.user, claim_id=pk)
        elif action == "account":
            services.claim_set_account(actor=request.user, claim_id=pk,
                                       account=request.POST.get("account", ""),
                                       bank_name=request.POST.get("bank_name", ""))
        else:
            raise DomainError(_("Unknown action."), field="action")
    if not outcome.failed:
        messages.success(request, _("Done."))
    return redirect("subsidy:claim_detail", pk=pk)


# --- budgets -----------------------------------------------------------------------------------

@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def budget_list(request):
    if request.method == "POST":
        with message_errors(request) as outcome:
            services.budget_create(actor=request.user, source=request.POST.get("source", ""),
                                   region_code=request.POST.get("region_code", ""),
                                   year=_int(request.POST.get("year"), 0),
                                   amount=request.POST.get("amount", ""),
                                   note=request.POST.get("note", ""))
        if not outcome.failed:
            messages.success(request, _("The budget is set."))
        return redirect("subsidy:budget_list")
    return render(request, "subsidy/budgets.html", {
        "budgets": selectors.budget_list(actor=request.user)[:500],
        "sources": FundSource.choices, "year": dt.date.today().year})


# --- parameter sets ----------------------------------------------------------------------------

@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def parameter_list(request):
    if request.method == "POST":
        text = request.POST.get("yaml_text", "")
        upload = request.FILES.get("file")
        with message_errors(request) as outcome:
            if upload is not None:
                check_file_size(upload.size)
                text = upload.read().decode("utf-8", errors="replace")
            row = services.parameter_set_upload(actor=request.user, yaml_text=text)
        if not outcome.failed:
            messages.success(request, _("Draft %(version)s uploaded.") % {"version": row.version})
            return redirect("subsidy:parameter_detail", pk=row.pk)
        return redirect("subsidy:parameter_list")
    return render(request, "subsidy/parameters.html", {
        "sets": selectors.parameter_set_list(actor=request.user)[:500]})


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def parameter_detail(request, pk: int):
    row = selectors.parameter_set_get(actor=request.user, pk=pk)
    if request.method == "POST":
        with message_errors(request) as outcome:
            services.parameter_set_publish(actor=request.user, parameter_set_id=row.pk)
        if not outcome.failed:
            messages.success(request, _("Published."))
        return redirect("subsidy:parameter_detail", pk=row.pk)
    return render(request, "subsidy/parameter_detail.html", {"set": row})


# --- payments ----------------------------------------------------------------------------------

@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def batch_list(request):
    if request.method == "POST":
        with message_errors(request) as outcome:
            batch = services.payment_batch_create(
                actor=request.user, region_code=request.POST.get("region_code", ""),
                fund_source=request.POST.get("fund_source", ""))
        if not outcome.failed:
            return redirect("subsidy:batch_detail", pk=batch.pk)
        return redirect("subsidy:batch_list")
    return render(request, "subsidy/batches.html", {
        "batches": selectors.batch_list(actor=request.user)[:500],
        "sources": FundSource.choices})


@login_required
@domain_errors
def batch_detail(request, pk: int):
    batch = selectors.batch_get(actor=request.user, pk=pk)
    return render(request, "subsidy/batch_detail.html", {
        "batch": batch, "items": selectors.batch_items(actor=request.user, batch=batch)})


@login_required
@domain_errors
@require_POST
def batch_export(request, pk: int):
    with message_errors(request) as outcome:
        data = services.payment_batch_export(actor=request.user, batch_id=pk)
    if outcome.failed:
        return redirect("subsidy:batch_detail", pk=pk)
    batch = selectors.batch_get(actor=request.user, pk=pk)
    fmt = "xlsx" if request.POST.get("fmt") == "xlsx" else "csv"
    if fmt == "xlsx":
        response = HttpResponse(exports.transfer_xlsx(data), content_type=exports.XLSX)
    else:
        response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.{fmt}"'
    return response


@login_required
@domain_errors
@require_POST
def batch_results(request, pk: int):
    upload = request.FILES.get("file")
    with message_errors(request) as outcome:
        if upload is None:
            raise DomainError(_("Choose the bank's result file."), field="file")
        check_file_size(upload.size)
        report = services.payment_results_import(actor=request.user, batch_id=pk,
                                                 data=upload.read(), filename=upload.name)
    if not outcome.failed:
        messages.success(request, _("%(paid)s paid, %(failed)s failed, %(repeated)s already "
                                    "recorded.") % {"paid": report.paid, "failed": report.failed,
                                                    "repeated": report.repeated})
    return redirect("subsidy:batch_detail", pk=pk)


urlpatterns = [
    path("claims/", claim_list, name="claim_list"),
    path("claims/from-class/", claim_batch_create, name="claim_batch_create"),
    path("claims/approve/", claim_approve_selected, name="claim_approve_selected"),
    path("claims/<int:pk>/", claim_detail, name="claim_detail"),
    path("claims/<int:pk>/<slug:action>/", claim_action, name="claim_action"),
    path("budgets/", budget_list, name="budget_list"),
    path("parameters/", parameter_list, name="parameter_list"),
    path("parameters/<int:pk>/", parameter_detail, name="parameter_detail"),
    path("payments/", batch_list, name="batch_list"),
    path("payments/<int:pk>/", batch_detail, name="batch_detail"),
    path("payments/<int:pk>/export/", batch_export, name="batch_export"),
    path("payments/<int:pk>/results/", batch_results, name="batch_results"),
]

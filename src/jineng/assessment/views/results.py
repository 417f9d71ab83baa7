"""Results pages: the entry grid of a sitting (candidate, masked ID number, theory, practical,
absent, outcome), the results file's template and its import with a report per row, and the
"close and issue certificates" button. The sitting's evaluator writes; the HRSS offices of
its region read the same page without the forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from jineng.assessment import selectors, services
from jineng.core.http import domain_errors, form_errors, message_errors
from jineng.core.tabular import check_file_size


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Results file (.xlsx or .csv)"))


@dataclass
class GridRow:
    """One line of the grid: what is entered (or was just typed) and its row's errors."""

    result: selectors.ResultRow
    theory: str
    practical: str
    absent: bool
    errors: dict[str, str]

    @property
    def candidate(self):
        return self.result.candidate


def _cell(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def _grid(rows: list[selectors.ResultRow], posted: dict[int, dict] | None = None,
          errors: dict[int, dict[str, str]] | None = None) -> list[GridRow]:
    out = []
    for r in rows:
        c = r.candidate
        typed = (posted or {}).get(c.pk)
        if typed is not None:
            theory, practical, absent = typed["theory"], typed["practical"], typed["absent"]
        else:
            theory, practical, absent = _cell(c.theory_score), _cell(c.practical_score), \
                c.absent
        out.append(GridRow(result=r, theory=theory, practical=practical, absent=absent,
                           errors=(errors or {}).get(c.pk, {})))
    return out


def _page(request, sitting, *, grid: list[GridRow] | None = None, import_form=None,
          report=None, status: int = 200, reason: str = "") -> HttpResponse:
    rows = selectors.results_rows(actor=request.user, sitting=sitting)
    decided = [r.outcome.passed for r in rows if r.outcome.passed is not None]
    return render(request, "assessment/results_sitting.html", {
        "sitting": sitting,
        "grid": grid if grid is not None else _grid(rows),
        "may_enter": services.may_enter_results(request.user, sitting),
        "may_close": services.may_close_sitting(request.user, sitting),
        "import_form": import_form or ImportForm(),
        "report": report,
        "reason": reason,
        "passed": sum(1 for d in decided if d), "decided": len(decided), "total": len(rows),
    }, status=status)


def _sitting(request, pk: int):
    return selectors.results_sitting_get(actor=request.user, pk=pk)


@login_required
@domain_errors
def results_sitting(request, pk: int):
    """The grid; a POST saves every row that has something typed (or had a result)."""
    sitting = _sitting(request, pk)
    if request.method != "POST":
        return _page(request, sitting)
    if not services.may_enter_results(request.user, sitting):
        with message_errors(request):  # 403 for a reader, a message for a wrong state
            services.ensure_may_enter_results(request.user, sitting)
        return redirect("assessment:results_sitting", pk=sitting.pk)
    rows = selectors.results_rows(actor=request.user, sitting=sitting)
    posted: dict[int, dict] = {}
    inputs: list[services.ResultInput] = []
    for r in rows:
        c = r.candidate
        typed = {"theory": request.POST.get(f"theory_{c.pk}", "").strip(),
                 "practical": request.POST.get(f"practical_{c.pk}", "").strip(),
                 "absent": request.POST.get(f"absent_{c.pk}") == "on"}
        posted[c.pk] = typed
        if typed["theory"] or typed["practical"] or typed["absent"] or r.entered:
            inputs.append(services.ResultInput(
                candidate_id=c.pk, theory_score=typed["theory"] or None,
                practical_score=typed["practical"] or None, absent=typed["absent"],
                row=len(inputs) + 1))
    reason = request.POST.get("reason", "").strip()[:500]
    if not inputs:
        messages.info(request, _("Nothing to save: type the scores first."))
        return redirect("assessment:results_sitting", pk=sitting.pk)
    report = invalid = None
    with message_errors(request):
        try:
            report = services.results_enter(actor=request.user, sitting=sitting, rows=inputs,
                                            reason=reason, source="page")
        except services.ResultsInvalid as bad:
            invalid = bad
    if invalid is not None:
        by_row = {i.row: i.candidate_id for i in inputs}
        errors: dict[int, dict[str, str]] = {}
        for e in invalid.report.errors:
            errors.setdefault(by_row[e.row], {})[e.field] = e.message
        messages.error(request, _("Nothing was saved: correct the rows marked below."))
        return _page(request, sitting, grid=_grid(rows, posted, errors), status=400,
                     reason=reason)
    if report is None:  # refused as a whole: the message says why
        return redirect("assessment:results_sitting", pk=sitting.pk)
    messages.success(request, _("Saved: %(created)d entered, %(updated)d corrected, "
                                "%(unchanged)d unchanged.")
                     % {"created": report.created, "updated": report.updated,
                        "unchanged": report.unchanged})
    if report.moved_to_results:
        messages.success(request, _("Every candidate has a result: the sitting's results "
                                    "are recorded."))
    return redirect("assessment:results_sitting", pk=sitting.pk)


@login_required
@domain_errors
def results_template(request, pk: int, fmt: str):
    """The results file's template: one row per candidate (number, name, masked ID number,
    what is entered so far)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    sitting = _sitting(request, pk)
    data = selectors.results_template(actor=request.user, sitting=sitting, fmt=fmt)
    content_type = ("text/csv; charset=utf-8" if fmt == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="results-{sitting.pk}.{fmt}"'
    return response


@login_required
@require_POST
@domain_errors
def results_import(request, pk: int):
    sitting = _sitting(request, pk)
    form = ImportForm(request.POST, request.FILES)
    report = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        with form_errors(form):
            check_file_size(upload.size)
            report = services.results_import(actor=request.user, sitting=sitting,
                                             file=upload, filename=upload.name)
        if report is not None and report.written:
            messages.success(request, _("Imported: %(created)d entered, %(updated)d "
                                        "corrected, %(unchanged)d unchanged.")
                             % {"created": report.created, "updated": report.updated,
                                "unchanged": report.unchanged})
            return redirect("assessment:results_sitting", pk=sitting.pk)
    return _page(request, sitting, import_form=form, report=report, status=400)


@login_required
@require_POST
@domain_errors
def results_close(request, pk: int):
    """Close the sitting and issue its certificates (the issuance area's service); a refusal
    is shown as a message on the page."""
    sitting = _sitting(request, pk)
    with message_errors(request) as outcome:
        issued = services.certificates_issue_for_sitting(actor=request.user, sitting=sitting)
    if not outcome.failed:
        count = len(issued) if hasattr(issued, "__len__") else getattr(issued, "issued", None)
        if count is None:
            messages.success(request, _("The sitting is closed and its certificates are "
                                        "issued."))
        else:
            messages.success(request, ngettext(
                "The sitting is closed: %(n)d certificate issued.",
                "The sitting is closed: %(n)d certificates issued.", count) % {"n": count})
    return redirect("assessment:results_sitting", pk=sitting.pk)


urlpatterns = [
    path("sittings/<int:pk>/results/", results_sitting, name="results_sitting"),
    path("sittings/<int:pk>/results/template.<str:fmt>", results_template,
         name="results_template"),
    path("sittings/<int:pk>/results/import/", results_import, name="results_import"),
    path("sittings/<int:pk>/results/close/", results_close, name="results_close"),
]

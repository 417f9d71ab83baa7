"""Demand pages: enterprise demand lists (企业需求清单) — the list of lists (an enterprise its own,
HRSS staff their region's, industry departments their sector's), opening a quarter's list, a
list's page with its lines, the line form, the Excel import with its per-row report, the review
steps and history — and Guizhou's 四张清单 per region and quarter, with the Excel export."""

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

from jineng.core.errors import DomainError, NotFound
from jineng.core.http import domain_errors, form_errors, message_errors
from jineng.core.scoping import scope_of
from jineng.demand import selectors, services
from jineng.demand.choices import DemandListStatus
from jineng.demand.rules import demand_lists as rules
from jineng.registry import selectors as registry_selectors
from jineng.training.choices import Sector

PAGE_SIZE = 50
ACTION_LABELS = {"submit": gettext_lazy("Submit the list"),
                 "return": gettext_lazy("Return for correction"),
                 "accept": gettext_lazy("Accept")}


def _is_enterprise(user) -> bool:
    return getattr(user, "role", "") == "enterprise" and bool(
        getattr(user, "organization_id", None))


class ListForm(forms.Form):
    quarter_key = forms.ChoiceField(label=gettext_lazy("Quarter"))
    alliance_name = forms.CharField(
        label=gettext_lazy("Alliance (就业培训联盟), if you file as its lead enterprise"),
        max_length=100, required=False)
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), required=False)
    contact_name = forms.CharField(label=gettext_lazy("Contact"), max_length=50, required=False)
    contact_phone = forms.CharField(label=gettext_lazy("Contact phone"), max_length=20,
                                    required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, fixed=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        quarters = [fixed] if fixed else rules.fileable_quarters(timezone.localdate())
        self.fields["quarter_key"].choices = [(f"{y}-{q}", f"{y} Q{q}") for y, q in quarters]
        self.fields["sector"].choices = [("", "—"), *list(Sector.choices)]
        if fixed:
            self.fields["quarter_key"].disabled = True
            self.fields["quarter_key"].initial = f"{fixed[0]}-{fixed[1]}"

    def to_input(self) -> services.DemandListInput:
        d = self.cleaned_data
        year, quarter = (int(x) for x in d["quarter_key"].split("-"))
        return services.DemandListInput(
            year=year, quarter=quarter, alliance_name=d.get("alliance_name") or "",
            sector=d.get("sector") or "", contact_name=d.get("contact_name") or "",
            contact_phone=d.get("contact_phone") or "", note=d.get("note") or "")


class LineForm(forms.Form):
    occupation = forms.CharField(label=gettext_lazy("Occupation (name or code)"),
                                 max_length=100)
    level = forms.ChoiceField(label=gettext_lazy("Skill level"), required=False)
    headcount = forms.IntegerField(label=gettext_lazy("People needed"), min_value=1,
                                   max_value=100000)
    needed_by = forms.DateField(label=gettext_lazy("Needed by"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    order_class_wanted = forms.BooleanField(label=gettext_lazy("Would take an order class "
                                                               "(订单班)"), required=False)
    wage_min = forms.IntegerField(label=gettext_lazy("Monthly wage from (yuan)"), min_value=1,
                                  max_value=200000, required=False)
    wage_max = forms.IntegerField(label=gettext_lazy("Monthly wage to (yuan)"), min_value=1,
                                  max_value=200000, required=False)

    def __init__(self, *args, actor=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["level"].choices = [("", _("Any level"))] + [
            (lv.code, str(lv)) for lv in registry_selectors.skill_level_list(actor=actor)
            .order_by("rank")]

    def to_input(self) -> services.DemandLineInput | None:
        d = self.cleaned_data
        name = d["occupation"].strip()
        qs = registry_selectors.occupation_list(actor=self.actor).filter(
            rank__in=("occupation", "work_type"))
        occupation = qs.filter(code=name).first() or qs.filter(name=name).order_by("pk").first()
        if occupation is None:
            self.add_error("occupation", _("No occupation with this name or code."))
            return None
        level = (registry_selectors.skill_level_list(actor=self.actor)
                 .filter(code=d["level"]).first() if d.get("level") else None)
        return services.DemandLineInput(
            occupation=occupation, level=level, headcount=d["headcount"],
            needed_by=d["needed_by"], order_class_wanted=d.get("order_class_wanted") or False,
            wage_min=d.get("wage_min"), wage_max=d.get("wage_max"))


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (.xlsx or .csv)"))
    skip_bad_rows = forms.BooleanField(
        label=gettext_lazy("Skip bad rows (import the good rows, report the bad ones)"),
        required=False)


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) <= 4 else None


@login_required
def lists_index(request):
    g = request.GET
    status = g.get("status", "") if g.get("status", "") in DemandListStatus.values else ""
    filters = selectors.DemandListFilters(
        year=_int(g.get("year", "")), quarter=_int(g.get("quarter", "")), status=status,
        region_code=g.get("region", "")[:12], q=g.get("q", "")[:100])
    page = Paginator(selectors.demand_list_list(actor=request.user, filters=filters),
                     PAGE_SIZE).get_page(g.get("page"))
    return render(request, "demand/lists/index.html", {
        "page": page, "statuses": DemandListStatus.choices, "status": status,
        "q": filters.q, "can_file": _is_enterprise(request.user),
        "can_review": getattr(request.user, "is_hrss_staff", False),
        "staff": scope_of(request.user).region_prefix is not None})


@login_required
def lists_review(request):
    if not getattr(request.user, "is_hrss_staff", False):
        raise Http404
    return render(request, "demand/lists/review.html", {
        "lists": selectors.demand_lists_awaiting_review(actor=request.user)})


@login_required
def lists_new(request):
    if not _is_enterprise(request.user):
        raise Http404
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            row, created = services.demand_list_create(actor=request.user,
                                                       data=form.to_input())
            messages.success(request, _("List opened: add its lines.") if created
                             else _("Your list of this quarter was open already."))
            return redirect("demand:lists_detail", pk=row.pk)
    return render(request, "demand/lists/form.html", {"form": form, "new": True},
                  status=400 if form.errors else 200)


@login_required
@domain_errors
def lists_edit(request, pk: int):
    row = selectors.demand_list_get(actor=request.user, pk=pk)
    initial = {"alliance_name": row.alliance_name, "sector": row.sector,
               "contact_name": row.contact_name, "contact_phone": row.contact_phone,
               "note": row.note}
    form = ListForm(request.POST or None, initial=initial, fixed=(row.year, row.quarter))
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.demand_list_update(actor=request.user, demand_list=row,
                                        data=form.to_input())
            messages.success(request, _("Saved."))
            return redirect("demand:lists_detail", pk=row.pk)
    return render(request, "demand/lists/form.html", {"form": form, "list": row},
                  status=400 if form.errors else 200)


def _detail_context(request, row, line_form=None) -> dict:
    kinds = services.demand_list_kinds(request.user, row)
    editable = rules.FILER in kinds and row.status in rules.EDITABLE_STATES
    lines = list(selectors.demand_line_list(actor=request.user, demand_list=row))
    first, last = rules.quarter_bounds(row.year, row.quarter)
    return {
        "list": row, "lines": lines, "people": sum(ln.headcount for ln in lines),
        "editable": editable, "first": first, "last": last,
        "actions": [(a, ACTION_LABELS[a], rules.TRANSITIONS[a].reason_required)
                    for a in rules.available_actions(row.status, kinds)],
        "history": selectors.demand_list_history(actor=request.user, demand_list=row),
        "line_form": line_form or LineForm(actor=request.user),
        "returned_reason": next((h.reason for h in reversed(list(
            selectors.demand_list_history(actor=request.user, demand_list=row)))
            if h.to_status == rules.RETURNED), "") if row.status == rules.RETURNED else "",
    }


@login_required
@domain_errors
def lists_detail(request, pk: int):
    row = selectors.demand_list_get(actor=request.user, pk=pk)
    return render(request, "demand/lists/detail.html", _detail_context(request, row))


@login_required
@require_POST
@domain_errors
def lists_line_add(request, pk: int):
    row = selectors.demand_list_get(actor=request.user, pk=pk)
    form = LineForm(request.POST, actor=request.user)
    if form.is_valid():
        data = form.to_input()
        if data is not None:
            with form_errors(form):
                services.demand_line_add(actor=request.user, demand_list=row, data=data)
                messages.success(request, _("Line added."))
                return redirect("demand:lists_detail", pk=pk)
    return render(request, "demand/lists/detail.html",
                  _detail_context(request, row, line_form=form), status=400)


@login_required
@domain_errors
def lists_line_edit(request, pk: int):
    line = selectors.demand_line_get(actor=request.user, pk=pk)
    initial = {"occupation": line.occupation.code or line.occupation.name,
               "level": line.level.code if line.level_id else "",
               "headcount": line.headcount, "needed_by": line.needed_by,
               "order_class_wanted": line.order_class_wanted, "wage_min": line.wage_min,
               "wage_max": line.wage_max}
    form = LineForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        if data is not None:
            with form_errors(form):
                services.demand_line_update(actor=request.user, line=line, data=data)
                messages.success(request, _("Saved."))
                return redirect("demand:lists_detail", pk=line.demand_list_id)
    return render(request, "demand/lists/line_form.html", {"form": form, "line": line},
                  status=400 if form.errors else 200)


@login_required
@require_POST
@domain_errors
def lists_line_remove(request, pk: int):
    line = selectors.demand_line_get(actor=request.user, pk=pk)
    with message_errors(request) as outcome:
        services.demand_line_remove(actor=request.user, line=line)
    if not outcome.failed:
        messages.success(request, _("Line removed."))
    return redirect("demand:lists_detail", pk=line.demand_list_id)


@login_required
@require_POST
@domain_errors
def lists_transition(request, pk: int):
    row = selectors.demand_list_get(actor=request.user, pk=pk)
    action = request.POST.get("action", "")[:20]
    with message_errors(request) as outcome:
        services.demand_list_transition(actor=request.user, demand_list=row, action=action,
                                        reason=request.POST.get("reason", "")[:2000])
    if not outcome.failed:
        messages.success(request, _("Done."))
    return redirect("demand:lists_detail", pk=pk)


@login_required
@domain_errors
def lists_import(request, pk: int):
    row = selectors.demand_list_get(actor=request.user, pk=pk)
    if rules.FILER not in services.demand_list_kinds(request.user, row):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            report = services.demand_lines_import(
                actor=request.user, demand_list=row, file=form.cleaned_data["file"],
                skip_bad_rows=form.cleaned_data.get("skip_bad_rows") or False)
            if report.written:
                messages.success(request, _("%(n)s line(s) added; %(m)s already in the list.")
                                 % {"n": report.created, "m": report.unchanged})
    status = 400 if form.errors or (report is not None and not report.written) else 200
    return render(request, "demand/lists/import.html", {
        "list": row, "form": form, "report": report,
        "errors": report.errors if report else [], "columns": services.LINE_COLUMNS},
        status=status)


@login_required
@domain_errors
def lists_template(request, pk: int):
    row = selectors.demand_list_get(actor=request.user, pk=pk)
    response = HttpResponse(services.demand_lines_template(row), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = "attachment; filename=demand-lines.xlsx"
    return response


def _four(request):
    g = request.GET
    year, quarter = rules.quarter_of(timezone.localdate())
    year = _int(g.get("year", "")) or year
    quarter = _int(g.get("quarter", "")) or quarter
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        raise Http404
    scope = scope_of(request.user)
    code = g.get("region", "")[:12].strip() or (scope.region_prefix or "52").ljust(6, "0")
    try:
        return selectors.four_lists(actor=request.user, region_code=code, year=year,
                                    quarter=quarter)
    except NotFound:
        raise Http404 from None
    except DomainError:
        raise Http404 from None


@login_required
def four_lists_page(request):
    lists = _four(request)
    return render(request, "demand/lists/four.html", {"lists": lists,
                                                      "quarters": (1, 2, 3, 4)})


@login_required
def four_lists_export(request):
    lists = _four(request)
    response = HttpResponse(selectors.four_lists_xlsx(lists), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = (f"attachment; filename=four-lists-{lists.region_code}-"
                                       f"{lists.year}Q{lists.quarter}.xlsx")
    return response


urlpatterns = [
    path("lists/", lists_index, name="lists_index"),
    path("lists/review/", lists_review, name="lists_review"),
    path("lists/new/", lists_new, name="lists_new"),
    path("lists/<int:pk>/", lists_detail, name="lists_detail"),
    path("lists/<int:pk>/edit/", lists_edit, name="lists_edit"),
    path("lists/<int:pk>/lines/", lists_line_add, name="lists_line_add"),
    path("lists/<int:pk>/actions/", lists_transition, name="lists_transition"),
    path("lists/<int:pk>/import/", lists_import, name="lists_import"),
    path("lists/<int:pk>/template.xlsx", lists_template, name="lists_template"),
    path("lists/lines/<int:pk>/edit/", lists_line_edit, name="lists_line_edit"),
    path("lists/lines/<int:pk>/remove/", lists_line_remove, name="lists_line_remove"),
    path("four-lists/", four_lists_page, name="four_lists"),
    path("four-lists/export.xlsx", four_lists_export, name="four_lists_export"),
]

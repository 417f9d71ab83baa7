"""Catalog pages. Public (no login): the list of published catalogs, a catalog's entries with
search and filters, its version history, a side-by-side comparison of two versions, Excel and
PDF downloads, and the "what applies here on that day" look-up. Staff: drafts, imports and the
filing workflow. Thin: selectors read, services write."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jineng.catalog import exports, hooks, importers, selectors, services
from jineng.catalog.choices import CatalogKind, TrainingType, VersionStatus
from jineng.catalog.forms import CatalogForm, DraftForm, ImportForm, LookupForm, RejectForm
from jineng.catalog.kinds import COLUMN_TITLES, spec_for
from jineng.catalog.rules import permissions
from jineng.core.errors import DomainError
from jineng.core.http import domain_errors, form_errors, message_errors
from jineng.registry import selectors as registry_selectors

PAGE_SIZE = 50
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


# Views that read a catalog or version are wrapped in core.http.domain_errors: NotFound (missing
# or out of scope) answers the 404 page, Forbidden the 403 page.
def _catalog(request, pk: int):
    return selectors.catalog_get(actor=request.user, pk=pk)


def _version(request, catalog, number: int):
    return selectors.version_by_number(actor=request.user, catalog=catalog, number=number)


def _table(spec, entries) -> tuple[list[str], list[tuple]]:
    headers = [str(COLUMN_TITLES.get(c, spec.labels[c])) for c in spec.display_columns]
    rows = []
    for entry in entries:
        cells = spec.cells(entry)
        rows.append((entry, [cells.get(c, "") for c in spec.display_columns]))
    return headers, rows


# --- public pages ----------------------------------------------------------------------------

def catalog_index(request):
    kind = request.GET.get("kind") or None
    if kind not in CatalogKind.values:
        kind = None
    catalogs = selectors.catalog_list(actor=request.user, kind=kind,
                                      region_code=request.GET.get("region") or None)
    catalogs = list(catalogs)
    current = selectors.versions_in_force(catalogs, timezone.localdate())
    items = [(c, current.get(c.pk)) for c in catalogs]
    return render(request, "catalog/index.html", {
        "items": items, "kinds": CatalogKind.choices, "kind": kind,
        "region": request.GET.get("region", ""),
    })


@domain_errors
def catalog_detail(request, pk: int):
    """The catalog's entries: the version in force today, or one chosen by number (?v=) or by
    date (?on=2024-06-01: the version in force that day)."""
    catalog = _catalog(request, pk)
    today = timezone.localdate()
    on = _date(request.GET.get("on"))
    number = _int(request.GET.get("v"))
    if number is not None:
        version = _version(request, catalog, number)
    elif on is not None:
        version = selectors.version_in_force(catalog, on)
    else:
        version = selectors.version_to_show(actor=request.user, catalog=catalog, day=today)
    spec = spec_for(catalog.kind)
    filters = {"q": request.GET.get("q", "").strip(), "level": request.GET.get("level", ""),
               "region": request.GET.get("region", "").strip(),
               "training_type": request.GET.get("training_type", "")}
    page = headers = rows = None
    if version is not None:
        entries = selectors.entry_list(
            actor=request.user, version=version, q=filters["q"],
            level_code=filters["level"] or None, region_code=filters["region"] or None,
            training_type=filters["training_type"] or None)
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        headers, rows = _table(spec, page)
    versions = selectors.version_list(actor=request.user, catalog=catalog)
    return render(request, "catalog/detail.html", {
        "catalog": catalog, "version": version, "versions": versions, "page": page,
        "headers": headers, "rows": rows, "filters": filters, "on": on, "today": today,
        "levels": registry_selectors.skill_level_list(actor=request.user),
        "training_types": TrainingType.choices if spec.kind == CatalogKind.SUBSIDY_STANDARD
        else [],
        "supplements": selectors.catalog_list(actor=request.user).filter(base=catalog),
        "actions": services.catalog_actions(request.user, catalog),
    })


@domain_errors
def catalog_history(request, pk: int):
    catalog = _catalog(request, pk)
    return render(request, "catalog/history.html", {
        "catalog": catalog, "versions": selectors.version_list(actor=request.user,
                                                               catalog=catalog)})


@domain_errors
def catalog_diff(request, pk: int):
    """Two versions side by side: rows added, removed and changed (changed fields marked)."""
    catalog = _catalog(request, pk)
    versions = list(selectors.version_list(actor=request.user, catalog=catalog))
    numbers = [v.number for v in versions]
    new_n = _int(request.GET.get("b")) or (numbers[0] if numbers else None)
    old_n = _int(request.GET.get("a")) or (numbers[1] if len(numbers) > 1 else new_n)
    diff = old = new = None
    if old_n is not None and new_n is not None:
        old = _version(request, catalog, old_n)
        new = _version(request, catalog, new_n)
        diff = selectors.version_diff(actor=request.user, old=old, new=new)
    spec = spec_for(catalog.kind)
    key_titles = [str(COLUMN_TITLES.get(c, spec.labels[c])) for c in spec.key_columns]
    key_titles.append(str(COLUMN_TITLES["valid_from"]))
    value_titles = {spec.labels[c.name]: str(COLUMN_TITLES.get(c.name, c.label))
                    for c in spec.columns}
    changed = []
    if diff is not None:
        for row in diff.changed:
            fields = [(value_titles.get(f, f), row.old.get(f, ""), row.new.get(f, ""))
                      for f in row.fields]
            changed.append({"key": row.key, "fields": fields})
    return render(request, "catalog/diff.html", {
        "catalog": catalog, "versions": versions, "old": old, "new": new, "diff": diff,
        "key_titles": key_titles, "changed": changed,
    })


@domain_errors
def version_download(request, pk: int, number: int, fmt: str):
    catalog = _catalog(request, pk)
    version = _version(request, catalog, number)
    if fmt == "xlsx":
        body = exports.version_xlsx(version)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        body = exports.version_pdf(version)
        content_type = "application/pdf"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{exports.export_filename(version, fmt)}"')
    return response


def import_template(request, kind: str):
    if kind not in CatalogKind.values:
        raise Http404
    response = HttpResponse(
        importers.template_workbook(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="catalog-template-{kind}.xlsx"'
    return response


def lookup(request):
    """What the catalogs said on a day for an occupation and level in a region (the base
    catalog with the region's approved supplements), and which version said it."""
    form = LookupForm(request.GET or None)
    answer = None
    searched = False
    if form.is_valid():
        searched = True
        data = form.cleaned_data
        answer = selectors.subsidy_standard_as_of(
            data["occupation"], data["level"], data["region"], data["training_type"],
            data["day"] or timezone.localdate(),
            special_ability_item=data["special_ability_item"])
    return render(request, "catalog/lookup.html", {"form": form, "answer": answer,
                                                   "searched": searched})


# --- staff pages -----------------------------------------------------------------------------

@login_required
@domain_errors
def manage(request):
    form = CatalogForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            catalog = services.catalog_create(actor=request.user, **form.service_kwargs())
            messages.success(request, _("Catalog created."))
            return redirect("catalog:detail", pk=catalog.pk)
    return render(request, "catalog/manage.html", {
        "catalogs": selectors.staff_catalogs(actor=request.user),
        "awaiting": selectors.filings_awaiting(actor=request.user),
        "form": form if services.may_create_catalogs(request.user) else None,
    }, status=400 if form.errors else 200)


@login_required
@domain_errors
def draft_create(request, pk: int):
    catalog = _catalog(request, pk)
    services.ensure(request.user, permissions.may_create_draft, catalog)
    form = DraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            version = services.version_create_draft(actor=request.user, catalog=catalog,
                                                    **form.cleaned_data)
            return redirect("catalog:version_manage", pk=catalog.pk, number=version.number)
    return render(request, "catalog/draft_form.html", {"catalog": catalog, "form": form},
                  status=400 if form.errors else 200)


@login_required
@domain_errors
def version_manage(request, pk: int, number: int):
    """A version in preparation: dates, entries, import, and the workflow buttons."""
    catalog = _catalog(request, pk)
    version = _version(request, catalog, number)
    spec = spec_for(catalog.kind)
    context = {"catalog": catalog, "version": version, "report": None, "errors": None,
               "import_form": ImportForm(), "reject_form": RejectForm(),
               "draft_form": DraftForm(initial={
                   "effective_from": version.effective_from,
                   "effective_to": version.declared_effective_to,
                   "change_note": version.change_note}),
               "columns": spec.columns,
               "may": services.version_actions(request.user, version)}
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["import_form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = None
            with message_errors(request) as outcome:
                if upload.size > MAX_UPLOAD_BYTES:
                    raise DomainError(_("The file is larger than 20 MB."), field="file")
                report = services.entries_import(
                    actor=request.user, version=version, data=upload.read(),
                    filename=upload.name, mode=form.cleaned_data["mode"],
                    skip_bad_rows=form.cleaned_data["skip_bad_rows"])
            if outcome.error is not None:
                status = outcome.error.status
            else:
                context["report"] = report
                context["errors"] = [{"row": e.row, "field": spec.labels.get(e.field, e.field),
                                      "message": e.message} for e in report.errors]
                status = 200 if report.written else 400
        else:
            status = 400
    entries = spec.entries(version.pk)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    headers, rows = _table(spec, page)
    context.update({"page": page, "headers": headers, "rows": rows,
                    "problems": services.version_problems(version)
                    if version.status == VersionStatus.DRAFT else [],
                    "quality": _quality(request.user, catalog, rows)})
    return render(request, "catalog/version_manage.html", context, status=status)


def _quality(user, catalog, rows) -> list[tuple]:
    """(institution, figures) for the institutions on this page of an institution catalog or
    supplement, from whatever app answers catalog.hooks.institution_quality (the outcomes
    app's latest run); empty without a provider, a run or a figure the user may read."""
    if catalog.kind != CatalogKind.TRAINING_INSTITUTION:
        return []
    orgs = {entry.organization_id: entry.organization for entry, _cells in rows}
    found = hooks.quality_of(actor=user, organization_ids=list(orgs))
    return [(orgs[pk], found[pk]) for pk in orgs if pk in found]


def _action(request, pk: int, number: int, do, success: str):
    catalog = _catalog(request, pk)
    version = _version(request, catalog, number)
    with message_errors(request) as outcome:
        do(version)
    if not outcome.failed:
        messages.success(request, success)
    return redirect("catalog:version_manage", pk=pk, number=number)


@login_required
@require_POST
@domain_errors
def version_update(request, pk: int, number: int):
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the dates."))
        return redirect("catalog:version_manage", pk=pk, number=number)
    data = form.cleaned_data
    return _action(request, pk, number, lambda v: services.version_update_draft(
        actor=request.user, version=v, effective_from=data["effective_from"],
        effective_to=data["effective_to"], change_note=data["change_note"]), _("Saved."))


@login_required
@require_POST
@domain_errors
def version_submit(request, pk: int, number: int):
    return _action(request, pk, number, lambda v: services.version_submit(
        actor=request.user, version=v), _("Submitted for review."))


@login_required
@require_POST
@domain_errors
def version_publish(request, pk: int, number: int):
    return _action(request, pk, number, lambda v: services.version_publish(
        actor=request.user, version=v), _("Published."))


@login_required
@require_POST
@domain_errors
def version_reject(request, pk: int, number: int):
    reason = request.POST.get("reason", "")
    return _action(request, pk, number, lambda v: services.version_reject(
        actor=request.user, version=v, reason=reason), _("Rejected."))


@login_required
@require_POST
@domain_errors
def version_reopen(request, pk: int, number: int):
    return _action(request, pk, number, lambda v: services.version_reopen(
        actor=request.user, version=v), _("Reopened as a draft."))


@login_required
@require_POST
@domain_errors
def version_discard(request, pk: int, number: int):
    catalog = _catalog(request, pk)
    version = _version(request, catalog, number)
    with message_errors(request) as outcome:
        services.version_discard(actor=request.user, version=version)
    if outcome.failed:
        return redirect("catalog:version_manage", pk=pk, number=number)
    messages.success(request, _("Draft discarded."))
    return redirect("catalog:detail", pk=pk)


@login_required
@require_POST
@domain_errors
def entry_delete(request, pk: int, number: int, entry_id: int):
    return _action(request, pk, number, lambda v: services.entry_delete(
        actor=request.user, version=v, entry_id=entry_id), _("Entry removed."))

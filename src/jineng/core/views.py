"""The audit-trail page: scoped through the selector, filters, readable before/after diffs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from jineng.core import selectors
from jineng.core.models import AuditAction

PAGE_SIZE = 50


class DateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (YYYY-MM-DD) whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _record_types() -> list[tuple[str, str]]:
    """Record types of jineng's own models, as (label, verbose name), for the filter list."""
    types = []
    for model in apps.get_models():
        if model.__module__.startswith("jineng."):
            types.append((model._meta.label_lower, str(model._meta.verbose_name)))
    return sorted(types)


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("All")), *AuditAction.choices])
    entity_type = forms.CharField(label=_("Record type"), required=False, max_length=80,
                                  widget=forms.TextInput(attrs={"list": "record-types"}))
    entity_id = forms.CharField(label=_("Record id"), required=False, max_length=64,
                                widget=forms.TextInput(attrs={"size": 8}))
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False,
                            widget=DateInput())
    until = forms.DateField(label=_("Until"), required=False,
                            widget=DateInput())

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned


@dataclass(frozen=True)
class DiffRow:
    field: str
    label: str
    before: Any
    after: Any
    changed: bool


@cache
def _field_labels(entity_type: str) -> dict[str, str]:
    """Field attnames → verbose names of a model label like "registry.person"."""
    try:
        model = apps.get_model(entity_type)
    except (LookupError, ValueError):
        return {}
    return {f.attname: str(f.verbose_name) for f in model._meta.concrete_fields}


def _shown(value: Any) -> Any:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def diff_rows(entity_type: str, before: dict | None, after: dict | None) -> list[DiffRow]:
    """Before/after snapshots as one row per field, changed fields flagged (an update event
    holds only what changed; a create event only `after`)."""
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [DiffRow("", "", _shown(before), _shown(after), before != after)]
    labels = _field_labels(entity_type)
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return [
        DiffRow(key, labels.get(key, key), _shown(before.get(key)), _shown(after.get(key)),
                key in before and key in after and before[key] != after[key])
        for key in keys
    ]


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = selectors.audit_event_list(
        actor=request.user,
        action=filters.get("action") or None,
        entity_type=(filters.get("entity_type") or "").strip().lower() or None,
        entity_id=(filters.get("entity_id") or "").strip() or None,
        actor_username=(filters.get("actor") or "").strip() or None,
        since=filters.get("since"),
        until=filters.get("until"),
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, diff_rows(event.entity_type, event.before, event.after)) for event in page]
    return render(request, "core/audit_list.html", {
        "page": page, "rows": rows, "form": form, "record_types": _record_types(),
    })

"""Query parameters of the plan pages, checked by one Django form: a wrong value answers 400
naming the parameter, never a silent default and never a server error. Absent parameters keep
their defaults (today, the actor's own region, the last closed quarter)."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from jineng.plans.rules.quarters import DAY_MAX, DAY_MIN, YEAR_MAX, YEAR_MIN

INT_MAX = 2_147_483_647  # a database integer


class PlanQueryForm(forms.Form):
    region = forms.RegexField(
        regex=r"^\d{6,12}$", required=False,
        error_messages={"invalid": _("Give a region code of 6 to 12 digits.")})
    as_of = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Give a date as 2026-06-30.")})
    org = forms.IntegerField(
        required=False, min_value=1, max_value=INT_MAX,
        error_messages={"invalid": _("Give the number of an institution.")})
    year = forms.IntegerField(
        required=False, min_value=YEAR_MIN, max_value=YEAR_MAX,
        error_messages={"invalid": _("Give a year as 2026.")})
    quarter = forms.IntegerField(
        required=False, min_value=1, max_value=4,
        error_messages={"invalid": _("A quarter is 1 to 4.")})

    def clean_as_of(self):
        day = self.cleaned_data.get("as_of")
        if day is not None and not DAY_MIN <= day <= DAY_MAX:
            raise forms.ValidationError(
                _("Give a date from %(first)s to %(last)s.")
                % {"first": DAY_MIN.isoformat(), "last": DAY_MAX.isoformat()})
        return day

    def clean(self):
        cleaned = super().clean()
        year, quarter = cleaned.get("year"), cleaned.get("quarter")
        if (year is None) != (quarter is None) and not self.errors:
            missing = "quarter" if quarter is None else "year"
            self.add_error(missing, _("Give the year and the quarter together."))
        return cleaned


class BadQuery(Exception):
    """Query parameters that failed the form; `errors` maps each parameter to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def parse(query: QueryDict, *names: str) -> dict:
    """The named parameters, checked; any other parameter is left to the page. Raises
    BadQuery naming every parameter at fault."""
    data = {name: query.get(name, "").strip() for name in names}
    form = PlanQueryForm({k: v for k, v in data.items() if v})
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()
                  if name in names}
        extra = [str(m) for m in form.non_field_errors()]
        if extra:
            errors.setdefault("", extra)
        if errors:
            raise BadQuery(errors)
    return {name: form.cleaned_data.get(name) for name in names}

"""Forms of the attendance pages (entry by hand, voiding) and of the migration import page."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ManualAttendanceForm(forms.Form):
    enrollment = forms.TypedChoiceField(label=_("Trainee"), coerce=int)
    session = forms.TypedChoiceField(label=_("Session"), coerce=int)
    check_in = forms.TimeField(label=_("Check-in time"),
                               widget=forms.TimeInput(attrs={"type": "time"}))
    check_out = forms.TimeField(label=_("Check-out time"),
                                widget=forms.TimeInput(attrs={"type": "time"}))
    reason = forms.CharField(label=_("Reason for entering by hand"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, enrollments, sessions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sessions = {s.pk: s for s in sessions}
        self.fields["enrollment"].choices = [
            (e.pk, f"{e.person.name} {e.person.id_masked}") for e in enrollments]
        self.fields["session"].choices = [
            (s.pk, f"{s.seq} · {s.date:%Y-%m-%d} {timezone.localtime(s.starts_at):%H:%M}–"
                   f"{timezone.localtime(s.ends_at):%H:%M}") for s in sessions]

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        """The check-in and check-out on the session's day, in local time."""
        day = self.sessions[self.cleaned_data["session"]].date
        return (timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["check_in"])),
                timezone.make_aware(dt.datetime.combine(day, self.cleaned_data["check_out"])))


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason for voiding"), max_length=500)


class HistoryImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or .xlsx)"))

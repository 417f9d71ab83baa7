"""Forms of the training pages: they parse input into the services' dataclasses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.core.widgets import LongSelect
from jineng.registry.choices import KeyGroup
from jineng.training import services
from jineng.training.choices import FundingSource, OrderForm, Sector, TrainingType

PENSION_CHOICES = [("", _("Not asked")), ("no", _("Draws no pension")),
                   ("yes", _("Draws a pension"))]


class ClassDeclareForm(forms.Form):
    name = forms.CharField(label=_("Class name"), max_length=200)
    site = forms.ModelChoiceField(label=_("Training site"), queryset=None)
    occupation = forms.ModelChoiceField(label=_("Occupation"), queryset=None, widget=LongSelect)
    level = forms.ModelChoiceField(label=_("Skill level"), queryset=None)
    training_type = forms.ChoiceField(label=_("Training type"), choices=TrainingType.choices)
    order_form = forms.ChoiceField(label=_("Order form"), choices=OrderForm.choices,
                                   required=False)
    employer_credit_code = forms.CharField(
        label=_("Employer's credit code (order classes)"), max_length=18, required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    target_group = forms.ChoiceField(label=_("Target key group"), required=False,
                                     choices=[("", _("Everyone eligible")), *KeyGroup.choices])
    planned_size = forms.IntegerField(label=_("Planned size"), min_value=1, max_value=1000)
    funding_source = forms.ChoiceField(label=_("Funding source"),
                                       choices=FundingSource.choices)
    online_share = forms.DecimalField(label=_("Online share of hours (0–1)"), min_value=0,
                                      max_value=1, decimal_places=2, initial=Decimal(0))
    teachers = forms.ModelMultipleChoiceField(label=_("Teachers"), queryset=None,
                                              required=False)
    first_date = forms.DateField(label=_("First session date"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    session_count = forms.IntegerField(label=_("Number of sessions"), min_value=1,
                                       max_value=200)
    daily_start = forms.TimeField(label=_("Daily start"), initial=dt.time(9),
                                  widget=forms.TimeInput(attrs={"type": "time"}))
    daily_end = forms.TimeField(label=_("Daily end"), initial=dt.time(17),
                                widget=forms.TimeInput(attrs={"type": "time"}))
    hours_per_session = forms.DecimalField(label=_("Hours per session"), min_value=Decimal("0.5"),
                                           max_value=12, decimal_places=1, initial=Decimal(7))
    weekdays_only = forms.BooleanField(label=_("Weekdays only"), required=False, initial=True)
    late_reason = forms.CharField(
        label=_("Reason for declaring late"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the first session is already past; the reviewers see it."))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = choices.sites
        self.fields["occupation"].queryset = choices.occupations
        self.fields["level"].queryset = choices.levels
        self.fields["teachers"].queryset = choices.teachers

    def sessions(self) -> tuple[services.SessionInput, ...]:
        d = self.cleaned_data
        day, out = d["first_date"], []
        tz = timezone.get_current_timezone()
        while len(out) < d["session_count"]:
            if not (d["weekdays_only"] and day.weekday() >= 5):
                out.append(services.SessionInput(
                    starts_at=dt.datetime.combine(day, d["daily_start"], tzinfo=tz),
                    ends_at=dt.datetime.combine(day, d["daily_end"], tzinfo=tz),
                    hours=d["hours_per_session"]))
            day += dt.timedelta(days=1)
        return tuple(out)

    def to_input(self, employer) -> services.ClassInput:
        d = self.cleaned_data
        return services.ClassInput(
            name=d["name"], site=d["site"], occupation=d["occupation"], level=d["level"],
            training_type=d["training_type"], sector=d["sector"],
            planned_size=d["planned_size"], funding_source=d["funding_source"],
            sessions=self.sessions(), teachers=tuple(d["teachers"]),
            target_group=d["target_group"], order_form=d["order_form"] or "",
            employer=employer, online_share=d["online_share"],
            late_reason=d.get("late_reason") or "")


class ClassReviseForm(ClassDeclareForm):
    """The declaration of a returned class, filled with what it holds now, to correct and
    resubmit."""

    note = forms.CharField(label=_("What was corrected"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))

    @staticmethod
    def initial_for(cls, sessions, teachers) -> dict:
        tz = timezone.get_current_timezone()
        first = sessions[0] if sessions else None
        return {
            "name": cls.name, "site": cls.site_id, "occupation": cls.occupation_id,
            "level": cls.level_id, "training_type": cls.training_type,
            "order_form": cls.order_form,
            "employer_credit_code": cls.employer.credit_code if cls.employer_id else "",
            "sector": cls.sector, "target_group": cls.target_group,
            "planned_size": cls.planned_size, "funding_source": cls.funding_source,
            "online_share": cls.online_share, "teachers": [t.pk for t in teachers],
            "first_date": cls.start_date, "session_count": len(sessions),
            "daily_start": first.starts_at.astimezone(tz).time() if first else dt.time(9),
            "daily_end": first.ends_at.astimezone(tz).time() if first else dt.time(17),
            "hours_per_session": first.hours if first else Decimal(7),
            "weekdays_only": all(s.date.weekday() < 5 for s in sessions),
            "late_reason": cls.late_reason,
        }


class EnrollForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    draws_pension = forms.ChoiceField(label=_("Pension"), choices=PENSION_CHOICES,
                                      required=False)
    key_group = forms.ChoiceField(label=_("Key group (new persons)"), required=False,
                                  choices=[("", "—"), *KeyGroup.choices])
    key_group_since = forms.DateField(label=_("In the group since"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    late_reason = forms.CharField(label=_("Reason for joining late"), required=False,
                                  widget=forms.TextInput())

    def to_input(self) -> services.EnrollmentInput:
        d = self.cleaned_data
        pension = {"yes": True, "no": False}.get(d.get("draws_pension") or "")
        groups: tuple = ()
        if d.get("key_group"):
            groups = ((d["key_group"], d.get("key_group_since") or timezone.localdate()),)
        return services.EnrollmentInput(
            id_number=d["id_number"], name=d["name"], phone=d.get("phone") or "",
            draws_pension=pension, late_reason=d.get("late_reason") or "", key_groups=groups)


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=12)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.TextInput())


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.TextInput())


class TeacherForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=18, required=False)
    qualification = forms.CharField(label=_("Qualification"), max_length=200, required=False)

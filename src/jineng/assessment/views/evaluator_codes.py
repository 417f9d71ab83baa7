"""Evaluators' certificate codes: the list (in scope) and, for province HRSS staff, a form to
record or correct one (services.evaluator_code_set)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.assessment import services
from jineng.assessment.choices import EvaluatorFiledWith
from jineng.assessment.selectors import evaluator_codes as selectors
from jineng.core.http import form_errors
from jineng.core.scoping import scope_of


class EvaluatorCodeForm(forms.Form):
    organization_id = forms.IntegerField(label=gettext_lazy("Evaluator (organization number)"),
                                         min_value=1, max_value=2**31 - 1)
    letter = forms.ChoiceField(label=gettext_lazy("Letter"),
                               choices=[("S", gettext_lazy("S (social body)")),
                                        ("Y", gettext_lazy("Y (employer)"))])
    filed_with = forms.ChoiceField(label=gettext_lazy("Filed with"),
                                   choices=EvaluatorFiledWith.choices)
    ministry_code = forms.CharField(label=gettext_lazy("Ministry code (4 digits)"),
                                    max_length=4, required=False)
    site_code = forms.CharField(label=gettext_lazy("Province-assigned code (6 digits)"),
                                max_length=6)


@login_required
def evaluator_code_list(request):
    if scope_of(request.user).public:
        raise Http404
    may_set = services.may_set_evaluator_codes(request.user)
    form = EvaluatorCodeForm(request.POST or None) if may_set else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            with form_errors(form) as outcome:
                services.evaluator_code_set(
                    actor=request.user, organization=d["organization_id"],
                    letter=d["letter"], filed_with=d["filed_with"],
                    ministry_code=d["ministry_code"], site_code=d["site_code"])
            if not outcome.error:
                messages.success(request, _("The evaluator code is recorded."))
                return redirect("assessment:evaluator_codes")
    return render(request, "assessment/evaluator_codes.html", {
        "codes": selectors.evaluator_code_list(actor=request.user)[:500], "form": form},
        status=400 if form is not None and form.errors else 200)


urlpatterns = [
    path("evaluator-codes/", evaluator_code_list, name="evaluator_codes"),
]

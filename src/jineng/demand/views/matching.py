"""Demand pages: matching. The overview (per role: HRSS staff start the region's matching job
and see proposals and referrals; an enterprise its order classes and referrals; an institution
its proposals), a wish's matches with their reasons, a demand line's proposals and referral
candidates, a proposal (agree, decline, declare), a referral (its steps and history)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jineng.core.errors import DomainError, Forbidden
from jineng.core.http import domain_errors, form_errors, message_errors
from jineng.demand import services
from jineng.demand.rules import matching as rules
from jineng.demand.selectors import matching as selectors
from jineng.training import selectors as training_selectors
from jineng.training import services as training_services
from jineng.training.choices import FundingSource, Sector, TrainingType

TZ_HOURS = [(h, f"{h:02d}:00") for h in range(6, 23)]


def _with_texts(items, attr: str = "reasons"):
    for item in items:
        item.reason_texts = selectors.reason_texts(getattr(item, attr))
    return items


@login_required
@domain_errors
def overview(request):
    actor = request.user
    data = selectors.matching_overview(actor=actor)
    return render(request, "demand/matching/overview.html", {
        "proposals": _with_texts(list(data["proposals"])),
        "referrals": list(data["referrals"]),
        "lines": list(data["lines"]),
        "may_match": services.may_match_wishes(actor),
        "region": getattr(actor, "region", None),
    })


@login_required
@require_POST
@domain_errors
def region_match(request):
    with message_errors(request) as outcome:
        job = services.wish_match_region_start(actor=request.user,
                                               region_code=request.POST.get("region_code", ""))
    if outcome.error:
        return redirect("demand:matching_overview")
    return redirect("jobs:job_detail", job.pk)


@login_required
@domain_errors
def wish_detail(request, pk: int):
    wish = selectors.wish_for_matching(actor=request.user, pk=pk)
    matches = _with_texts(list(selectors.wish_matches(actor=request.user, wish=wish)))
    return render(request, "demand/matching/wish.html", {
        "wish": wish, "matches": matches, "may_match": services.may_match_wishes(request.user),
        "occupations": list(wish.occupations.all())})


@login_required
@require_POST
@domain_errors
def wish_match(request, pk: int):
    wish = selectors.wish_for_matching(actor=request.user, pk=pk)
    with message_errors(request) as outcome:
        run = services.wish_match(actor=request.user, wish=wish)
    if not outcome.error:
        messages.success(request, _("%(n)s new classes matched; the worker was told of them.")
                         % {"n": run.new_matches} if run.new_matches
                         else _("No new class matched."))
    return redirect("demand:matching_wish", pk)


class ConsentForm(forms.Form):
    enrollment = forms.IntegerField(widget=forms.HiddenInput)
    consent_on = forms.DateField(label=gettext_lazy("Consent given on"),
                                 widget=forms.DateInput(attrs={"type": "date"}))


@login_required
@domain_errors
def line_detail(request, pk: int):
    actor = request.user
    line = selectors.demand_line_get(actor=actor, pk=pk)
    staff = services.may_match_wishes(actor)
    candidates = []
    if staff:
        candidates = selectors.referral_candidates(actor=actor, line=line)
        for c in candidates:
            c.enrollment.reason_texts = selectors.reason_texts(c.verdict.reasons)
    proposals = _with_texts(list(selectors.order_proposal_list(actor=actor)
                                 .filter(demand_line=line)))
    return render(request, "demand/matching/line.html", {
        "line": line, "proposals": proposals, "candidates": candidates, "staff": staff,
        "referrals": list(selectors.referral_list(actor=actor, line=line)),
        "may_propose": line.order_class_wanted and (
            staff or getattr(actor, "organization_id", None)
            == line.demand_list.organization_id),
        "today": timezone.localdate()})


@login_required
@require_POST
@domain_errors
def line_propose(request, pk: int):
    line = selectors.demand_line_get(actor=request.user, pk=pk)
    with message_errors(request) as outcome:
        created = services.order_class_propose(actor=request.user, demand_line=line)
    if not outcome.error:
        messages.success(request, _("%(n)s order classes proposed.") % {"n": len(created)})
    return redirect("demand:matching_line", pk)


@login_required
@require_POST
@domain_errors
def line_refer(request, pk: int):
    line = selectors.demand_line_get(actor=request.user, pk=pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day the trainee consented."))
        return redirect("demand:matching_line", pk)
    enrollment = training_selectors.enrollment_for_assessment(form.cleaned_data["enrollment"])
    with message_errors(request) as outcome:
        if enrollment is None:
            raise DomainError(_("No such enrollment."), field="enrollment")
        referral = services.referral_create(actor=request.user, demand_line=line,
                                            enrollment=enrollment,
                                            consent_on=form.cleaned_data["consent_on"])
    if outcome.error:
        return redirect("demand:matching_line", pk)
    return redirect("demand:matching_referral", referral.pk)


class DeclareForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Class name"), max_length=200)
    site = forms.ModelChoiceField(label=gettext_lazy("Training site"), queryset=None)
    training_type = forms.ChoiceField(label=gettext_lazy("Training type"),
                                      choices=TrainingType.choices)
    sector = forms.ChoiceField(label=gettext_lazy("Sector"), choices=Sector.choices)
    funding_source = forms.ChoiceField(label=gettext_lazy("Funding source"),
                                       choices=FundingSource.choices)
    first_day = forms.DateField(label=gettext_lazy("First session"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    sessions = forms.IntegerField(label=gettext_lazy("Sessions (weekdays)"), min_value=1,
                                  max_value=200, initial=5)
    begin = forms.TypedChoiceField(label=gettext_lazy("From"), choices=TZ_HOURS, coerce=int,
                                   initial=9)
    end = forms.TypedChoiceField(label=gettext_lazy("To"), choices=TZ_HOURS, coerce=int,
                                 initial=16)
    hours = forms.DecimalField(label=gettext_lazy("Hours per session"), min_value=Decimal("0.5"),
                               max_value=Decimal(16), initial=6, decimal_places=1)

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = training_selectors.declaration_choices(actor=actor)
        self.fields["site"].queryset = self.choices.sites

    def data_for(self, proposal) -> services.OrderClassInput:
        d = self.cleaned_data
        if d["end"] <= d["begin"]:
            raise DomainError(_("A session ends after it begins."), field="end")
        tz = timezone.get_current_timezone()
        out, day = [], d["first_day"]
        while len(out) < d["sessions"]:
            if day.weekday() < 5:
                out.append(training_services.SessionInput(
                    dt.datetime.combine(day, dt.time(d["begin"]), tz),
                    dt.datetime.combine(day, dt.time(d["end"]), tz), d["hours"]))
            day += dt.timedelta(days=1)
        return services.OrderClassInput(
            name=d["name"], site=d["site"], training_type=d["training_type"],
            sector=d["sector"], funding_source=d["funding_source"], sessions=tuple(out),
            teachers=tuple(self.choices.teachers[:1]))


def _proposal_page(request, proposal, *, form=None, status: int = 200):
    party = services.proposal_party(request.user, proposal)
    may_declare = party == rules.INSTITUTION and proposal.status == "agreed"
    if may_declare and form is None:
        line = proposal.demand_line
        form = DeclareForm(actor=request.user, initial={
            "name": _("%(occ)s order class for %(ent)s")
            % {"occ": line.occupation.name, "ent": line.demand_list.organization.name},
            "first_day": timezone.localdate() + dt.timedelta(days=14)})
    answered = (party == rules.ENTERPRISE and proposal.enterprise_agreed_at) or (
        party == rules.INSTITUTION and proposal.institution_agreed_at)
    return render(request, "demand/matching/proposal.html", {
        "p": proposal, "reason_texts": selectors.reason_texts(proposal.reasons),
        "party": party, "may_answer": party is not None and proposal.status == "proposed"
        and not answered, "may_declare": may_declare, "form": form}, status=status)


@login_required
@domain_errors
def proposal_detail(request, pk: int):
    return _proposal_page(request, selectors.order_proposal_get(actor=request.user, pk=pk))


@login_required
@require_POST
@domain_errors
def proposal_answer(request, pk: int):
    proposal = selectors.order_proposal_get(actor=request.user, pk=pk)
    agree = request.POST.get("agree") == "yes"
    with message_errors(request) as outcome:
        services.order_proposal_answer(actor=request.user, proposal=proposal, agree=agree,
                                       reason=request.POST.get("reason", "")[:600])
    if not outcome.error:
        messages.success(request, _("Your answer is recorded."))
    return redirect("demand:matching_proposal", pk)


@login_required
@require_POST
@domain_errors
def proposal_declare(request, pk: int):
    proposal = selectors.order_proposal_get(actor=request.user, pk=pk)
    if services.proposal_party(request.user, proposal) != rules.INSTITUTION:
        raise Forbidden()
    form = DeclareForm(request.POST, actor=request.user)
    if form.is_valid():
        with form_errors(form) as outcome:
            services.order_proposal_declare(actor=request.user, proposal=proposal,
                                            data=form.data_for(proposal))
        if not outcome.error:
            messages.success(request, _("The order class is declared; it waits for review."))
            return redirect("demand:matching_proposal", pk)
    return _proposal_page(request, proposal, form=form, status=400)


@login_required
@domain_errors
def referral_detail(request, pk: int):
    actor = request.user
    r = selectors.referral_get(actor=actor, pk=pk)
    is_enterprise = getattr(actor, "role", "") == "enterprise"
    steps = [a for a in ("interview", "hire", "decline")
             if is_enterprise and rules.referral_next(r.status, a)]
    if services.may_match_wishes(actor) and rules.referral_next(r.status, "withdraw"):
        steps.append("withdraw")
    return render(request, "demand/matching/referral.html", {
        "r": r, "reason_texts": selectors.reason_texts(r.reasons), "steps": steps,
        "history": list(selectors.referral_history(actor=actor, referral=r)),
        "today": timezone.localdate()})


@login_required
@require_POST
@domain_errors
def referral_step(request, pk: int):
    r = selectors.referral_get(actor=request.user, pk=pk)
    hired_on = None
    if request.POST.get("hired_on"):
        try:
            hired_on = dt.date.fromisoformat(request.POST["hired_on"])
        except ValueError:
            messages.error(request, _("Give a date."))
            return redirect("demand:matching_referral", pk)
    with message_errors(request) as outcome:
        services.referral_transition(actor=request.user, referral=r,
                                     action=request.POST.get("action", ""),
                                     reason=request.POST.get("reason", "")[:600],
                                     hired_on=hired_on)
    if not outcome.error:
        messages.success(request, _("Recorded."))
    return redirect(reverse("demand:matching_referral", args=[pk]))


urlpatterns: list = [
    path("matching/", overview, name="matching_overview"),
    path("matching/region-match/", region_match, name="matching_region_match"),
    path("matching/wishes/<int:pk>/", wish_detail, name="matching_wish"),
    path("matching/wishes/<int:pk>/match/", wish_match, name="matching_wish_match"),
    path("matching/lines/<int:pk>/", line_detail, name="matching_line"),
    path("matching/lines/<int:pk>/propose/", line_propose, name="matching_line_propose"),
    path("matching/lines/<int:pk>/refer/", line_refer, name="matching_line_refer"),
    path("matching/proposals/<int:pk>/", proposal_detail, name="matching_proposal"),
    path("matching/proposals/<int:pk>/answer/", proposal_answer,
         name="matching_proposal_answer"),
    path("matching/proposals/<int:pk>/declare/", proposal_declare,
         name="matching_proposal_declare"),
    path("matching/referrals/<int:pk>/", referral_detail, name="matching_referral"),
    path("matching/referrals/<int:pk>/step/", referral_step, name="matching_referral_step"),
]

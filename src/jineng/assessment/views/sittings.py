"""Sittings pages: the list (an evaluator its own, HRSS staff their region's, with filters),
the review queue, the declaration form, and a sitting's page — candidates with why each route
admitted them, examiners, history, and the forms and buttons the actor may use (asked of
rules.permissions, the same answers the services give)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jineng.assessment import access, services
from jineng.assessment.choices import AssessmentRoute, CertificateKind, SittingStatus
from jineng.assessment.rules import permissions as perms
from jineng.assessment.rules import sitting_lifecycle as lc
from jineng.assessment.selectors import sittings as selectors
from jineng.core.errors import DomainError
from jineng.core.http import domain_errors, form_errors, message_errors
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry_selectors
from jineng.registry.models import Occupation, SkillLevel
from jineng.training import selectors as training_selectors

PAGE_SIZE = 50

ACTION_LABELS = {
    "approve": gettext_lazy("Approve"),
    "return": gettext_lazy("Return for correction"),
    "resubmit": gettext_lazy("Resubmit"),
    "cancel": gettext_lazy("Cancel the sitting"),
    "cancel_results": gettext_lazy("Cancel the sitting and its results"),
}


def _levels():
    return [("", "—")] + [(lvl.code, str(lvl)) for lvl in SkillLevel.objects.order_by("rank")]


def _second_kinds():
    return [("", "—")] + [(k, str(label)) for k, label in CertificateKind.choices
                          if k not in (CertificateKind.SPECIAL_OPERATION,
                                       CertificateKind.QUALIFICATION)]


class SittingForm(forms.Form):
    occupation = forms.CharField(label=gettext_lazy("Occupation (name or code)"),
                                 max_length=100, required=False)
    level = forms.ChoiceField(label=gettext_lazy("Skill level"), required=False)
    special_ability_item = forms.CharField(
        label=gettext_lazy("or special-ability item"), max_length=100, required=False,
        help_text=gettext_lazy("With an occupation: the item of the second certificate "
                               "(一试双证, choose it below)."))
    work_type = forms.CharField(label=gettext_lazy("Work type or direction"), max_length=100,
                                required=False)
    route = forms.ChoiceField(label=gettext_lazy("Usual route"),
                              choices=AssessmentRoute.choices)
    training_class_id = forms.IntegerField(label=gettext_lazy("Class number (optional)"),
                                           required=False, min_value=1, max_value=2**31 - 1)
    place = forms.CharField(label=gettext_lazy("Place"), max_length=200)
    sitting_date = forms.DateField(label=gettext_lazy("Sitting date"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    theory_pass_mark = forms.DecimalField(
        label=gettext_lazy("Theory pass mark"), required=False, min_value=0, max_value=100,
        decimal_places=2, initial=Decimal("60"),
        help_text=gettext_lazy("60 by the standard; empty: the part is not examined."))
    practical_pass_mark = forms.DecimalField(
        label=gettext_lazy("Practical pass mark"), required=False, min_value=0, max_value=100,
        decimal_places=2, initial=Decimal("60"))
    second_certificate_kind = forms.ChoiceField(
        label=gettext_lazy("Second certificate (一试双证)"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = _levels()
        self.fields["second_certificate_kind"].choices = _second_kinds()

    def to_input(self) -> services.SittingInput | None:
        d = self.cleaned_data
        occupation = None
        name = (d.get("occupation") or "").strip()
        if name:
            occupation = (Occupation.objects.filter(code=name).first()
                          or Occupation.objects.filter(name=name).order_by("pk").first())
            if occupation is None:
                self.add_error("occupation", _("No occupation with this name or code."))
                return None
        level = SkillLevel.objects.filter(code=d["level"]).first() if d.get("level") else None
        return services.SittingInput(
            occupation=occupation, level=level,
            special_ability_item=d.get("special_ability_item") or "",
            work_type=d.get("work_type") or "", route=d["route"],
            training_class_id=d.get("training_class_id"), place=d["place"],
            sitting_date=d["sitting_date"], theory_pass_mark=d.get("theory_pass_mark"),
            practical_pass_mark=d.get("practical_pass_mark"),
            second_certificate_kind=d.get("second_certificate_kind") or "")


class CandidateForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    route = forms.ChoiceField(label=gettext_lazy("Route"), choices=AssessmentRoute.choices)
    enrollment_id = forms.IntegerField(label=gettext_lazy("Enrollment number"), required=False,
                                       min_value=1, max_value=2**31 - 1)
    years_in_occupation = forms.DecimalField(label=gettext_lazy("Years in the occupation"),
                                             required=False, min_value=0, max_value=70,
                                             decimal_places=1)
    own_employee = forms.BooleanField(label=gettext_lazy("Employee of the assessing "
                                                         "enterprise"), required=False)
    justification = forms.CharField(label=gettext_lazy("Justification (direct recognition)"),
                                    max_length=2000, required=False, widget=forms.Textarea(
                                        attrs={"rows": 2}))


class ExaminerForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=18)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    is_chief = forms.BooleanField(label=gettext_lazy("Chief examiner"), required=False)


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in sorted(lc.MANUAL_ACTIONS)])
    reason = forms.CharField(max_length=2000, required=False)


def _person(form: forms.Form):
    person = registry_selectors.person_holding_number(form.cleaned_data["id_number"].strip())
    if person is None or person.name != form.cleaned_data["name"].strip():
        raise DomainError(_("No registered person with this ID number and name."),
                          field="id_number", code="unknown_person")
    return person


# --- pages -----------------------------------------------------------------------------------

@login_required
def sittings_list(request):
    facts = access.facts_of(request.user)
    g = request.GET
    status = g.get("status", "") if g.get("status", "") in SittingStatus.values else ""
    filters = selectors.SittingFilters(status=status, region_code=g.get("region", "")[:12],
                                       q=g.get("q", "")[:100])
    page = Paginator(selectors.sitting_list(actor=request.user, filters=filters),
                     PAGE_SIZE).get_page(g.get("page"))
    return render(request, "assessment/sittings_list.html", {
        "page": page, "statuses": SittingStatus.choices, "status": status,
        "region": filters.region_code, "q": filters.q,
        "can_declare": perms.may_declare(facts), "can_review": perms.may_review(facts)})


@login_required
def sittings_review(request):
    if not perms.may_review(access.facts_of(request.user)):
        raise Http404
    return render(request, "assessment/sittings_review.html", {
        "sittings": selectors.sittings_awaiting_review(actor=request.user)})


@login_required
def sittings_declare(request):
    if not perms.may_declare(access.facts_of(request.user)):
        raise Http404
    form = SittingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.to_input()
        if data is not None:
            with form_errors(form):
                sitting = services.sitting_declare(actor=request.user, data=data)
                messages.success(request, _("Sitting declared: it now waits for review."))
                return redirect("assessment:sittings_detail", pk=sitting.pk)
    return render(request, "assessment/sittings_declare.html", {"form": form},
                  status=400 if form.errors else 200)


def _candidate_view(c) -> dict:
    basis = c.route_basis or {}
    route = basis.get("route") or {}
    return {"row": c, "explanation": basis.get("explanation", ""),
            "citation": route.get("citation", ""),
            "pending": bool(route.get("pending_approval")),
            "separation": (basis.get("separation") or {}).get("code", "")}


def _detail_context(request, sitting, candidate_form=None, examiner_form=None) -> dict:
    kinds = access.sitting_kinds(request.user, sitting)
    sees_persons = scope_of(request.user).sees_persons or lc.EVALUATOR in kinds
    candidates = [_candidate_view(c) for c in selectors.candidate_list(
        actor=request.user, sitting=sitting)] if sees_persons else []
    return {
        "sitting": sitting,
        "actions": [(a, ACTION_LABELS[a], lc.TRANSITIONS[a].reason_required)
                    for a in perms.actions(sitting.status, kinds)],
        "history": selectors.sitting_history(actor=request.user, sitting=sitting),
        "candidates": candidates,
        "examiners": selectors.examiner_list(actor=request.user, sitting=sitting)
        if sees_persons else [],
        "can_roster": perms.may_manage_roster(sitting.status, kinds),
        "can_approve_direct": perms.may_approve_direct_recognition(sitting.status, kinds),
        "can_see_results": sitting.status in (lc.APPROVED, lc.RESULTS, lc.CLOSED),
        "candidate_form": candidate_form or CandidateForm(
            initial={"route": sitting.route}),
        "examiner_form": examiner_form or ExaminerForm(),
    }


@login_required
@domain_errors
def sittings_detail(request, pk: int):
    sitting = selectors.sitting_get(actor=request.user, pk=pk)
    return render(request, "assessment/sittings_detail.html", _detail_context(request, sitting))


@login_required
@require_POST
@domain_errors
def sittings_transition(request, pk: int):
    sitting = selectors.sitting_get(actor=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if form.is_valid():
        with message_errors(request) as outcome:
            services.sitting_transition(actor=request.user, sitting=sitting,
                                        action=form.cleaned_data["action"],
                                        reason=form.cleaned_data.get("reason") or "")
        if not outcome.failed:
            messages.success(request, _("Done."))
    return redirect("assessment:sittings_detail", pk=pk)


@login_required
@require_POST
@domain_errors
def sittings_candidate_add(request, pk: int):
    sitting = selectors.sitting_get(actor=request.user, pk=pk)
    form = CandidateForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            person = _person(form)
            d = form.cleaned_data
            enrollment = None
            if d.get("enrollment_id"):
                enrollment = training_selectors.enrollment_for_assessment(d["enrollment_id"])
                if enrollment is None or enrollment.person_id != person.pk:
                    raise DomainError(_("No such enrollment of this person."),
                                      field="enrollment_id")
            services.candidate_add(
                actor=request.user, sitting=sitting, person=person, route=d["route"],
                enrollment=enrollment, justification=d.get("justification") or "",
                employer=sitting.evaluator if d.get("own_employee") else None,
                years_in_occupation=d.get("years_in_occupation") or Decimal("0"))
            messages.success(request, _("Candidate added."))
            return redirect("assessment:sittings_detail", pk=pk)
    return render(request, "assessment/sittings_detail.html",
                  _detail_context(request, sitting, candidate_form=form), status=400)


@login_required
@require_POST
@domain_errors
def sittings_from_class(request, pk: int):
    sitting = selectors.sitting_get(actor=request.user, pk=pk)
    with message_errors(request) as outcome:
        report = services.candidates_add_from_class(actor=request.user, sitting=sitting)
    if not outcome.failed:
        messages.success(request, _("%(n)s trainee(s) added; %(m)s already candidates.")
                         % {"n": len(report.added), "m": report.already})
        for s in report.skipped:
            messages.warning(request, f"{s['name']}: {s['message']}")
    return redirect("assessment:sittings_detail", pk=pk)


@login_required
@require_POST
@domain_errors
def sittings_candidate_remove(request, pk: int):
    row = selectors.candidate_get(actor=request.user, pk=pk)
    with message_errors(request):
        services.candidate_remove(actor=request.user, candidate=row,
                                  reason=request.POST.get("reason", "")[:2000])
    return redirect("assessment:sittings_detail", pk=row.sitting_id)


@login_required
@require_POST
@domain_errors
def sittings_direct_approve(request, pk: int):
    row = selectors.candidate_get(actor=request.user, pk=pk)
    with message_errors(request) as outcome:
        services.direct_recognition_approve(actor=request.user, candidate=row)
    if not outcome.failed:
        messages.success(request, _("Direct recognition approved."))
    return redirect("assessment:sittings_detail", pk=row.sitting_id)


@login_required
@require_POST
@domain_errors
def sittings_examiner_add(request, pk: int):
    sitting = selectors.sitting_get(actor=request.user, pk=pk)
    form = ExaminerForm(request.POST)
    if form.is_valid():
        with form_errors(form):
            services.examiner_add(actor=request.user, sitting=sitting, person=_person(form),
                                  is_chief=form.cleaned_data.get("is_chief") or False)
            messages.success(request, _("Examiner added."))
            return redirect("assessment:sittings_detail", pk=pk)
    return render(request, "assessment/sittings_detail.html",
                  _detail_context(request, sitting, examiner_form=form), status=400)


@login_required
@require_POST
@domain_errors
def sittings_examiner_remove(request, pk: int):
    row = selectors.examiner_get(actor=request.user, pk=pk)
    with message_errors(request):
        services.examiner_remove(actor=request.user, examiner=row)
    return redirect("assessment:sittings_detail", pk=row.sitting_id)


urlpatterns = [
    path("sittings/", sittings_list, name="sittings_list"),
    path("sittings/review/", sittings_review, name="sittings_review"),
    path("sittings/new/", sittings_declare, name="sittings_declare"),
    path("sittings/<int:pk>/", sittings_detail, name="sittings_detail"),
    path("sittings/<int:pk>/actions/", sittings_transition, name="sittings_transition"),
    path("sittings/<int:pk>/candidates/", sittings_candidate_add,
         name="sittings_candidate_add"),
    path("sittings/<int:pk>/candidates/from-class/", sittings_from_class,
         name="sittings_from_class"),
    path("sittings/candidates/<int:pk>/remove/", sittings_candidate_remove,
         name="sittings_candidate_remove"),
    path("sittings/candidates/<int:pk>/approve/", sittings_direct_approve,
         name="sittings_direct_approve"),
    path("sittings/<int:pk>/examiners/", sittings_examiner_add, name="sittings_examiner_add"),
    path("sittings/examiners/<int:pk>/remove/", sittings_examiner_remove,
         name="sittings_examiner_remove"),
]

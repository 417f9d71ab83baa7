"""Training pages: thin views over selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jineng.core.errors import DomainError, NotFound
from jineng.core.http import domain_errors, form_errors, message_errors
from jineng.core.scoping import scope_of
from jineng.core.tabular import check_file_size
from jineng.training import attendance_forms, exports, forms, importers, selectors, services
from jineng.training.choices import ClassAction, ClassStatus
from jineng.training.messages import check_view
from jineng.training.rules import lifecycle
from jineng.training.rules import permissions as perms

PAGE_SIZE = 50


def _class_or_404(request, pk: int):
    try:
        return selectors.class_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


def _is_operator(user) -> bool:
    """rules.permissions.may_declare (and may_manage_teachers): an institution's operator."""
    return services.may_declare(user)


@login_required
def class_list(request):
    status = request.GET.get("status") or None
    classes = selectors.class_list(actor=request.user, status=status,
                                   q=request.GET.get("q", ""))
    page = Paginator(classes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/class_list.html", {
        "page": page, "statuses": ClassStatus.choices, "status": status or "",
        "q": request.GET.get("q", ""), "can_declare": _is_operator(request.user),
        "may_import_history": _may_import_history(request.user)})


def _declaration_employer(form):
    """The enterprise an order class names, or None; an unknown credit code is a form error."""
    code = form.cleaned_data.get("employer_credit_code")
    if not code:
        return None
    employer = selectors.enterprise_by_credit_code(code)
    if employer is None:
        form.add_error("employer_credit_code", _("No enterprise with this credit code."))
    return employer


@login_required
def class_declare(request):
    if not _is_operator(request.user):
        raise Http404
    form = forms.ClassDeclareForm(request.POST or None,
                                  choices=selectors.declaration_choices(actor=request.user))
    if request.method == "POST" and form.is_valid():
        employer = _declaration_employer(form)
        if not form.errors:
            with form_errors(form):
                cls = services.class_declare(actor=request.user, data=form.to_input(employer))
                messages.success(request, _("Class declared: it now waits for review."))
                return redirect("training:class_detail", pk=cls.pk)
    return render(request, "training/class_declare.html", {"form": form})


@login_required
@domain_errors
def class_revise(request, pk: int):
    """The institution corrects a declaration returned to it and resubmits it."""
    cls = _class_or_404(request, pk)
    if not perms.may_revise(cls.status, services.actor_kinds(request.user, cls)):
        raise Http404
    sessions = selectors.class_sessions(actor=request.user, training_class=cls)
    teachers = selectors.class_teachers(actor=request.user, training_class=cls)
    form = forms.ClassReviseForm(
        request.POST or None, choices=selectors.declaration_choices(actor=request.user),
        initial=forms.ClassReviseForm.initial_for(cls, sessions, teachers))
    if request.method == "POST" and form.is_valid():
        employer = _declaration_employer(form)
        if not form.errors:
            with form_errors(form):
                services.class_revise(actor=request.user, training_class=cls,
                                      data=form.to_input(employer),
                                      note=form.cleaned_data.get("note") or "")
                messages.success(request, _("Declaration corrected and resubmitted: it waits "
                                            "for review again."))
                return redirect("training:class_detail", pk=cls.pk)
    returned = [h for h in selectors.class_history(actor=request.user, training_class=cls)
                if h.action == "return"]
    return render(request, "training/class_declare.html", {
        "form": form, "revising": cls, "returned": returned[-1] if returned else None},
        status=400 if form.errors else 200)


ACTION_LABELS = dict(ClassAction.choices)


def _detail_context(request, cls, enroll_form=None, eligibility=None):
    kinds = services.actor_kinds(request.user, cls)
    actions = [(a, ACTION_LABELS[a], lifecycle.TRANSITIONS[a].reason_required)
               for a in perms.actions(cls.status, kinds)]
    sees_persons = scope_of(request.user).sees_persons
    rows = selectors.class_completion(actor=request.user, training_class=cls) \
        if sees_persons else []
    return {
        "cls": cls, "actions": actions,
        "sessions": selectors.class_sessions(actor=request.user, training_class=cls),
        "teachers": selectors.class_teachers(actor=request.user, training_class=cls),
        "history": selectors.class_history(actor=request.user, training_class=cls),
        "rows": rows, "enrolled": sum(1 for r in rows if r.enrollment.status == "enrolled"),
        "completed": sum(1 for r in rows if r.counts),
        "can_enroll": perms.may_enroll(cls.status, kinds),
        "can_revise": perms.may_revise(cls.status, kinds),
        "can_withdraw": sees_persons and perms.may_withdraw(cls.status, kinds),
        "late": perms.enrolls_late(cls.status),
        "is_institution": lifecycle.INSTITUTION in kinds,
        "enroll_form": enroll_form or forms.EnrollForm(),
        "eligibility": [check_view(c) for c in eligibility.checks] if eligibility else None,
    }


@login_required
def class_detail(request, pk: int):
    cls = _class_or_404(request, pk)
    return render(request, "training/class_detail.html", _detail_context(request, cls))


@login_required
@require_POST
def class_transition(request, pk: int):
    cls = _class_or_404(request, pk)
    form = forms.TransitionForm(request.POST)
    if form.is_valid():
        try:
            services.class_transition(actor=request.user, training_class=cls,
                                      action=form.cleaned_data["action"],
                                      reason=form.cleaned_data.get("reason") or "")
        except DomainError as bad:
            messages.error(request, bad.message)
        else:
            messages.success(request, _("Done."))
    return redirect("training:class_detail", pk=cls.pk)


@login_required
@require_POST
def class_enroll(request, pk: int):
    cls = _class_or_404(request, pk)
    form = forms.EnrollForm(request.POST)
    eligibility = None
    if form.is_valid():
        # The service's message goes beside the field it names (the ID number's check
        # digit, a name that does not match, a duplicate), as the API names it.
        with form_errors(form):
            try:
                enrollment = services.enrollment_create(actor=request.user, training_class=cls,
                                                        data=form.to_input())
            except services.Ineligible as bad:
                eligibility = bad.eligibility
                raise
            messages.success(request, _("%(name)s enrolled.") % {
                "name": enrollment.person.name})
            return redirect("training:class_detail", pk=cls.pk)
    context = _detail_context(request, cls, enroll_form=form, eligibility=eligibility)
    return render(request, "training/class_detail.html", context, status=400)


@login_required
def enrollment_detail(request, pk: int):
    try:
        row = selectors.enrollment_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    return render(request, "training/enrollment_detail.html", {
        "enrollment": row, "checks": [check_view(c) for c in row.eligibility],
        "withdraw_form": forms.WithdrawForm(),
        "can_withdraw": row.status == "enrolled" and perms.may_withdraw(
            row.training_class.status, services.actor_kinds(request.user, row.training_class))})


@login_required
@require_POST
def enrollment_withdraw(request, pk: int):
    try:
        row = selectors.enrollment_get(actor=request.user, pk=pk)
    except NotFound:
        raise Http404 from None
    form = forms.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.enrollment_withdraw(actor=request.user, enrollment=row,
                                         reason=form.cleaned_data["reason"])
        except DomainError as bad:
            messages.error(request, bad.message)
        else:
            messages.success(request, _("Withdrawn."))
    return redirect("training:class_detail", pk=row.training_class_id)


@login_required
def class_attendance(request, pk: int):
    cls = _class_or_404(request, pk)
    if not scope_of(request.user).sees_persons:
        raise Http404
    session_id = request.GET.get("session")
    flagged = request.GET.get("flagged") == "1"
    events = selectors.attendance_list(
        actor=request.user, training_class=cls,
        session_id=int(session_id) if session_id and session_id.isdigit() else None,
        flagged=flagged)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "training/class_attendance.html", {
        "cls": cls, "summary": selectors.session_summary(actor=request.user,
                                                         training_class=cls),
        "page": page, "session_id": session_id or "", "flagged": flagged,
        "may_enter_by_hand": lifecycle.INSTITUTION in services.actor_kinds(request.user, cls)
        and cls.status in lifecycle.RECORDING_STATES,
        "may_void": lifecycle.HRSS in services.actor_kinds(request.user, cls)
        and cls.status in lifecycle.RECORDING_STATES | {lifecycle.SUSPENDED}})


@login_required
def review_queue(request):
    if not perms.may_review(is_hrss_staff=getattr(request.user, "is_hrss_staff", False)):
        raise Http404
    classes = selectors.review_queue(actor=request.user)
    page = Paginator(classes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/review_queue.html", {"page": page})


@login_required
def today(request):
    rows = selectors.today_board(actor=request.user)
    template = ("training/_today_rows.html" if request.headers.get("HX-Request")
                else "training/today.html")
    return render(request, template, {
        "rows": rows, "now": timezone.localtime(),
        "in_session": sum(1 for r in rows if r["in_session"]),
        "checked_in": sum(r["checked_in"] for r in rows)})


@login_required
def teacher_list(request):
    if not _is_operator(request.user):
        raise Http404
    form = forms.TeacherForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with form_errors(form):
            services.teacher_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Teacher added."))
            return redirect("training:teacher_list")
    teachers = selectors.teacher_list(actor=request.user,
                                      organization_id=request.user.organization_id)
    return render(request, "training/teacher_list.html", {"teachers": teachers, "form": form})


# --- attendance by hand, voiding, exports, migration import -----------------------------------

@login_required
@domain_errors
def attendance_manual(request, pk: int):
    """An institution enters a paper sign-in sheet: one trainee's check-in and check-out for a
    session, with the reason."""
    cls = selectors.class_get(actor=request.user, pk=pk)
    form = attendance_forms.ManualAttendanceForm(
        request.POST or None,
        enrollments=selectors.enrollment_list(actor=request.user, training_class=cls)
        .filter(status="enrolled"),
        sessions=selectors.class_sessions(actor=request.user, training_class=cls))
    if request.method == "POST" and form.is_valid():
        check_in, check_out = form.times()
        with form_errors(form) as outcome:
            enrollment = selectors.enrollment_get(actor=request.user,
                                                  pk=form.cleaned_data["enrollment"])
            session = form.sessions[form.cleaned_data["session"]]
            services.attendance_record_manual(
                actor=request.user, enrollment=enrollment, session=session,
                check_in=check_in, check_out=check_out, reason=form.cleaned_data["reason"])
        if not outcome.failed:
            messages.success(request, _("Attendance entered by hand."))
            return redirect("training:class_attendance", pk=cls.pk)
    return render(request, "training/attendance_manual.html", {"cls": cls, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
@domain_errors
def attendance_void(request, event_pk: int):
    event = selectors.attendance_event_get(actor=request.user, pk=event_pk)
    form = attendance_forms.VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
    else:
        with message_errors(request) as outcome:
            services.attendance_void(actor=request.user, event=event,
                                     reason=form.cleaned_data["reason"])
        if not outcome.failed:
            messages.success(request, _("The event is voided: it no longer earns hours."))
    return redirect("training:class_attendance", pk=event.training_class_id)


def _download(export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@login_required
@domain_errors
def export_classes(request, fmt: str):
    status = request.GET.get("status") or None
    with message_errors(request) as outcome:
        export = exports.export_classes(actor=request.user, fmt=fmt, status=status)
    if outcome.failed:
        return redirect("training:class_list")
    return _download(export)


@login_required
@domain_errors
def export_roster(request, pk: int, fmt: str):
    return _download(exports.export_roster(actor=request.user, class_id=pk, fmt=fmt))


@login_required
@domain_errors
def export_attendance(request, pk: int, fmt: str):
    return _download(exports.export_attendance(actor=request.user, class_id=pk, fmt=fmt))


def _may_import_history(user) -> bool:
    scope = scope_of(user)
    return _is_operator(user) or scope.everything or (
        getattr(user, "is_hrss_staff", False) and scope.region_prefix is not None
        and len(scope.region_prefix) <= 4)


@login_required
def history_import(request):
    """The migration import of past classes from a file (docs/training.md)."""
    if not _may_import_history(request.user):
        raise Http404
    form = attendance_forms.HistoryImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with form_errors(form):
            check_file_size(upload.size)
            report = importers.run(actor=request.user, data=upload.read(),
                                   filename=upload.name)
    return render(request, "training/history_import.html", {
        "form": form, "report": report, "columns": importers.COLUMNS},
        status=400 if form.errors or (report and report.errors) else 200)

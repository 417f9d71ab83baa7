"""A person's skill record (电子档案): the staff page (printable, and a PDF), and the worker's
own record on the public site behind an identity check (ID number + name, then a one-time code
sent to the registered phone).

The worker's session keeps only the id of the identity check and, once verified, the person's
id with a deadline (rules.records.SESSION_TTL); nothing from the request ever names the person
whose record is shown."""

from __future__ import annotations

import datetime as dt
import io
import time
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jineng.assessment import selectors, services
from jineng.assessment.rules import records as rules
from jineng.core.errors import NotFound
from jineng.core.http import domain_errors, form_errors
from jineng.core.scoping import scope_of
from jineng.registry.hooks import PageLink

CHALLENGE_KEY = "assessment.records.challenge"
DEMO_CODE_KEY = "assessment.records.demo_code"
PERSON_KEY = selectors.records.VERIFIED_PERSON_KEY


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR") or ""


# --- staff -----------------------------------------------------------------------------------

def skill_record_links(*, actor, person) -> list[PageLink]:
    """registry.hooks.person_page_links: the skill record, for actors who read persons (the
    person page was read in their scope already)."""
    if not scope_of(actor).sees_persons:
        return []
    return [PageLink(label=_("Skill record"), id="skill-record-link",
                     url=reverse("assessment:records_person", args=[person.pk]))]


@login_required
@never_cache
@domain_errors
def records_person(request: HttpRequest, person_id: int) -> HttpResponse:
    record = selectors.skill_record(actor=request.user, person=person_id)
    return render(request, "assessment/records_person.html", {"record": record})


@login_required
@never_cache
@domain_errors
def records_person_pdf(request: HttpRequest, person_id: int) -> HttpResponse:
    record = services.skill_record_export(actor=request.user, person=person_id, fmt="pdf",
                                          client_address=_client_address(request))
    return _pdf_response(record, f"skill-record-{person_id}.pdf")


# --- the worker's own record -----------------------------------------------------------------

class StartForm(forms.Form):
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=50)


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the text message"), max_length=10,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))


def _verified_person_id(request: HttpRequest) -> int | None:
    held = request.session.get(PERSON_KEY)
    if not isinstance(held, dict) or not isinstance(held.get("id"), int):
        return None
    if float(held.get("until", 0)) <= time.time():
        request.session.pop(PERSON_KEY, None)
        return None
    return held["id"]


@never_cache
def records_own(request: HttpRequest) -> HttpResponse:
    """The worker's record when verified in this session; otherwise the identity check."""
    person_id = _verified_person_id(request)
    if person_id is not None:
        try:
            record = services.own_skill_record_open(
                actor=request.user, verified_person_id=person_id, fmt="page",
                client_address=_client_address(request))
        except NotFound:
            request.session.pop(PERSON_KEY, None)
        else:
            until = request.session[PERSON_KEY]["until"]
            return render(request, "assessment/records_own.html", {
                "record": record,
                "until": dt.datetime.fromtimestamp(until,
                                                   tz=timezone.get_current_timezone())})
    form = StartForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with form_errors(form):
                started = services.identity_challenge_start(
                    actor=request.user, id_number=form.cleaned_data["id_number"],
                    name=form.cleaned_data["name"], client_address=_client_address(request))
                request.session[CHALLENGE_KEY] = started.challenge_id
                if started.demo_code:
                    request.session[DEMO_CODE_KEY] = started.demo_code
                else:
                    request.session.pop(DEMO_CODE_KEY, None)
                return redirect("assessment:records_own_code")
        status = 400
    return render(request, "assessment/records_start.html", {"form": form}, status=status)


@never_cache
def records_own_code(request: HttpRequest) -> HttpResponse:
    if CHALLENGE_KEY not in request.session:
        return redirect("assessment:records_own")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with form_errors(form):
                person_id = services.identity_challenge_verify(
                    actor=request.user, challenge_id=request.session.get(CHALLENGE_KEY),
                    code=form.cleaned_data["code"], client_address=_client_address(request))
                request.session.cycle_key()  # a fresh session id for the verified visitor
                request.session.pop(CHALLENGE_KEY, None)
                request.session.pop(DEMO_CODE_KEY, None)
                request.session[PERSON_KEY] = {
                    "id": person_id, "until": time.time() + rules.SESSION_TTL.total_seconds()}
                return redirect("assessment:records_own")
        status = 400
    return render(request, "assessment/records_code.html", {
        "form": form, "demo_code": request.session.get(DEMO_CODE_KEY, ""),
        "minutes": int(rules.CODE_TTL.total_seconds() // 60),
    }, status=status)


@never_cache
def records_own_pdf(request: HttpRequest) -> HttpResponse:
    person_id = _verified_person_id(request)
    if person_id is None:
        return redirect("assessment:records_own")
    try:
        record = services.own_skill_record_open(actor=request.user,
                                                verified_person_id=person_id, fmt="pdf",
                                                client_address=_client_address(request))
    except NotFound:
        request.session.pop(PERSON_KEY, None)
        return redirect("assessment:records_own")
    return _pdf_response(record, "skill-record.pdf")


@require_POST
def records_own_logout(request: HttpRequest) -> HttpResponse:
    for key in (PERSON_KEY, CHALLENGE_KEY, DEMO_CODE_KEY):
        request.session.pop(key, None)
    return redirect("assessment:records_own")


# --- the printable document ------------------------------------------------------------------

def _pdf_response(record: selectors.SkillRecord, filename: str) -> HttpResponse:
    response = HttpResponse(record_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _result(candidate) -> str:
    if candidate.absent:
        return _("Absent")
    if candidate.passed is None:
        return _("Pending")
    return _("Passed") if candidate.passed else _("Not passed")


def record_rows(record: selectors.SkillRecord) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The record's tables as (headers, rows) of text: one source for the PDF."""
    def d(day) -> str:
        return day.strftime("%Y-%m-%d") if day else "—"

    def n(value) -> str:
        return "—" if value is None else f"{value}"

    classes = [[e.training_class.name, e.training_class.institution.name,
                e.training_class.occupation.name, str(e.training_class.level),
                f"{d(e.training_class.start_date)} – {d(e.training_class.end_date)}",
                f"{n(e.attended_hours)} / {e.training_class.required_hours}",
                _("Yes") if e.has_completed else (_("No") if e.completed is False else "—")]
               for e in record.classes]
    assessments = [[d(c.sitting.sitting_date), c.sitting.evaluator.name,
                    (c.sitting.occupation.name if c.sitting.occupation_id
                     else c.sitting.special_ability_item),
                    str(c.sitting.level) if c.sitting.level_id else "—",
                    c.get_route_display(), n(c.theory_score), n(c.practical_score), _result(c)]
                   for c in record.assessments]
    certificates = [[c.number, c.get_kind_display(),
                     " ".join(x for x in [c.occupation.name if c.occupation_id else
                                          (c.special_ability_item or c.title), c.work_type,
                                          str(c.level) if c.level_id else ""] if x),
                     c.issuer_name, d(c.issued_on), c.get_origin_display()
                     + ("" if c.verified else f" ({_('unverified')})"),
                     c.get_status_display()]
                    for c in record.certificates]
    levels = [[o.occupation_name, s.level_name, d(s.on), s.number]
              for o in record.levels for s in o.steps]
    return {
        "classes": ([_("Class"), _("Institution"), _("Occupation"), _("Skill level"),
                     _("Training dates"), _("Hours attended / required"), _("Completed")],
                    classes),
        "assessments": ([_("Date"), _("Evaluator"), _("Occupation or item"), _("Skill level"),
                         _("Route"), _("Theory"), _("Practical"), _("Result")], assessments),
        "certificates": ([_("Certificate number"), _("Certificate kind"),
                          _("Occupation, work type, level"), _("Issuing body"), _("Issued"),
                          _("Origin"), _("Status")], certificates),
        "levels": ([_("Occupation"), _("Level reached"), _("Reached on"), _("Certificate")],
                   levels),
    }


def record_pdf(record: selectors.SkillRecord) -> bytes:
    """The record as a PDF (reportlab with the built-in Chinese CID font, as plans' reports);
    the ID number masked."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("t", fontName=font, fontSize=15, leading=20, alignment=1)
    heading = ParagraphStyle("h", fontName=font, fontSize=11, leading=15, spaceBefore=6)
    line = ParagraphStyle("l", fontName=font, fontSize=9.5, leading=13)
    cell = ParagraphStyle("c", fontName=font, fontSize=8, leading=10)

    def esc(text: Any) -> str:
        return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm,
                            rightMargin=12 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                            title=_("Skill record"), author="jineng")
    person = record.person
    story: list[Any] = [
        Paragraph(esc(_("Skill record")), title),
        Paragraph(esc(f"{_('Full name')}: {person.name}　{_('ID number')}: {person.id_masked}"),
                  line),
        Paragraph(esc(f"{_('Highest level')}: "
                      + (f"{record.highest.level_name} · {record.highest_occupation}"
                         if record.highest else "—")), line),
        Paragraph(esc(f"{_('Printed')}: {timezone.localtime():%Y-%m-%d %H:%M}"), line),
    ]
    titles = {"classes": _("Training taken"), "assessments": _("Assessments"),
              "certificates": _("Certificates"), "levels": _("Level over time")}
    for key, (headers, rows) in record_rows(record).items():
        story += [Spacer(1, 3 * mm), Paragraph(esc(titles[key]), heading)]
        if not rows:
            story.append(Paragraph(esc(_("None.")), line))
            continue
        table = Table([[Paragraph(esc(h), cell) for h in headers]]
                      + [[Paragraph(esc(x), cell) for x in row] for row in rows],
                      repeatRows=1, colWidths=[doc.width / len(headers)] * len(headers))
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF2F6")),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)
    doc.build(story)
    return out.getvalue()


urlpatterns = [
    path("records/<int:person_id>/", records_person, name="records_person"),
    path("records/<int:person_id>/pdf/", records_person_pdf, name="records_person_pdf"),
    path("my-record/", records_own, name="records_own"),
    path("my-record/code/", records_own_code, name="records_own_code"),
    path("my-record/pdf/", records_own_pdf, name="records_own_pdf"),
    path("my-record/logout/", records_own_logout, name="records_own_logout"),
]

"""Demand pages: wishes. Staff: the posters (make, print as PDF, take out of use), the wishes
counted by occupation × region × key group (a table, a map, an Excel file), the list of wishes
(HRSS staff of the region). Public: the mobile wish form a poster's QR code opens (no login)
and the occupation search behind its autocomplete."""

from __future__ import annotations

import io

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from jineng.core import ratelimit
from jineng.core.errors import NotFound
from jineng.core.http import domain_errors, form_errors, message_errors
from jineng.core.scoping import scope_of
from jineng.core.tabular import write_xlsx
from jineng.demand import selectors, services
from jineng.demand.choices import PosterPlace, PreferredTime
from jineng.demand.rules import wishes as rules
from jineng.registry.choices import KeyGroup
from jineng.registry.models import SkillLevel

PDF_FONT = "STSong-Light"


poster_link = selectors.poster_link


def _staff(request: HttpRequest) -> None:
    if scope_of(request.user).region_prefix is None and not scope_of(request.user).everything:
        raise NotFound()


# --- posters ---------------------------------------------------------------------------------

class PosterForm(forms.Form):
    region_code = forms.CharField(label=gettext_lazy("Region code"), max_length=12)
    place_kind = forms.ChoiceField(label=gettext_lazy("Kind of place"),
                                   choices=PosterPlace.choices)
    place_name = forms.CharField(label=gettext_lazy("Place"), max_length=rules.PLACE_MAX)
    longitude = forms.DecimalField(label=gettext_lazy("Longitude"), required=False,
                                   max_digits=9, decimal_places=6)
    latitude = forms.DecimalField(label=gettext_lazy("Latitude"), required=False,
                                  max_digits=9, decimal_places=6)


@login_required
@never_cache
@domain_errors
def poster_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = PosterForm(request.POST or None,
                      initial={"region_code": getattr(request.user.region, "code", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with form_errors(form):
                poster = services.poster_create(actor=request.user, **form.cleaned_data)
                return redirect(f"{reverse('demand:wish_posters')}#poster-{poster.pk}")
        status = 400
    posters = selectors.poster_list(actor=request.user,
                                    q=request.GET.get("q", "")).order_by("-created_at")
    page = Paginator(posters, 50).get_page(request.GET.get("page"))
    for poster in page:
        poster.link = poster_link(poster)
    may_create = getattr(request.user, "is_hrss_staff", False)
    return render(request, "demand/wishes/posters.html", {
        "form": form, "page": page, "may_create": may_create}, status=status)


@login_required
@require_POST
@domain_errors
def poster_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    poster = selectors.poster_get(actor=request.user, pk=pk)
    with message_errors(request):
        services.poster_set_active(actor=request.user, poster=poster,
                                   active=not poster.is_active)
    return redirect("demand:wish_posters")


@login_required
@domain_errors
def poster_pdf(request: HttpRequest) -> HttpResponse:
    """The chosen posters (`?id=` repeated; default: every poster in use), `per_page` 1 or 4."""
    ids = [int(i) for i in request.GET.getlist("id") if i.isdigit() and len(i) < 12]
    qs = selectors.poster_list(actor=request.user, active=True if not ids else None)
    if ids:
        qs = qs.filter(pk__in=ids)
    posters = list(qs[:200])
    if not posters:
        raise NotFound()
    per_page = 4 if request.GET.get("per_page") == "4" else 1
    response = HttpResponse(posters_pdf(posters, per_page=per_page),
                            content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="wish-posters.pdf"'
    return response


def _draw_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    matrix = [list(row) for row in segno.make(text, error="m").matrix]
    border = 2
    module = size / (len(matrix) + 2 * border)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + (c + border) * module, y + size - (r + border + 1) * module,
                            module, module, stroke=0, fill=1)
    canvas.restoreState()


def posters_pdf(posters: list, *, per_page: int = 1) -> bytes:
    """A4 pages with one poster each, or four (2 × 2) to cut: title, the QR code of the form,
    where it hangs and the link printed under the code (reportlab, built-in CID font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    width, height = A4
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4)
    canvas.setTitle(_("Training wish posters"))
    canvas.setAuthor("jineng")
    cols = rows = 2 if per_page == 4 else 1
    cell_w, cell_h = width / cols, height / rows
    scale = 1 / cols
    for i, poster in enumerate(posters):
        slot = i % per_page
        if i and slot == 0:
            canvas.showPage()
        x0 = (slot % cols) * cell_w
        y0 = height - (slot // cols + 1) * cell_h
        cx = x0 + cell_w / 2
        if per_page > 1:
            canvas.setDash(3, 3)
            canvas.rect(x0 + 3 * mm, y0 + 3 * mm, cell_w - 6 * mm, cell_h - 6 * mm)
            canvas.setDash()
        canvas.setFont(PDF_FONT, 30 * scale)
        canvas.drawCentredString(cx, y0 + cell_h - 40 * mm * scale, _("Want to learn a skill?"))
        canvas.setFont(PDF_FONT, 16 * scale)
        canvas.drawCentredString(cx, y0 + cell_h - 55 * mm * scale,
                                 _("Scan the code to tell us what training you want"))
        size = 120 * mm * scale
        qr_x, qr_y = cx - size / 2, y0 + cell_h - 70 * mm * scale - size
        _draw_qr(canvas, poster_link(poster), qr_x, qr_y, size)
        # The code is also a link on screen (and names the address in the file's text).
        canvas.linkURL(poster_link(poster), (qr_x, qr_y, qr_x + size, qr_y + size),
                       relative=0)
        canvas.setFont(PDF_FONT, 14 * scale)
        canvas.drawCentredString(cx, y0 + 60 * mm * scale,
                                 f"{poster.region.name} · {poster.place_name}"[:40])
        canvas.setFont(PDF_FONT, 9 * scale)
        canvas.drawCentredString(cx, y0 + 48 * mm * scale, poster_link(poster))
        canvas.drawCentredString(cx, y0 + 40 * mm * scale,
                                 _("Subsidized vocational skills training. Free to register."))
    canvas.save()
    return out.getvalue()


# --- the public wish form --------------------------------------------------------------------

def _level_choices() -> list[tuple[str, str]]:
    return [("", _("Not sure"))] + [(lv.code, lv.name) for lv in
                                     SkillLevel.objects.order_by("rank")]


class NoEchoInput(forms.TextInput):
    """A text input that never writes its value back into the page (the ID number is typed
    again after an error rather than echoed: it may be read from a shared phone's cache)."""

    def format_value(self, value):
        return None


class WishForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=rules.NAME_MAX,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(label=gettext_lazy("ID number"), max_length=30,
                                widget=NoEchoInput(attrs={"autocomplete": "off",
                                                          "inputmode": "text"}))
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel",
                                                          "inputmode": "tel"}))
    occupations = forms.CharField(
        label=gettext_lazy("Occupations you want to learn"), required=False,
        help_text=gettext_lazy("Type a name or pinyin initials (e.g. dg for 电工); up to 3."),
        widget=forms.TextInput(attrs={"data-occupation-search": "1", "autocomplete": "off",
                                      "role": "combobox", "aria-autocomplete": "list",
                                      "aria-controls": "occupation-options",
                                      "aria-expanded": "false"}))
    occupation_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    level = forms.ChoiceField(label=gettext_lazy("Skill level"), required=False, choices=())
    preferred_time = forms.ChoiceField(label=gettext_lazy("When can you attend?"),
                                       choices=PreferredTime.choices,
                                       initial=PreferredTime.ANY)
    preferred_place = forms.CharField(label=gettext_lazy("Where would you like to train?"),
                                      required=False, max_length=rules.PLACE_MAX)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    max_distance_km = forms.IntegerField(
        label=gettext_lazy("How far can you travel (km)?"), initial=rules.DISTANCE_KM_DEFAULT,
        min_value=rules.DISTANCE_KM_MIN, max_value=rules.DISTANCE_KM_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    key_groups = forms.MultipleChoiceField(
        label=gettext_lazy("I belong to (optional)"), required=False, choices=KeyGroup.choices,
        widget=forms.CheckboxSelectMultiple)
    consent = forms.BooleanField(
        label=gettext_lazy("I agree that the human resources and social security department "
                           "uses these data to arrange training for me and contact me."),
        required=False)
    sms_code = forms.CharField(label=gettext_lazy("Code from the text message"), required=False,
                               max_length=10,
                               widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                             "inputmode": "numeric"}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = _level_choices()

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"]
        problem = services.id_number_problem(value)
        if problem:
            raise forms.ValidationError(problem.message, code=problem.code)
        return value

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"]
        problem = services.phone_problem(value)
        if problem:
            raise forms.ValidationError(problem.message, code=problem.code)
        return value

    def clean_occupation_ids(self) -> list[int]:
        raw = [p for p in (self.cleaned_data.get("occupation_ids") or "").split(",") if p]
        if not all(p.isdigit() and len(p) < 12 for p in raw):
            raise forms.ValidationError(_("Choose occupations from the list."))
        return [int(p) for p in raw]

    def clean_consent(self) -> bool:
        if not self.cleaned_data.get("consent"):
            raise forms.ValidationError(
                _("Agree to the use of your data, or we cannot register your wish."),
                code="required")
        return True

    def chosen_occupations(self) -> list[dict]:
        raw = self.data.get("occupation_ids", "") if self.is_bound else ""
        ids = [int(p) for p in raw.split(",") if p.isdigit() and len(p) < 12][:3]
        from jineng.registry.models import Occupation

        found = {o.pk: o for o in Occupation.objects.filter(pk__in=ids)}
        return [{"id": i, "name": found[i].name} for i in ids if i in found]


@never_cache
def wish_form(request: HttpRequest, token) -> HttpResponse:
    """The mobile form a poster's QR code opens (no login)."""
    try:
        poster = selectors.poster_public(token)
    except NotFound:
        return render(request, "demand/wishes/form_gone.html", status=404)
    form = WishForm(request.POST or None)
    status, demo_code, challenge = 200, "", False
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            with form_errors(form) as outcome:
                services.wish_submit(actor=request.user, data=services.WishInput(
                    poster_token=str(poster.token), name=data["name"],
                    id_number=data["id_number"], phone=data["phone"],
                    occupation_ids=data["occupation_ids"], consent=data["consent"],
                    level_code=data["level"], preferred_time=data["preferred_time"],
                    preferred_place=data["preferred_place"], longitude=data["longitude"],
                    latitude=data["latitude"], max_distance_km=data["max_distance_km"],
                    key_groups=data["key_groups"], sms_code=data["sms_code"]),
                    client_address=ratelimit.request_address(request))
                return redirect("demand:wish_thanks", token=poster.token)
            error = outcome.error
            if isinstance(error, services.ChallengeRequired):
                demo_code, challenge = error.demo_code, True
            elif error is not None and error.field == "sms_code":
                challenge = True
            status = 429 if isinstance(error, services.Throttled) else 400
        else:
            status = 400
            with form_errors(form) as outcome:
                services.count_address(ratelimit.request_address(request))
            if outcome.failed:
                status = 429
        challenge = challenge or bool(request.POST.get("sms_code"))
    return render(request, "demand/wishes/form.html", {
        "form": form, "poster": poster, "challenge": challenge, "demo_code": demo_code,
        "chosen": form.chosen_occupations(),
        "search_url": reverse("demand:wish_occupation_search"),
        "consent_version": rules.CONSENT_VERSION}, status=status)


@never_cache
def wish_thanks(request: HttpRequest, token) -> HttpResponse:
    return render(request, "demand/wishes/thanks.html", {"token": token})


@require_GET
def wish_occupation_search(request: HttpRequest) -> JsonResponse:
    """Public JSON for the form's autocomplete: `?q=` (name or pinyin initials)."""
    decision = ratelimit.hit("demand.wish.search", ratelimit.request_address(request),
                             limit=600, window=rules.ADDRESS_LIMIT.window)
    if not decision.allowed:
        return JsonResponse({"results": [], "detail": _("Too many requests; try again later.")},
                            status=429)
    q = request.GET.get("q", "")[:50]
    return JsonResponse({"results": selectors.occupation_suggestions(q, limit=10)},
                        json_dumps_params={"ensure_ascii": False})


# --- staff: what workers want ----------------------------------------------------------------

def _filters(request: HttpRequest) -> dict:
    by = request.GET.get("by", "county")
    if by not in {"city", "county"}:
        by = "county"
    region = request.GET.get("region", "")
    region = region if region.isdigit() and len(region) <= 12 else ""
    group = request.GET.get("group", "")
    group = group if group in KeyGroup.values else ""
    return {"by": by, "region_code": region, "key_group": group}


def _aggregate_headers() -> list[str]:
    return [_("Occupation code"), _("Occupation"), _("Region code"), _("Region"),
            _("Key group"), _("Wishes")]


@login_required
@never_cache
@domain_errors
def wish_summary(request: HttpRequest) -> HttpResponse:
    _staff(request)
    filters = _filters(request)
    cells = selectors.wish_aggregates(actor=request.user, **filters)
    if request.GET.get("format") == "xlsx":
        rows = [[c.occupation_code, c.occupation_name, c.region_code, c.region_name,
                 c.key_group_label, c.wishes] for c in cells]
        response = HttpResponse(
            write_xlsx(_("Training wishes"), _aggregate_headers(), rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="training-wishes.xlsx"'
        return response
    wish_map = selectors.wish_map(actor=request.user, region_code=filters["region_code"],
                                  by=filters["by"])
    page = Paginator(cells, 100).get_page(request.GET.get("page"))
    return render(request, "demand/wishes/summary.html", {
        "page": page, "filters": filters,
        "key_groups": KeyGroup.choices, "map_data": wish_map,
        "sees_persons": scope_of(request.user).sees_persons})


@login_required
@never_cache
@domain_errors
def wish_list(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).sees_persons:
        raise NotFound()
    filters = _filters(request)
    wishes = selectors.wish_list(actor=request.user, region_code=filters["region_code"],
                                 key_group=filters["key_group"])
    if request.GET.get("format") == "xlsx":
        data = services.wish_export(actor=request.user, region_code=filters["region_code"],
                                    key_group=filters["key_group"])
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml"
                                ".sheet")
        response["Content-Disposition"] = 'attachment; filename="training-wish-list.xlsx"'
        return response
    page = Paginator(wishes, 50).get_page(request.GET.get("page"))
    return render(request, "demand/wishes/list.html", {"page": page, "filters": filters,
                                                        "key_groups": KeyGroup.choices})


urlpatterns = [
    path("wishes/posters/", poster_list, name="wish_posters"),
    path("wishes/posters/pdf/", poster_pdf, name="wish_posters_pdf"),
    path("wishes/posters/<int:pk>/toggle/", poster_toggle, name="wish_poster_toggle"),
    path("wishes/", wish_summary, name="wish_summary"),
    path("wishes/list/", wish_list, name="wish_list"),
    path("wishes/occupations/", wish_occupation_search, name="wish_occupation_search"),
    path("w/<uuid:token>/", wish_form, name="wish_form"),
    path("w/<uuid:token>/thanks/", wish_thanks, name="wish_thanks"),
]

"""Pages of the public site (no login, phone first): the training map (培训信息导航图) with its
filters and its list (the same classes, for screen readers and small screens), a class's page
with how to enrol, the directory of listed institutions, and the subsidy standards in plain
language. The home page (portal/home.html, rendered by views.overview.home) links here, to the
certificate check and to a worker's own record."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jineng.core.errors import NotFound
from jineng.plans import selectors as plans
from jineng.portal.rules import site_search as rules
from jineng.portal.selectors import institutions as institution_selectors
from jineng.portal.selectors import site as selectors
from jineng.portal.services import site as services
from jineng.registry.choices import OrganizationKind

PAGE_SCOPE = "portal.site.page"
RADII = (5, 10, 20, 30, 50, 100)


def _throttle(request):
    """None, or the page that says to slow down (429)."""
    decision = services.public_hit(request, PAGE_SCOPE)
    if decision.allowed:
        return None
    response = render(request, "portal/site/throttled.html",
                      {"retry_after": decision.retry_after}, status=429)
    response["Retry-After"] = str(decision.retry_after)
    return response


class SearchForm(forms.Form):
    """The map's filters. Values are typed here and checked against the data by
    selectors.search_parse, whose problems come back beside their fields."""

    occupation = forms.TypedChoiceField(label=_("Occupation"), required=False, coerce=int,
                                        empty_value=None)
    level = forms.ChoiceField(label=_("Skill level"), required=False)
    subsidized = forms.TypedChoiceField(
        label=_("Subsidy"), required=False, empty_value=None,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        choices=[("", _("Subsidized or not")), ("yes", _("Subsidized (public funds)")),
                 ("no", _("Not subsidized"))])
    key_group = forms.ChoiceField(label=_("I am"), required=False)
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Starting by"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Near"), required=False, max_length=12,
                            widget=forms.Select())
    within_km = forms.FloatField(label=_("Within (km)"), required=False,
                                 widget=forms.NumberInput(attrs={
                                     "min": rules.MIN_RADIUS_KM, "max": rules.MAX_RADIUS_KM,
                                     "step": 1, "inputmode": "numeric",
                                     "list": "radius-choices"}))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput())
    lon = forms.FloatField(required=False, widget=forms.HiddenInput())
    offset = forms.IntegerField(required=False, min_value=0, max_value=100_000,
                                widget=forms.HiddenInput())

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["occupation"].choices = [("", _("Any occupation")), *choices["occupations"]]
        self.fields["level"].choices = [("", _("Any level")), *choices["levels"]]
        self.fields["key_group"].choices = [("", _("Anyone")), *choices["key_groups"]]
        indent = {"city": "", "county": "　", "town": "　　"}
        self.fields["place"].widget.choices = [("", _("Anywhere")), *[
            (code, f"{indent.get(level, '')}{name}") for code, name, level in choices["places"]]]


def site_map(request):
    """The training map: filters, the map of sites, and the list of classes (nearest first
    when a place is chosen)."""
    refused = _throttle(request)
    if refused is not None:
        return refused
    choices = institution_selectors.filter_choices()
    form = SearchForm(request.GET or None, choices=choices)
    page = markers = search = None
    status = 200
    if not request.GET:
        search = selectors.search_parse()
    elif form.is_valid():
        data = form.cleaned_data
        try:
            search = selectors.search_parse(
                occupation=data["occupation"], level=data["level"],
                subsidized=data["subsidized"], key_group=data["key_group"],
                date_from=data["date_from"], date_to=data["date_to"], place=data["place"],
                lat=data["lat"], lon=data["lon"], within_km=data["within_km"])
        except selectors.SearchRefused as problem:
            for item in problem.problems:
                name = item["field"] if item["field"] in form.fields else None
                if name in {"lat", "lon"}:
                    name = "place"
                form.add_error(name, item["message"])
    if search is None:
        status = 400
    else:
        offset = (form.cleaned_data.get("offset") or 0) if form.is_bound else 0
        page = selectors.class_search(search, offset=offset)
        markers = selectors.site_map(search)
    map_data = _map_data(search, markers, request) if search is not None else None
    return render(request, "portal/site/map.html", {
        "form": form, "search": search, "page": page, "markers": markers,
        "map_data": map_data, "radii": RADII,
        "previous_url": _page_url(request, page, -1) if page and page.has_previous else "",
        "next_url": _page_url(request, page, +1) if page and page.has_next else "",
    }, status=status)


def _page_url(request, page, step: int) -> str:
    params = request.GET.copy()
    params["offset"] = max(0, page.offset + step * page.limit)
    return f"{reverse('portal:site_map')}?{params.urlencode()}"


def _zoom_url(request, code: str) -> str:
    """The map around a county: the same filters, its seat as the place, 30 km."""
    params = request.GET.copy()
    for name in ("lat", "lon", "offset"):
        params.pop(name, None)
    params["place"] = code
    params["within_km"] = rules.DEFAULT_RADIUS_KM
    return f"{reverse('portal:site_map')}?{params.urlencode()}"


def _map_data(search, markers, request) -> dict:
    region = (search.place.code if search.place and search.place.code
              else institution_selectors.map_region_code())
    boundary = plans.boundary_file(region) if region else None
    return {
        "boundary": static(boundary) if boundary else "",
        "tiles": settings.JINENG_MAP_TILES,
        "attribution": settings.JINENG_MAP_TILES_ATTRIBUTION,
        "leafletImages": static("vendor/leaflet/images/"),
        "centre": ({"lat": search.place.lat, "lon": search.place.lon,
                    "name": search.place.name, "km": search.within_km}
                   if search.place else None),
        "sites": [{"id": m.id, "name": m.name, "address": m.address,
                   "institution": m.institution_name, "lat": m.latitude, "lon": m.longitude,
                   "classes": m.classes, "km": m.distance_km,
                   "url": reverse("portal:site_institution", args=[m.institution_id])}
                  for m in (markers.items if markers else [])],
        "regions": [{"code": r.code, "name": r.name, "lat": r.latitude, "lon": r.longitude,
                     "sites": r.sites, "classes": r.classes, "url": _zoom_url(request, r.code)}
                    for r in (markers.regions if markers else [])],
        "labels": {"classes": str(_("open or upcoming classes")), "km": str(_("km")),
                   "sites": str(_("sites")), "zoom": str(_("Show the sites near here")),
                   "institution": str(_("Institution page")),
                   "centre": str(_("Searching from here"))},
    }


def class_page(request, pk: int):
    """One public class: what, where, when, for whom, subsidized or not, and how to enrol."""
    refused = _throttle(request)
    if refused is not None:
        return refused
    try:
        detail = selectors.class_detail(pk)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    near = urlencode({"place": detail.card.region_code, "within_km": 30})
    return render(request, "portal/site/class.html",
                  {"d": detail, "c": detail.card,
                   "near_url": f"{reverse('portal:site_map')}?{near}"})


def institution_list(request):
    """The directory of listed training and evaluation institutions."""
    refused = _throttle(request)
    if refused is not None:
        return refused
    q = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    if kind not in OrganizationKind.values or kind == OrganizationKind.ENTERPRISE:
        kind = ""
    qs = institution_selectors.institution_list(q=q, kind=kind)
    try:
        offset = max(0, min(int(request.GET.get("offset", 0)), 1_000_000))
    except ValueError:
        offset = 0
    count = qs.count()
    rows = list(qs.select_related("region")[offset:offset + 50])
    counts = institution_selectors.open_class_counts([o.pk for o in rows],
                                                     timezone.localdate())
    params = request.GET.copy()
    params["offset"] = offset + 50
    more = f"?{params.urlencode()}" if offset + 50 < count else ""
    params["offset"] = max(0, offset - 50)
    fewer = f"?{params.urlencode()}" if offset else ""
    return render(request, "portal/site/institutions.html", {
        "rows": [(o, counts.get(o.pk, 0)) for o in rows], "count": count, "q": q,
        "kind": kind, "kinds": [(OrganizationKind.TRAINING, OrganizationKind.TRAINING.label),
                                (OrganizationKind.EVALUATION,
                                 OrganizationKind.EVALUATION.label)],
        "next_url": more, "previous_url": fewer})


def institution_page(request, pk: int):
    refused = _throttle(request)
    if refused is not None:
        return refused
    try:
        detail = institution_selectors.institution_detail(pk)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    return render(request, "portal/site/institution.html", {"d": detail,
                                                            "o": detail.organization})


def standards(request):
    """The subsidy standards in force, in plain language."""
    refused = _throttle(request)
    if refused is not None:
        return refused
    return render(request, "portal/site/standards.html",
                  institution_selectors.subsidy_standards())


urlpatterns = [
    path("map/", site_map, name="site_map"),
    path("classes/<int:pk>/", class_page, name="site_class"),
    path("institutions/", institution_list, name="site_institutions"),
    path("institutions/<int:pk>/", institution_page, name="site_institution"),
    path("subsidy-standards/", standards, name="site_standards"),
]

"""Reads of the public site (no login): the training map (培训信息导航图) of sites and open or
upcoming classes, and class pages with how to enrol (the directory of listed institutions with
their catalog listings, the subsidy standards and the map's filter choices are in
`institutions`).

Only public fields leave this module (docs/adr/0005-public-data.md): classes the public scope
shows (approved or open), sites and institutions the public scope shows (listed training and
evaluation institutions, their sites in use), never a person, a teacher, a legal
representative's name or a mobile number.

A search is parsed once (`search_parse`, the same for the page and the API) and every problem
is named by its field (`SearchRefused`, answered 422 by the API). Distances are great-circle
distances from the chosen place (a region's seat or the phone's position) to the site: a
latitude/longitude box first (rules.site_search.bounding_box), then the exact distance.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.catalog import selectors as catalog
from jineng.core.errors import DomainError, NotFound
from jineng.portal.rules import site_search as rules
from jineng.registry import selectors as registry
from jineng.registry.choices import KeyGroup
from jineng.training import selectors as training
from jineng.training.choices import FundingSource, OrderForm, TrainingType

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_MARKERS = 2000  # sites drawn on one map; the list says when more matched


# --- the search and its problems ---------------------------------------------------------------

class SearchRefused(DomainError):
    """A search with bad input: every problem, each naming its field (API: 422)."""

    status = 422

    def __init__(self, problems: list[dict]) -> None:
        super().__init__(problems[0]["message"], field=problems[0]["field"],
                         code=problems[0]["code"])
        self.problems = problems


@dataclass(frozen=True)
class Place:
    """The centre of a distance search: a region's seat, or a position the phone gave."""

    lat: float
    lon: float
    name: str
    code: str = ""  # the region code, empty for a position


@dataclass(frozen=True)
class ClassSearch:
    occupation_ids: tuple[int, ...] = ()
    occupation_name: str = ""
    level_code: str = ""
    subsidized: bool | None = None
    key_group: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    place: Place | None = None
    within_km: float | None = None
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def starts_from(self) -> dt.date:
        return self.date_from or self.today


def _problem(problems: list, name: str, code: str, message: str) -> None:
    problems.append({"field": name, "code": code, "message": message})


def search_parse(*, occupation: int | None = None, level: str = "",
                 subsidized: bool | None = None, key_group: str = "",
                 date_from: dt.date | None = None, date_to: dt.date | None = None,
                 place: str = "", lat: float | None = None, lon: float | None = None,
                 within_km: float | None = None, today: dt.date | None = None) -> ClassSearch:
    """Check a search's values (already typed) against the data and the limits; raise
    SearchRefused naming every field at fault."""
    today = today or timezone.localdate()
    problems: list[dict] = []
    occupation_ids: tuple[int, ...] = ()
    occupation_name = ""
    if occupation is not None:
        found = registry.occupation_list(actor=None).filter(pk=occupation).first()
        if found is None:
            _problem(problems, "occupation", "unknown",
                     _("No occupation with the number %(id)s.") % {"id": occupation})
        else:
            children = registry.occupation_list(actor=None).filter(
                parent_id=found.pk).values_list("pk", flat=True)
            occupation_ids = (found.pk, *children)
            occupation_name = found.name
    level = (level or "").strip()
    if level and not registry.skill_level_list(actor=None).filter(code=level).exists():
        _problem(problems, "level", "unknown",
                 _("No skill level with the code %(code)s.") % {"code": level})
    key_group = (key_group or "").strip()
    if key_group and key_group not in KeyGroup.values:
        _problem(problems, "key_group", "unknown",
                 _("No key group %(code)s; choose one of the list.") % {"code": key_group})
    for name, day in (("date_from", date_from), ("date_to", date_to)):
        if day is None:
            continue
        if day < today - dt.timedelta(days=rules.MAX_DAYS_BACK):
            _problem(problems, name, "too_early",
                     _("The date is more than a year ago: only open or upcoming classes are "
                       "shown."))
        elif day > today + dt.timedelta(days=rules.MAX_DAYS_AHEAD):
            _problem(problems, name, "too_late",
                     _("The date is more than three years ahead: no class is declared that "
                       "early."))
    if date_from and date_to and date_to < date_from:
        _problem(problems, "date_to", "before_start",
                 _("The last date is before the first date."))
    centre = _place(problems, place=place, lat=lat, lon=lon)
    if within_km is not None:
        trouble = rules.radius_problem(within_km)
        if trouble == "too_small":
            _problem(problems, "within_km", "too_small",
                     _("The distance is at least %(n)s km.") % {"n": rules.MIN_RADIUS_KM})
        elif trouble == "too_large":
            _problem(problems, "within_km", "too_large",
                     _("The distance is at most %(n)s km: for a wider search leave the place "
                       "empty.") % {"n": rules.MAX_RADIUS_KM})
        elif centre is None and not any(p["field"] in {"place", "lat", "lon"}
                                        for p in problems):
            _problem(problems, "place", "required",
                     _("Choose a place (or use your location) to search by distance."))
    if problems:
        raise SearchRefused(problems)
    if centre is not None and within_km is None:
        within_km = float(rules.DEFAULT_RADIUS_KM)
    return ClassSearch(occupation_ids=occupation_ids, occupation_name=occupation_name,
                       level_code=level, subsidized=subsidized, key_group=key_group,
                       date_from=date_from, date_to=date_to, place=centre,
                       within_km=within_km, today=today)


def _place(problems: list, *, place: str, lat: float | None, lon: float | None,
           ) -> Place | None:
    place = (place or "").strip()
    if lat is not None or lon is not None:
        if place:
            _problem(problems, "place", "both",
                     _("Give either a place or a position (latitude and longitude), not both."))
            return None
        if lat is None or lon is None:
            _problem(problems, "lat" if lat is None else "lon", "required",
                     _("A position needs both latitude and longitude."))
            return None
        if not rules.in_china(lat, lon):
            _problem(problems, "lat", "outside",
                     _("The position is outside China (latitude 3–54, longitude 73–136)."))
            return None
        return Place(lat=lat, lon=lon, name=_("Your location"))
    if not place:
        return None
    if not place.isdigit() or len(place) not in (6, 9, 12):
        _problem(problems, "place", "unknown",
                 _("Unknown place %(code)s: choose a county, town or village from the list.")
                 % {"code": place[:20]})
        return None
    region = registry.region_list(actor=None).filter(code=place).first()
    if region is None:
        _problem(problems, "place", "unknown",
                 _("Unknown place %(code)s: choose a county, town or village from the list.")
                 % {"code": place})
        return None
    if region.latitude is None or region.longitude is None:
        _problem(problems, "place", "no_position",
                 _("%(name)s has no known position; choose a place near it.")
                 % {"name": region.name})
        return None
    return Place(lat=float(region.latitude), lon=float(region.longitude), name=region.name,
                 code=region.code)


# --- classes ---------------------------------------------------------------------------------

def _filtered(search: ClassSearch) -> QuerySet:
    """Public classes matching the search (distance aside): open or upcoming from the first
    date on."""
    qs = training.public_classes().filter(end_date__gte=search.starts_from)
    if search.date_to:
        qs = qs.filter(start_date__lte=search.date_to)
    if search.occupation_ids:
        qs = qs.filter(occupation_id__in=search.occupation_ids)
    if search.level_code:
        qs = qs.filter(level__code=search.level_code)
    if search.subsidized is True:
        qs = qs.filter(funding_source__in=sorted(rules.PUBLIC_FUNDS))
    elif search.subsidized is False:
        qs = qs.exclude(funding_source__in=sorted(rules.PUBLIC_FUNDS))
    if search.key_group:
        # Classes a member of the group may join: those for the group and those open to all.
        qs = qs.filter(target_group__in=[search.key_group, ""])
    if search.place is not None:
        box = rules.bounding_box(search.place.lat, search.place.lon, search.within_km)
        qs = qs.filter(site__latitude__gte=_dec(box.south), site__latitude__lte=_dec(box.north),
                       site__longitude__gte=_dec(box.west), site__longitude__lte=_dec(box.east))
    return qs


def _dec(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


@dataclass
class ClassCard:
    """One class as the public sees it in a list or on the map."""

    id: int
    name: str
    url: str
    institution_id: int
    institution_name: str
    site_id: int
    site_name: str
    site_address: str
    region_code: str
    region_name: str
    latitude: float
    longitude: float
    occupation_code: str
    occupation_name: str
    level_code: str
    level_name: str
    training_type: str
    training_type_label: str
    target_group: str
    target_group_label: str
    order_form_label: str
    subsidized: bool
    start_date: dt.date
    end_date: dt.date
    required_hours: Decimal
    planned_size: int
    places_left: int | None
    delivery: str
    phase: str  # "upcoming" | "in_session"
    phase_label: str
    distance_km: float | None = None


@dataclass
class ClassPage:
    count: int
    offset: int
    limit: int
    items: list[ClassCard]

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.count

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def _ranked_by_distance(qs: QuerySet, search: ClassSearch) -> list[tuple[float, dt.date, int]]:
    """(distance, start, id) of every class within the radius, nearest first."""
    place, radius = search.place, search.within_km
    found = []
    for pk, lat, lon, start in qs.values_list("pk", "site__latitude", "site__longitude",
                                               "start_date"):
        d = rules.distance_km(place.lat, place.lon, float(lat), float(lon))
        if d <= radius:
            found.append((d, start, pk))
    found.sort()
    return found


def class_search(search: ClassSearch, *, offset: int = 0, limit: int = PAGE_SIZE) -> ClassPage:
    """A page of public classes matching the search: nearest first with a place, else the
    soonest first."""
    qs = _filtered(search)
    distances: dict[int, float] = {}
    if search.place is not None:
        ranked = _ranked_by_distance(qs, search)
        count = len(ranked)
        window = ranked[offset:offset + limit]
        ids = [pk for _d, _s, pk in window]
        distances = {pk: d for d, _s, pk in window}
    else:
        count = qs.count()
        ids = list(qs.order_by("start_date", "pk").values_list("pk", flat=True)
                   [offset:offset + limit])
    return ClassPage(count=count, offset=offset, limit=limit,
                     items=_cards(ids, distances, search.today))


def _cards(ids: list[int], distances: dict[int, float], today: dt.date) -> list[ClassCard]:
    if not ids:
        return []
    rows = {c.pk: c for c in training.public_classes().filter(pk__in=ids).select_related(
        "institution", "site", "region", "occupation", "level")}
    enrolled = training.public_enrolled_counts(ids)
    cards = []
    for pk in ids:
        c = rows.get(pk)
        if c is not None:
            cards.append(_card(c, enrolled.get(pk, 0), distances.get(pk), today))
    return cards


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _card(c, enrolled: int, distance: float | None, today: dt.date) -> ClassCard:
    upcoming = c.start_date > today
    return ClassCard(
        id=c.pk, name=c.name, url=reverse("portal:site_class", args=[c.pk]),
        institution_id=c.institution_id, institution_name=c.institution.name,
        site_id=c.site_id, site_name=c.site.name, site_address=c.site.address,
        region_code=c.region.code, region_name=c.region.name,
        latitude=float(c.site.latitude), longitude=float(c.site.longitude),
        occupation_code=c.occupation.code or "", occupation_name=c.occupation.name,
        level_code=c.level.code, level_name=c.level.name,
        training_type=c.training_type, training_type_label=_label(TrainingType, c.training_type),
        target_group=c.target_group, target_group_label=(
            _label(KeyGroup, c.target_group) if c.target_group else _("Open to all")),
        order_form_label=_label(OrderForm, c.order_form) if c.order_form else "",
        subsidized=rules.is_subsidized(c.funding_source),
        start_date=c.start_date, end_date=c.end_date, required_hours=c.required_hours,
        planned_size=c.planned_size, places_left=max(0, c.planned_size - enrolled),
        delivery=c.delivery,
        phase="upcoming" if upcoming else "in_session",
        phase_label=_("Upcoming") if upcoming else _("In session"),
        distance_km=round(distance, 1) if distance is not None else None,
    )


# --- the map's sites -------------------------------------------------------------------------

@dataclass
class SiteMarker:
    id: int
    name: str
    address: str
    institution_id: int
    institution_name: str
    region_name: str
    latitude: float
    longitude: float
    classes: int
    distance_km: float | None = None


@dataclass
class RegionMarker:
    """Matching sites and classes of one county, drawn as one marker (the province-wide map)."""

    code: str
    name: str
    latitude: float
    longitude: float
    sites: int
    classes: int


@dataclass
class SitePage:
    """The map's markers. `mode` "sites": one marker per site (`items`, a page of them) around
    a place; "regions": one marker per county (`regions`, all of them) for a search with no
    place or wider than REGIONS_ABOVE_KM, with no site rows read. `count` is the number of
    matching sites in both modes."""

    count: int
    offset: int
    limit: int
    items: list[SiteMarker]
    mode: str = "sites"
    regions: list[RegionMarker] = field(default_factory=list)


REGIONS_ABOVE_KM = 50.0  # a search wider than this is answered per county


def site_map(search: ClassSearch, *, offset: int = 0, limit: int = MAX_MARKERS) -> SitePage:
    """The sites holding at least one class that matches the search, with how many; nearest
    first with a place. With no place (or a radius above REGIONS_ABOVE_KM): per county
    (`site_map_regions`), the answer whose cost does not grow with the number of sites."""
    if search.place is None or (search.within_km or 0) > REGIONS_ABOVE_KM:
        return site_map_regions(search)
    qs = _filtered(search)
    # Counted here rather than by GROUP BY: SQLite would walk the whole table along the
    # site_id index to group, instead of reading the few public classes by status.
    per_site = Counter(qs.order_by().values_list("site_id", flat=True))
    if not per_site:
        return SitePage(0, offset, limit, [])
    # The public sites in the search's box read and matched here: an IN list of thousands of
    # ids is far slower on SQLite than reading the short rows of the box.
    sites = registry.site_list(actor=None).order_by()
    box = rules.bounding_box(search.place.lat, search.place.lon, search.within_km)
    sites = sites.filter(latitude__gte=_dec(box.south), latitude__lte=_dec(box.north),
                         longitude__gte=_dec(box.west), longitude__lte=_dec(box.east))
    markers = []
    for pk, name, address, org_id, org_name, region_name, lat, lon in sites.values_list(
            "pk", "name", "address", "organization_id", "organization__name", "region__name",
            "latitude", "longitude"):
        if pk not in per_site:
            continue
        marker = SiteMarker(pk, name, address, org_id, org_name, region_name, float(lat),
                            float(lon), per_site[pk])
        marker.distance_km = round(rules.distance_km(
            search.place.lat, search.place.lon, marker.latitude, marker.longitude), 1)
        if marker.distance_km > search.within_km:
            continue
        markers.append(marker)
    markers.sort(key=lambda m: (m.distance_km, m.id))
    return SitePage(len(markers), offset, limit, markers[offset:offset + limit])


def site_map_regions(search: ClassSearch) -> SitePage:
    """The matching sites and classes per county: one read of the matching public classes'
    (site, region) ids (by the status/end-date index; a few thousand short rows at tier L),
    nothing per site. A class's region is its site's (training declares it so). A county's
    marker sits at its seat (the registry's coordinates), else at the mean of its sites. With
    a place, only sites within the radius count (their coordinates are read then)."""
    # The public scope of the sites as a correlated EXISTS: SQLite keeps reading the classes by
    # the status/end-date index (an IN (subquery) or a GROUP BY makes it walk the site_id
    # index over the whole table: 5–10 times slower at tier M).
    qs = _filtered(search).filter(Exists(
        registry.site_list(actor=None).order_by().filter(pk=OuterRef("site_id")))).order_by()
    per_site: dict[int, list] = {}  # site id -> [region id, classes]
    if search.place is None:
        for site_id, region_id in qs.values_list("site_id", "region_id"):
            row = per_site.get(site_id)
            if row is None:
                per_site[site_id] = [region_id, 1]
            else:
                row[1] += 1
    else:
        for site_id, region_id, lat, lon in qs.values_list(
                "site_id", "region_id", "site__latitude", "site__longitude"):
            row = per_site.get(site_id)
            if row is None:
                if rules.distance_km(search.place.lat, search.place.lon, float(lat),
                                     float(lon)) <= search.within_km:
                    per_site[site_id] = [region_id, 1]
            else:
                row[1] += 1
    if not per_site:
        return SitePage(0, 0, 0, [], mode="regions")
    codes = dict(registry.region_list(actor=None).filter(
        pk__in={r for r, _n in per_site.values()}).values_list("pk", "code"))
    counties: dict[str, list] = {}  # code -> [sites, classes, site ids]
    for site_id, (region_id, n) in per_site.items():
        c = counties.setdefault(codes.get(region_id, "")[:6], [0, 0, []])
        c[0] += 1
        c[1] += n
        c[2].append(site_id)
    known = {code: (name, lat, lon) for code, name, lat, lon in registry.region_list(
        actor=None).filter(code__in=list(counties)).values_list(
        "code", "name", "latitude", "longitude")}
    regions = []
    for code, (sites, classes, site_ids) in counties.items():
        name, lat, lon = known.get(code, (code, None, None))
        if lat is None or lon is None:  # rare: a county without its seat's coordinates
            points = list(registry.site_list(actor=None).filter(pk__in=site_ids[:500])
                          .values_list("latitude", "longitude"))
            lat = sum(float(p[0]) for p in points) / len(points)
            lon = sum(float(p[1]) for p in points) / len(points)
        regions.append(RegionMarker(code=code, name=name, sites=sites, classes=classes,
                                    latitude=round(float(lat), 6),
                                    longitude=round(float(lon), 6)))
    regions.sort(key=lambda r: (-r.classes, r.code))
    total = sum(r.sites for r in regions)
    return SitePage(total, 0, 0, [], mode="regions", regions=regions)


# --- one class -------------------------------------------------------------------------------

@dataclass
class ClassDetail:
    card: ClassCard
    institution_address: str
    institution_phone: str  # a landline or service number only (rules.public_phone)
    institution_type: str
    sessions: list
    online_share: Decimal
    subsidy: dict | None  # the standard in force: amount, hours, shares, citation
    funding_label: str
    training_type_label: str


def class_detail(pk: int, *, today: dt.date | None = None) -> ClassDetail:
    """A public class with how to enrol; NotFound for a class the public does not see (a
    declaration under review, a finished or cancelled class) exactly like a missing one."""
    today = today or timezone.localdate()
    c = (training.public_classes().filter(pk=pk)
         .select_related("institution", "site", "region", "occupation", "level").first())
    if c is None:
        raise NotFound()
    enrolled = training.public_enrolled_counts([c.pk]).get(c.pk, 0)
    sessions = training.class_sessions(actor=None, training_class=c)
    answer = catalog.subsidy_standard_as_of(c.occupation, c.level, c.region, c.training_type,
                                            c.start_date)
    subsidy = None
    if answer is not None:
        e = answer.entry
        subsidy = {"amount": e.amount, "required_hours": e.required_hours,
                   "government_share": _percent(e.government_share),
                   "enterprise_share": _percent(e.enterprise_share),
                   "individual_share": _percent(e.individual_share),
                   "citation": answer.citation, "catalog_id": answer.catalog_id}
    inst = c.institution
    return ClassDetail(
        card=_card(c, enrolled, None, today), institution_address=inst.address,
        institution_phone=inst.contact_phone if rules.is_public_phone(inst.contact_phone)
        else "",
        institution_type=inst.get_institution_type_display() if inst.institution_type else "",
        sessions=sessions[:60], online_share=c.online_share, subsidy=subsidy,
        funding_label=_label(FundingSource, c.funding_source),
        training_type_label=_label(TrainingType, c.training_type))


def _percent(share) -> int | None:
    return None if share is None else round(Decimal(share) * 100)

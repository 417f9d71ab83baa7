"""Reads for the overview page and the public home page, scoped to the actor.

The overview counts organizations, training sites, persons and key groups of one region (the
"focus": the actor's own region by default, `?region=` to drill down), broken down by the
regions one level below it. Every figure comes from a handful of grouped queries over the
registry's scoped selectors — grouped by the 6-digit county part of the region code and rolled
up here — so the number of queries does not grow with the number of regions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.catalog import selectors as catalog
from jineng.core import hooks
from jineng.core.errors import NotFound
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry
from jineng.registry.choices import InstitutionType, KeyGroup, OrganizationKind, RegionLevel
from jineng.training import selectors as training
from jineng.training.choices import ClassStatus


def public_stats() -> dict:
    return {
        "institutions": registry.organization_list(actor=None).count(),
        "sites": registry.site_list(actor=None).count(),
    }


@dataclass
class RegionRow:
    """One row of the region table: a region below the focus (or the focus's own level)."""

    code: str
    name: str
    drillable: bool
    own_level: bool = False  # records kept at the focus region itself (本级)
    organizations: int = 0
    training: int = 0
    evaluation: int = 0
    enterprises: int = 0
    sites: int = 0
    capacity: int = 0
    persons: int = 0

    @property
    def empty(self) -> bool:
        return not (self.organizations or self.sites or self.persons)


@dataclass
class Overview:
    focus: object | None  # Region, or None for the whole country
    breadcrumbs: list = field(default_factory=list)  # Regions above the focus, top first
    rows: list[RegionRow] = field(default_factory=list)
    totals: RegionRow | None = None
    by_type: list[dict] = field(default_factory=list)  # training institutions by type
    key_groups: list[dict] = field(default_factory=list)
    sees_persons: bool = False

    def chart_data(self) -> dict:
        """What the charts draw (passed to the page with json_script)."""
        rows = self.rows
        return {
            "regions": {
                "codes": [r.code for r in rows],
                "names": [r.name for r in rows],
                "drill": [r.drillable for r in rows],
                "organizations": [r.organizations for r in rows],
                "sites": [r.sites for r in rows],
                "persons": [r.persons for r in rows] if self.sees_persons else None,
            },
            "labels": {
                "organizations": _("Organizations"),
                "sites": _("Training sites"),
                "persons": _("Registered persons"),
                "drill_hint": _("Click a bar to see the regions inside it."),
            },
            "types": [{"name": t["label"], "value": t["n"]} for t in self.by_type],
            "groups": {"names": [g["label"] for g in self.key_groups],
                       "values": [g["n"] for g in self.key_groups]},
        }


def _focus(actor, region_code: str | None):
    """The region the overview is about. Staff start at their own region and may go down,
    never up or sideways (outside their region answers NotFound, like a missing code); other
    users start at the whole country and may choose any region (their counts stay scoped)."""
    scope = scope_of(actor)
    if not region_code:
        if scope.region_prefix is not None:
            return actor.region
        return None
    region = registry.region_get(actor=actor, code=region_code)
    if region.level not in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY):
        raise NotFound()
    if scope.region_prefix is not None and not region.code.startswith(scope.region_prefix):
        raise NotFound()
    return region


def _breadcrumbs(actor, focus) -> list:
    if focus is None:
        return []
    codes = {focus.code[:2] + "0000", focus.code[:4] + "00"} - {focus.code}
    scope = scope_of(actor)
    crumbs = registry.region_list(actor=actor).filter(code__in=codes).order_by("code")
    # Staff see the path only from their own region down.
    if scope.region_prefix is not None:
        crumbs = crumbs.filter(code__startswith=scope.region_prefix)
    return list(crumbs)


def overview(*, actor, region_code: str | None = None) -> Overview:
    """The overview of one region for an actor; counts only what the actor may see."""
    scope = scope_of(actor)
    focus = _focus(actor, region_code)
    prefix = focus.scope_prefix if focus is not None else ""
    result = Overview(focus=focus, breadcrumbs=_breadcrumbs(actor, focus),
                      sees_persons=scope.sees_persons or scope.everything)

    # The rows: regions one level below the focus (a county has none: its own row only).
    if focus is None:
        children = registry.region_list(actor=actor, level=RegionLevel.PROVINCE)
    elif focus.level == RegionLevel.COUNTY:
        children = registry.region_list(actor=actor).filter(pk=focus.pk)
    else:
        children = registry.region_list(actor=actor, parent_code=focus.code)
    rows = {c.scope_prefix: RegionRow(code=c.code, name=c.name,
                                      drillable=c.level in (RegionLevel.PROVINCE,
                                                            RegionLevel.CITY))
            for c in children.only("code", "name", "level")}
    own = (RegionRow(code=focus.code, name=_("%(name)s (own level)") % {"name": focus.name},
                     drillable=False, own_level=True) if focus is not None else None)

    def row_for(code6: str) -> RegionRow | None:
        """The row a record in county-level region `code6` counts in."""
        for key in (code6[:2], code6[:4], code6):
            if key in rows:
                return rows[key]
        return own if focus is not None and code6.startswith(prefix) else None

    county_part = Substr("region__code", 1, 6)

    def grouped(qs, *fields, **aggregates):
        if prefix:
            qs = qs.filter(region__code__startswith=prefix)
        return (qs.order_by().annotate(code6=county_part)
                .values("code6", *fields).annotate(**aggregates))

    by_type: dict[str, int] = {}
    kind_field = {OrganizationKind.TRAINING: "training",
                  OrganizationKind.EVALUATION: "evaluation",
                  OrganizationKind.ENTERPRISE: "enterprises"}
    for g in grouped(registry.organization_list(actor=actor), "kind", "institution_type",
                     n=Count("id")):
        row = row_for(g["code6"])
        if row is not None:
            row.organizations += g["n"]
            name = kind_field.get(g["kind"])
            if name:
                setattr(row, name, getattr(row, name) + g["n"])
        if g["kind"] == OrganizationKind.TRAINING and g["institution_type"]:
            by_type[g["institution_type"]] = by_type.get(g["institution_type"], 0) + g["n"]
    for g in grouped(registry.site_list(actor=actor), n=Count("id"), cap=Sum("capacity")):
        row = row_for(g["code6"])
        if row is not None:
            row.sites += g["n"]
            row.capacity += g["cap"] or 0
    key_groups: dict[str, int] = {}
    if result.sees_persons:
        persons = registry.person_list(actor=actor)
        for g in grouped(persons, n=Count("id")):
            row = row_for(g["code6"])
            if row is not None:
                row.persons += g["n"]
        if prefix:
            persons = persons.filter(region__code__startswith=prefix)
        # One inner join person → membership (the filter's join is reused by values()).
        for g in (persons.order_by().filter(key_groups__isnull=False)
                  .values("key_groups__group").annotate(n=Count("id", distinct=True))):
            key_groups[g["key_groups__group"]] = g["n"]

    table = list(rows.values())
    if focus is None:  # the whole country: only provinces with something in them
        table = [r for r in table if not r.empty]
    if own is not None and not own.empty:
        table.append(own)
    result.rows = table
    totals = RegionRow(code=focus.code if focus else "", name=_("Total"), drillable=False)
    for r in table:
        for name in ("organizations", "training", "evaluation", "enterprises", "sites",
                     "capacity", "persons"):
            setattr(totals, name, getattr(totals, name) + getattr(r, name))
    result.totals = totals
    result.by_type = [{"type": t, "label": str(InstitutionType(t).label), "n": by_type[t]}
                      for t in InstitutionType.values if by_type.get(t)]
    result.key_groups = [{"group": g, "label": str(KeyGroup(g).label),
                          "n": key_groups.get(g, 0)} for g in KeyGroup.values]
    return result


# --- the role's work (the top of the landing page) ---------------------------------------------

@dataclass
class WorkItem:
    """One figure of a role's work, linked to the filtered list it counts; `rows` are the
    first few records behind it (each with a `url` and a `label`)."""

    key: str
    label: str
    count: int
    url: str
    rows: list[dict] = field(default_factory=list)
    note: str = ""


@dataclass
class Work:
    """What the landing page puts first for the user's role."""

    role: str
    title: str
    items: list[WorkItem] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)  # what else the role can open today
    intro: str = ""
    sector: str = ""  # an industry department's sector (its targets go first)


ROWS = 5  # records listed under a figure


def _class_rows(classes, *, note=None) -> list[dict]:
    return [{"url": reverse("training:class_detail", args=[c.pk]),
             "label": f"{c.name} · {c.institution.name}",
             "sub": f"{c.start_date:%Y-%m-%d} – {c.end_date:%Y-%m-%d} · {c.region.name}",
             "note": note(c) if note else ""} for c in classes[:ROWS]]


def _class_list_url(status: str = "") -> str:
    url = reverse("training:class_list")
    return f"{url}?status={status}" if status else url


def _today_item(actor) -> WorkItem:
    board = training.today_board(actor=actor)
    return WorkItem(
        key="today", label=_("Classes in session today"), count=len(board),
        url=reverse("training:today"),
        rows=[{"url": reverse("training:class_detail", args=[r["training_class"].pk]),
               "label": r["training_class"].name,
               "sub": _("%(start)s–%(end)s · %(in)s of %(enrolled)s checked in") % {
                   "start": f"{timezone.localtime(r['session'].starts_at):%H:%M}",
                   "end": f"{timezone.localtime(r['session'].ends_at):%H:%M}",
                   "in": r["checked_in"], "enrolled": r["enrolled"]},
               "note": ""} for r in board[:ROWS]])


def _status_item(actor, key: str, status: str, label: str, **kwargs) -> WorkItem:
    classes = training.class_list(actor=actor, status=status).order_by("start_date", "id")
    return WorkItem(key=key, label=label, count=classes.count(), url=_class_list_url(status),
                    rows=_class_rows(classes, **kwargs))


def _institution_work(actor) -> list[WorkItem]:
    short = training.trainees_short_of_hours(actor=actor)
    short_item = WorkItem(
        key="short", label=_("Trainees short of hours"),
        count=sum(len(s.rows) for s in short), url=_class_list_url(ClassStatus.OPEN),
        rows=[{"url": reverse("training:class_detail", args=[s.training_class.pk]),
               "label": s.training_class.name,
               "sub": _("%(n)s trainees below %(share)s%% of the %(held)s hours held") % {
                   "n": len(s.rows), "held": s.held_hours,
                   "share": int(s.training_class.min_attendance_share * 100)},
               "note": ""} for s in short[:ROWS]])
    return [
        _today_item(actor),
        _status_item(actor, "returned", ClassStatus.RETURNED,
                     _("Returned for correction: edit and resubmit")),
        _status_item(actor, "declared", ClassStatus.DECLARED,
                     _("Declarations waiting for review")),
        short_item,
        _status_item(actor, "approved", ClassStatus.APPROVED, _("Approved, not yet open")),
    ]


def _hrss_work(actor) -> list[WorkItem]:
    waiting = training.classes_waiting_review(actor=actor)
    resubmitted = _("resubmitted after a return")
    items = [
        WorkItem(key="review", label=_("Declarations waiting for your review"),
                 count=waiting.count(), url=reverse("training:review_queue"),
                 rows=_class_rows(waiting, note=lambda c: resubmitted if c.resubmitted else "")),
        _status_item(actor, "returned", ClassStatus.RETURNED,
                     _("Returned for correction, waiting for the institution")),
        _today_item(actor),
    ]
    filings = catalog.filings_awaiting(actor=actor).count()
    if filings:
        items.append(WorkItem(key="filings", label=_("Catalog filings in review"),
                              count=filings, url=reverse("catalog:manage")))
    return items


def _demand_list_items(actor) -> list[WorkItem]:
    """Work the apps of the portal's layer publish through core.hooks.work_items (the demand
    app: an enterprise's demand lists to file and to correct)."""
    return [WorkItem(**item) for _name, items in hooks.work_items.call(actor=actor)
            for item in items]


def work(*, actor) -> Work:
    """The work of the actor's role, scoped through the apps' selectors."""
    role = getattr(actor, "role", "")
    if getattr(actor, "is_superuser", False) or role == Role.SYSTEM_ADMIN:
        return Work(role="admin", title=_("Waiting in the whole system"),
                    items=_hrss_work(actor),
                    links=[{"url": reverse("admin:index"), "label": _("Administration")},
                           {"url": reverse("jobs:job_list"), "label": _("Background jobs")}])
    if role == Role.TRAINING_OPERATOR:
        return Work(role="institution", title=_("Your institution's work"),
                    items=_institution_work(actor),
                    links=[{"url": reverse("training:class_declare"),
                            "label": _("Declare a class")},
                           {"url": reverse("training:teacher_list"), "label": _("Teachers")}])
    if role in (Role.PROVINCE_STAFF, Role.CITY_STAFF, Role.COUNTY_STAFF):
        return Work(role="hrss", title=_("Waiting for your office"), items=_hrss_work(actor))
    if role == Role.INDUSTRY_STAFF:
        classes = training.class_list(actor=actor).order_by("-start_date", "id")
        running = classes.filter(status=ClassStatus.OPEN)
        return Work(role="industry", title=_("Your sector"), sector=actor.sector, items=[
            WorkItem(key="sector-open", label=_("Classes of your sector running"),
                     count=running.count(), url=_class_list_url(ClassStatus.OPEN),
                     rows=_class_rows(running)),
            WorkItem(key="sector-all", label=_("All classes of your sector"),
                     count=classes.count(), url=_class_list_url()),
        ])
    if role == Role.ENTERPRISE:
        return Work(role="enterprise", title=_("Your order classes"), items=[
            *_demand_list_items(actor),
            _status_item(actor, "orders-open", ClassStatus.OPEN, _("Order classes running")),
            _status_item(actor, "orders-approved", ClassStatus.APPROVED,
                         _("Order classes about to start")),
            _status_item(actor, "orders-declared", ClassStatus.DECLARED,
                         _("Order classes waiting for review")),
        ])
    if role == Role.INSPECTOR:
        return Work(role="inspector", title=_("What you can check today"),
                    intro=_("Inspections are not recorded in jineng yet: you can read the "
                            "classes of your region, today's attendance and the catalogs."),
                    items=[_today_item(actor)],
                    links=[{"url": _class_list_url(), "label": _("Classes")},
                           {"url": reverse("catalog:index"), "label": _("Catalogs")}])
    if role == Role.EVALUATION_OPERATOR:
        links = [{"url": reverse("assessment:sittings_list"),
                  "label": _("Assessment sittings")},
                 {"url": reverse("catalog:index"), "label": _("Catalogs")},
                 {"url": reverse("catalog:lookup"), "label": _("Look up a standard")}]
        if getattr(actor, "organization_id", None):
            links.insert(1, {"url": reverse("registry:organization_detail",
                                            args=[actor.organization_id]),
                             "label": _("Your organization")})
        return Work(role="evaluation", title=_("What you can do today"),
                    intro=_("Declare your assessment sittings, add their candidates and "
                            "examiners, and enter results; read your organization's record "
                            "and the catalogs you are listed in."),
                    links=links)
    return Work(role="", title="")

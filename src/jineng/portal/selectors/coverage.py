"""Reads of the 30-minute circle: runs, their shares, gaps and axis check, the map's data,
population areas, placement proposals and their export; and the public summary (the latest
finished run's shares per county, nothing per area)."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.templatetags.static import static
from django.utils.translation import gettext as _

from jineng.core.errors import NotFound
from jineng.core.scoping import scope_of
from jineng.core.tabular import write_xlsx
from jineng.plans import selectors as plans
from jineng.portal.models.coverage import (
    CoverageRun,
    Designation,
    PlacementProposal,
    PopulationArea,
    PopulationCount,
    RunStatus,
)
from jineng.registry import selectors as registry

SHARE_COLOURS = ((0.95, "#1f7a1f"), (0.80, "#8cbf3f"), (0.60, "#e09b2d"), (0.0, "#c0392b"))
PAGE_GAPS = 200


def share_colour(share: float | None) -> str:
    if share is None:
        return "#c9d2dc"
    for floor, colour in SHARE_COLOURS:
        if share >= floor:
            return colour
    return SHARE_COLOURS[-1][1]


def coverage_run_list(*, actor, region_code: str | None = None) -> QuerySet[CoverageRun]:
    qs = CoverageRun.objects.visible_to(actor).select_related("region")
    if scope_of(actor).public:
        return qs.none()
    if region_code:
        qs = qs.filter(region__code=region_code)
    return qs.defer("counties", "towns", "gaps", "axis")


def coverage_run_get(*, actor, pk: int) -> CoverageRun:
    if scope_of(actor).public:
        raise NotFound()
    run = CoverageRun.objects.visible_to(actor).select_related("region").filter(pk=pk).first()
    if run is None:
        raise NotFound()
    return run


def population_area_list(*, actor, region_code: str | None = None,
                         q: str = "") -> QuerySet[PopulationArea]:
    qs = PopulationArea.objects.visible_to(actor).select_related("county")
    if region_code:
        qs = qs.filter(county__code__startswith=registry.subtree_prefix(region_code))
    if q:
        qs = qs.filter(name__contains=q[:50]) | qs.filter(code__startswith=q[:20])
    return qs


def population_years(*, actor, region_code: str | None = None) -> list[dict]:
    """Years with population in the actor's scope: areas, people and sources per year."""
    qs = PopulationCount.objects.visible_to(actor)
    if region_code:
        qs = qs.filter(area__county__code__startswith=registry.subtree_prefix(region_code))
    return list(qs.values("year", "source_kind").annotate(areas=Count("id"))
                .order_by("-year", "source_kind"))


def placement_list(*, actor, run: CoverageRun) -> QuerySet[PlacementProposal]:
    return PlacementProposal.objects.visible_to(actor).filter(run=run)


def placement_get(*, actor, pk: int) -> PlacementProposal:
    proposal = (PlacementProposal.objects.visible_to(actor).select_related("run__region")
                .filter(pk=pk).first())
    if proposal is None:
        raise NotFound()
    return proposal


def axis_summary(run: CoverageRun) -> list[dict]:
    """Per designation: how many places, how many within reach."""
    out = []
    for code, label in Designation.choices:
        if not code:
            continue
        rows = [a for a in run.axis if a["designation"] == code]
        out.append({"designation": code, "label": str(label), "places": len(rows),
                    "covered": sum(1 for a in rows if a["covered"]),
                    "missing": [a for a in rows if not a["covered"]]})
    return out


def coverage_map(run: CoverageRun, *, gaps: bool = True) -> dict:
    """The map's data: counties as circles coloured by share, the gaps as red points, over the
    province's boundary file (offline, the plans map's china-geojson) when there is one."""
    counties = {r.code: r for r in registry.region_list(actor=None).filter(
        code__in=[c["code"] for c in run.counties])}
    points = []
    for c in run.counties:
        region = counties.get(c["code"])
        if region is None or region.longitude is None:
            continue
        points.append({"code": c["code"], "name": c["name"], "share": c["share"],
                       "population": c["population"], "covered": c["covered"],
                       "lon": float(region.longitude), "lat": float(region.latitude),
                       "color": share_colour(c["share"])})
    path = plans.boundary_file(run.region.code)
    return {
        "points": points,
        "gaps": [{"name": g["name"], "lon": g["lon"], "lat": g["lat"],
                  "population": g["population"], "minutes": g["minutes"]}
                 for g in run.gaps[:5000]] if gaps else [],
        "geojson": static(path) if path else "",
        "mapName": f"jineng-coverage-{run.region.code[:2]}",
        "labels": {"share": _("Share within %(n)s minutes") % {"n": run.threshold_minutes},
                   "gap": _("Beyond %(n)s minutes") % {"n": run.threshold_minutes},
                   "minutes": _("minutes"), "population": _("Population")},
    }


def public_coverage_summary() -> CoverageRun | None:
    """The latest finished run of the widest region (a province's before a city's), for the
    public page: its shares per county. None before the first run."""
    qs = CoverageRun.objects.visible_to(None).filter(status=RunStatus.SUCCEEDED)
    for level in ("province", "city", "county"):
        run = (qs.filter(region__level=level).select_related("region")
               .defer("towns", "axis").order_by("-finished_at", "-id").first())
        if run is not None:
            return run
    return None


def placement_export(*, actor, proposal: PlacementProposal) -> bytes:
    """The proposal as an Excel workbook (text cells stay text: codes keep their zeros)."""
    placement_get(actor=actor, pk=proposal.pk)
    headers = [_("Rank"), _("Place"), _("Area code"), _("Longitude"), _("Latitude"),
               _("Population newly covered"), _("Cumulative")]
    rows = [[c["rank"], c["name"], c["area_code"], f"{c['lon']:.6f}", f"{c['lat']:.6f}",
             c["gain"], c["cumulative"]] for c in proposal.choices]
    return write_xlsx(_("Placement proposal"), headers, rows)

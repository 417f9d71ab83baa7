"""What the progress dashboard shows, shaped for the template and the charts (selectors only).

`summary` is what the dashboard and the landing page (portal overview) share: the period
elapsed, the headline targets with their bars and the regions below on the map. `build` adds
the rest of the dashboard.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from jineng.plans import selectors
from jineng.plans.choices import DIMENSION_LABELS
from jineng.plans.rules import geo
from jineng.plans.rules import progress as rules
from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.quarters import last_closed_quarter
from jineng.registry.choices import RegionLevel

if TYPE_CHECKING:
    from jineng.plans.models import Plan, Target
    from jineng.registry.models import Region

# Boundaries: the npm package china-geojson 1.0.0 (AntV, MIT; pinned in package-lock.json,
# served from node_modules as vendor/china-geojson, see settings.STATICFILES_DIRS): one file
# src/geojson/<name>_geo.json per province with its cities (prefecture level) as features,
# plain lon/lat. Its index.js maps the provinces' short names to these files. The four
# municipalities (11, 12, 31, 50) are left out: their files hold districts, not the city-level
# units below the province in our table, so they get the seats' circles. Orientation only, not
# an approved standard map (see docs/plans.md, "The map").
GEOJSON_STATIC_DIR = "vendor/china-geojson"
PROVINCE_GEOJSON_FILES = {
    "13": "he_bei", "14": "shan_xi_2", "15": "nei_meng_gu", "21": "liao_ning",
    "22": "ji_lin", "23": "hei_long_jiang", "32": "jiang_su", "33": "zhe_jiang",
    "34": "an_hui", "35": "fu_jian", "36": "jiang_xi", "37": "shan_dong", "41": "he_nan",
    "42": "hu_bei", "43": "hu_nan", "44": "guang_dong", "45": "guang_xi", "46": "hai_nan",
    "51": "si_chuan", "52": "gui_zhou", "53": "yun_nan", "54": "xi_zang",
    "61": "shan_xi_1", "62": "gan_su", "63": "qing_hai", "64": "ning_xia", "65": "xin_jiang",
}  # 陕西 is shan_xi_1, 山西 shan_xi_2 (as in the package's index.js)

STATUS_COLORS = {
    "done": "#1f7a1f", "ahead": "#3c9a3c", "on_track": "#8cbf3f", "met": "#3c9a3c",
    "behind": "#e09b2d", "below": "#d9534f", "far_behind": "#c0392b", "not_started": "#9aa5b1",
    "no_data": "#c9d2dc", "no_target": "#c9d2dc", "exceeded": "#c0392b",
}


status_label = selectors.status_label


def geojson_path(province_code: str) -> str | None:
    """The static path of the boundary file of the province a region code lies in, if any."""
    name = PROVINCE_GEOJSON_FILES.get(province_code[:2])
    return f"{GEOJSON_STATIC_DIR}/{name}_geo.json" if name else None


@functools.lru_cache(maxsize=64)
def province_features(path: str) -> tuple[geo.Feature, ...]:
    """The features of a boundary file, parsed once per process (the files are static)."""
    found = finders.find(path)
    if not found:
        return ()
    with open(found, encoding="utf-8") as handle:
        collection = json.load(handle)
    return tuple(geo.Feature(f.get("properties", {}).get("name", ""), f.get("geometry") or {})
                 for f in collection.get("features", []))


@functools.lru_cache(maxsize=256)
def _matches(path: str, places: tuple[geo.Place, ...]) -> dict[str, str]:
    features = province_features(path)
    return {code: features[i].name for code, i in geo.match_places(places, features).items()}


def feature_names(path: str, regions: Iterable[Region]) -> dict[str, str]:
    """Region code → the name of its feature in the boundary file (regions without one are
    left out). `regions` are the regions directly below one province, so that each feature
    goes to one of them."""
    places = tuple(geo.Place(r.code, r.name, _num(r.longitude), _num(r.latitude))
                   for r in regions)
    return dict(_matches(path, places))


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _legend() -> list[tuple[str, str]]:
    return [(status_label(s), STATUS_COLORS[s]) for s in
            ("done", "ahead", "on_track", "behind", "far_behind", "no_target")]


def summary(*, actor, plan: Plan, region: Region, as_of: dt.date) -> dict:
    """What the dashboard and the landing page share: the period elapsed, the headline targets
    (with their parts) and the regions directly below `region` with the map's data."""
    rows = selectors.progress(actor=actor, plan=plan, region=region, as_of=as_of)
    headline = [r for r in rows if not r.target.part_of]
    parts: dict[str, list] = {}
    for r in rows:
        if r.target.part_of:
            parts.setdefault(r.target.part_of, []).append(r)
    main = next((r.target for r in rows if r.target.kind == v.COUNT
                 and v.METRICS[r.target.metric].source == "facts"), None)
    elapsed = rules.elapsed_share(plan.period_start, plan.period_end or as_of, as_of)
    base_url = reverse("plans:dashboard", args=[plan.key])
    children = []
    if main is not None:
        for c in selectors.children_progress(actor=actor, plan=plan, region=region,
                                             target=main, as_of=as_of):
            children.append({
                "row": c, "code": c.region.code, "name": c.region.name,
                "status_label": status_label(c.progress.status),
                "url": f"{base_url}?region={c.region.code}&as_of={as_of.isoformat()}",
            })
    return {
        "plan": plan, "region": region, "as_of": as_of, "rows": rows, "main": main,
        "elapsed_percent": (elapsed * 100).quantize(Decimal("0.1")),
        "groups": [(r, parts.get(r.target.key, [])) for r in headline],
        "children": children,
        "dashboard_url": f"{base_url}?region={region.code}&as_of={as_of.isoformat()}",
        "region_map": region_map(region=region, main=main, children=children),
        "legend": _legend(),
    }


def build(*, actor, plan: Plan, region: Region, as_of: dt.date,
          org_id: int | None = None) -> dict:
    # An institution the actor may not open answers like a missing one before anything is
    # computed (the drill-down is asked for one institution at a time).
    institution = (None if org_id is None else
                   selectors.institution_get(actor=actor, plan=plan, region=region, pk=org_id))
    context = summary(actor=actor, plan=plan, region=region, as_of=as_of)
    rows, main, children = context["rows"], context["main"], context["children"]
    end = min(as_of, plan.period_end or as_of)
    breakdowns = {}
    trend = []
    institutions = []
    if main is not None:
        dims = ["sector", "key_group", "training_type"] + (["program"] if plan.programs else [])
        for dim in dims:
            items = selectors.breakdown(actor=actor, plan=plan, region=region,
                                        metric=main.metric, dimension=dim,
                                        start=main.period_start, end=end)
            if items:
                breakdowns[dim] = items
        trend = selectors.trend(actor=actor, plan=plan, region=region, metric=main.metric,
                                start=main.period_start, end=end)
        if not children:  # a county: its institutions
            institutions = selectors.institutions(actor=actor, plan=plan, region=region,
                                                  metric=main.metric, start=main.period_start,
                                                  end=end)

    institution_rows = []
    if org_id is not None:
        institution_rows = selectors.progress(
            actor=actor, plan=plan, region=region, as_of=as_of, organization_id=org_id,
            targets=[t for t in plan.targets.all()
                     if v.METRICS[t.metric].source == "facts" and t.kind == v.COUNT])

    reports = list(selectors.report_list(actor=actor, plan=plan).filter(region=region))
    year, quarter = last_closed_quarter(as_of)
    main_row = next((r for r in rows if main is not None and r.target.pk == main.pk), None)
    context.update({
        "path": selectors.region_path(plan=plan, region=region),
        "main_row": main_row,
        "behind": [r for r in rows if r.behind],
        "breakdowns": breakdowns,
        "institutions": institutions, "institution": institution,
        "institution_rows": institution_rows,
        "reports": reports, "report_year": year, "report_quarter": quarter,
        "chart_data": _chart_data(main=main, main_row=main_row, breakdowns=breakdowns,
                                  trend=trend),
        "breakdown_sections": [(dim, DIMENSION_LABELS[dim]) for dim in breakdowns],
    })
    return context


def region_map(*, region: Region, main: Target | None, children: list[dict]) -> dict:
    """The map of the regions below `region`, coloured by the status of the main target.

    `mode` says how it is drawn: "province" — the province's boundary file as an ECharts map
    series, each city's feature named after it (`nameMap`: the file's name → ours, for the
    cities renamed since the file was drawn); "city" — the city's own outline (`feature`) with
    the counties as circles at their seats; "points" — circles at the seats only (no file, or
    no feature matched)."""
    if main is None or not children:
        return {}
    points = []
    for c in children:
        row = c["row"]
        points.append({
            "code": c["code"], "name": c["name"], "url": c["url"],
            "lon": _num(row.region.longitude), "lat": _num(row.region.latitude),
            "target": _num(row.target_value), "actual": _num(row.actual),
            "percent": _num(row.percent), "status": row.progress.status,
            "status_label": c["status_label"],
            "color": STATUS_COLORS.get(row.progress.status, "#c9d2dc"),
        })
    data = {"mode": "points", "points": points, "geojson": "", "mapName": "",
            "nameMap": {}, "feature": "", "unplaced": [],
            "metric": v.METRICS[main.metric].name_zh,
            "labels": {"progress": _("Completion")}}
    path = geojson_path(region.code)
    if path is None or not province_features(path):
        return data
    if region.level == RegionLevel.PROVINCE:
        names = feature_names(path, [c["row"].region for c in children])
        if names:
            data.update(mode="province", geojson=static(path), mapName=f"jineng-{region.code}",
                        nameMap={names[p["code"]]: p["name"] for p in points
                                 if p["code"] in names},
                        unplaced=[p["name"] for p in points if p["code"] not in names])
            for p in points:
                p["feature"] = names.get(p["code"], "")
    elif region.level == RegionLevel.CITY and region.parent_id:
        # The city's feature, matched among all the cities of its province (one each).
        names = feature_names(path, selectors.child_regions(region.parent))
        if region.code in names:
            data.update(mode="city", geojson=static(path), mapName=f"jineng-{region.code}",
                        feature=names[region.code])
    return data


def _chart_data(*, main, main_row, breakdowns, trend) -> dict:
    if main is None:
        return {}
    cumulative = []
    running = Decimal(0)
    for month, value in trend:
        running += value
        cumulative.append({"month": month.strftime("%Y-%m"), "value": float(value),
                           "cumulative": float(running)})
    target_line = []
    if main_row is not None and main_row.target_value and trend:
        for point in cumulative:
            year, month = (int(x) for x in point["month"].split("-"))
            month_end = (dt.date(year + (month == 12), month % 12 + 1, 1)
                         - dt.timedelta(days=1))
            share = rules.elapsed_share(main.period_start, main.period_end,
                                        min(month_end, main.period_end))
            target_line.append(float(main_row.target_value * share))
    return {
        "breakdowns": {dim: [{"label": b.label, "actual": float(b.actual),
                              "target": _num(b.target_value)} for b in items]
                       for dim, items in breakdowns.items()},
        "trend": {"points": cumulative, "targetLine": target_line},
        "labels": {"actual": _("Actual"), "target": _("Target"),
                   "cumulative": _("Cumulative"), "monthly": _("Monthly"),
                   "straightLine": _("Straight line to target")},
    }

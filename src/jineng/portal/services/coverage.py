"""Imports of the 30-minute circle's inputs: population by area (census, gridded population,
household register) and travel-time matrices from a routing engine. HRSS staff, for the counties
they govern. Per-row report in the reader's language; a file with a bad row writes nothing
unless `skip_bad_rows`; sizes are checked before a byte is parsed.

Idempotence and conflicts: the same file sent twice counts once (its SHA-256 is kept); a row
equal to what is stored is `unchanged`; a different population for the same area and year (or
different minutes for the same area, site and mode) is a row conflict unless the row is marked
a correction (更正 = 是), which replaces the value and keeps the old one in the audit trail.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.importing import Column, ImportReport, RowInvalid, run_import
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.core.tabular import Row, check_file_size
from jineng.portal.models.coverage import (
    AreaKind,
    Designation,
    PopulationArea,
    PopulationCount,
    PopulationFile,
    PopulationSource,
    Terrain,
    TravelMode,
    TravelTime,
)
from jineng.registry import selectors as registry

MAX_ROWS = 100_000
MAX_AREA_POPULATION = 3_000_000  # more in one town or grid cell is a wrong number
MIN_YEAR, MAX_YEAR = 1950, 2100
MAX_MINUTES = Decimal(1440)

POPULATION_COLUMNS = (
    Column("area_code", "区域代码", required=True, max_length=20),
    Column("name", "名称", required=True, max_length=100),
    Column("kind", "类型", max_length=10),
    Column("county_code", "所属区县代码", max_length=12),
    Column("town_code", "所属乡镇代码", max_length=20),
    Column("town_name", "所属乡镇名称", max_length=100),
    Column("longitude", "经度", max_length=20),
    Column("latitude", "纬度", max_length=20),
    Column("terrain", "地形", max_length=10),
    Column("designation", "发展轴", max_length=15),
    Column("year", "年份", required=True, max_length=4),
    Column("population", "人口", required=True, max_length=12),
    Column("source_kind", "来源类型", required=True, max_length=10),
    Column("source", "来源说明", required=True, max_length=200),
    Column("correction", "更正", max_length=5),
)

MATRIX_COLUMNS = (
    Column("area_code", "区域代码", required=True, max_length=20),
    Column("site_id", "培训场所编号", required=True, max_length=12),
    Column("minutes", "分钟", required=True, max_length=10),
    Column("mode", "出行方式", required=True, max_length=10),
    Column("source", "来源说明", required=True, max_length=200),
    Column("correction", "更正", max_length=5),
)

YES = {"是", "y", "yes", "true", "1"}
NO = {"", "否", "n", "no", "false", "0"}


def may_manage_coverage(actor) -> bool:
    """HRSS staff (of any level) manage population, matrices, runs and proposals in their
    region; superusers everywhere."""
    scope = scope_of(actor)
    return scope.everything or (bool(getattr(actor, "is_hrss_staff", False))
                                and scope.region_prefix is not None)


def ensure_may_manage(actor) -> None:
    if not may_manage_coverage(actor):
        raise Forbidden(_("Only HRSS staff manage the 30-minute circle's data."))


def governs(actor, code: str) -> bool:
    scope = scope_of(actor)
    return scope.everything or (scope.region_prefix is not None
                                and code.startswith(scope.region_prefix))


def _read(file) -> tuple[bytes, str]:
    if file is None:
        raise DomainError(_("Choose a file to upload."), field="file", code="required")
    check_file_size(getattr(file, "size", None))
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    check_file_size(len(data))
    return data, (getattr(file, "name", "") or "upload.csv")[:200]


def _cap(rows: list[Row], context: dict) -> None:
    if len(rows) > MAX_ROWS:
        raise DomainError(_("At most %(n)s rows per file; split it into several files.")
                          % {"n": MAX_ROWS}, field="file", code="too_many_rows")


def _yes_no(raw: str, name: str) -> bool:
    value = raw.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise RowInvalid((name, _("Write 是 or 否.")))


def _choice(raw: str, choices, name: str, default: str) -> str:
    value = raw.strip()
    if not value:
        return default
    for code, label in choices.choices:
        if value in (code, str(label)) or (code and str(label).startswith(value)):
            return code
    raise RowInvalid((name, _("Unknown value “%(value)s”; one of: %(codes)s.")
                      % {"value": value, "codes": ", ".join(c for c in choices.values if c)}))


def _int(raw: str, name: str, low: int, high: int) -> int:
    try:
        value = int(raw.strip().replace(",", ""))
    except ValueError:
        raise RowInvalid((name, _("Not a whole number: “%(value)s”.") % {"value": raw})) from None
    if value < low:
        raise RowInvalid((name, _("Must not be less than %(low)s.") % {"low": low}))
    if value > high:
        raise RowInvalid((name, _("Must not be more than %(high)s (check the number).")
                          % {"high": high}))
    return value


def _coordinate(raw: str, name: str, low: int, high: int) -> Decimal | None:
    if not raw.strip():
        return None
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise RowInvalid((name, _("Not a number: “%(value)s”.") % {"value": raw})) from None
    if not value.is_finite() or not (low <= value <= high):
        raise RowInvalid((name, _("Must lie between %(low)s and %(high)s (inside China).")
                          % {"low": low, "high": high}))
    return value.quantize(Decimal("0.000001"))


def _file_seen(kind: str, data: bytes) -> tuple[str, bool]:
    digest = hashlib.sha256(data).hexdigest()
    return digest, PopulationFile.objects.filter(kind=kind, sha256=digest).exists()


def _new_file(actor, kind: str, digest: str, filename: str, rows: int,
              region_code: str) -> PopulationFile:
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        return PopulationFile.objects.create(kind=kind, sha256=digest, filename=filename,
                                             rows=rows, region_code=region_code,
                                             imported_by=user)
    except IntegrityError:
        raise Conflict(_("This file is being imported by someone else at this moment."),
                       field="file") from None


# --- population ----------------------------------------------------------------------------

class _Counties:
    """County regions by code, read once per file."""

    def __init__(self, rows: list[Row]) -> None:
        codes = set()
        for r in rows:
            code = r.values.get("county_code", "").strip() or r.values.get("area_code", "")[:6]
            codes.add(code)
        self.by_code = {c.code: c for c in registry.region_list(actor=None)
                        .filter(code__in=codes, level="county")}


def _area_values(actor, row: Row, counties: _Counties, existing: PopulationArea | None
                 ) -> dict[str, Any]:
    v = row.values
    code = v["area_code"].strip()
    kind = _choice(v.get("kind", ""), AreaKind, "kind",
                   {9: AreaKind.TOWN, 12: AreaKind.VILLAGE}.get(len(code), ""))
    if not kind:
        raise RowInvalid(("kind", _("Say the kind (town, village or grid): the code is not a "
                                    "9-digit town or 12-digit village code.")))
    if kind in (AreaKind.TOWN, AreaKind.VILLAGE) and not (
            code.isdigit() and len(code) == (9 if kind == AreaKind.TOWN else 12)):
        raise RowInvalid(("area_code", _("A town has a 9-digit and a village a 12-digit "
                                         "statistical code.")))
    county_code = v.get("county_code", "").strip() or (code[:6] if code[:6].isdigit() else "")
    if not county_code:
        raise RowInvalid(("county_code", _("A grid cell needs its county's code.")))
    county = counties.by_code.get(county_code)
    if county is None:
        raise RowInvalid(("county_code", _("Unknown county code “%(code)s”.")
                          % {"code": county_code}))
    if kind != AreaKind.GRID and not code.startswith(county.code):
        raise RowInvalid(("area_code", _("The code does not lie in county %(code)s.")
                          % {"code": county.code}))
    if not governs(actor, county.code):
        raise RowInvalid(("county_code", _("This county is outside your jurisdiction.")))
    lon = _coordinate(v.get("longitude", ""), "longitude", 73, 136)
    lat = _coordinate(v.get("latitude", ""), "latitude", 3, 54)
    if (lon is None) != (lat is None):
        raise RowInvalid(("latitude" if lat is None else "longitude",
                          _("Give both longitude and latitude, or neither.")))
    if lon is None and existing is None:
        raise RowInvalid(("longitude", _("A new area needs its coordinates.")))
    town_code = v.get("town_code", "").strip() or (code[:9] if kind == AreaKind.VILLAGE
                                                    else code)
    return {
        "code": code, "name": v["name"].strip(), "kind": kind, "county": county,
        "town_code": town_code, "town_name": v.get("town_name", "").strip()
        or (v["name"].strip() if town_code == code else ""),
        "longitude": lon if lon is not None else existing.longitude,
        "latitude": lat if lat is not None else existing.latitude,
        "terrain": _choice(v.get("terrain", ""), Terrain, "terrain",
                           existing.terrain if existing else Terrain.HILL),
        "designation": _choice(v.get("designation", ""), Designation, "designation",
                               existing.designation if existing else ""),
    }


AREA_FIELDS = ("name", "kind", "town_code", "town_name", "longitude", "latitude", "terrain",
               "designation")


def population_import(*, actor, file, skip_bad_rows: bool = False) -> ImportReport:
    """Import population by area from a CSV or .xlsx file (POPULATION_COLUMNS). created: new
    counts; updated: corrections (an area whose name, place, terrain or designation changed
    is updated too, with its own audit event); unchanged: counts stored before (or repeated
    in the file) with the same content."""
    ensure_may_manage(actor)
    data, filename = _read(file)
    digest, seen_before = _file_seen("population", data)
    ctx: dict[str, Any] = {}

    def prepare(rows: list[Row], context: dict) -> None:
        _cap(rows, context)
        context["counties"] = _Counties(rows)
        codes = {r.values.get("area_code", "").strip() for r in rows}
        context["areas"] = {a.code: a for a in PopulationArea.objects.filter(code__in=codes)}
        context["counts"] = {(c.area.code, c.year): c for c in PopulationCount.objects
                             .filter(area__code__in=codes).select_related("area")}
        context["in_file"] = {}

    def parse_row(row: Row, context: dict) -> dict | None:
        v = row.values
        code = v["area_code"].strip()
        existing_area = context["areas"].get(code)
        area = _area_values(actor, row, context["counties"], existing_area)
        year = _int(v["year"], "year", MIN_YEAR, MAX_YEAR)
        count = {
            "population": _int(v["population"], "population", 0, MAX_AREA_POPULATION),
            "source_kind": _choice(v["source_kind"], PopulationSource, "source_kind", ""),
            "source": v["source"].strip(),
        }
        if not count["source_kind"]:
            raise RowInvalid(("source_kind", _("This field is required.")))
        correction = _yes_no(v.get("correction", ""), "correction")
        key = (code, year)
        earlier = context["in_file"].get(key)
        if earlier is not None:
            if earlier[1] != count:
                raise RowInvalid(("population", _(
                    "Row %(row)s gives another count for the same area and year.")
                    % {"row": earlier[0]}))
            return None  # a repeat counts once
        context["in_file"][key] = (row.number, count)
        stored = context["counts"].get(key)
        stored_values = None if stored is None else {
            "population": stored.population, "source_kind": stored.source_kind,
            "source": stored.source}
        if stored_values is not None and stored_values != count and not correction:
            raise RowInvalid(("population", _(
                "%(year)s already has %(n)s for this area (%(source)s); mark the row as a "
                "correction (更正 = 是) to replace it.")
                % {"year": year, "n": stored.population, "source": stored.source}))
        return {"row": row.number, "area": area, "year": year, "count": count,
                "stored": stored, "stored_values": stored_values}

    def save(parsed: list) -> tuple[int, int, int]:
        parsed = [p for p in parsed if p is not None]
        created = updated = unchanged = 0
        region_code = _common_prefix([p["area"]["county"].code for p in parsed])
        pfile = None if seen_before else _new_file(actor, "population", digest, filename,
                                                   len(parsed), region_code)
        areas: dict[str, PopulationArea] = {}
        locked = {a.code: a for a in PopulationArea.objects.select_for_update().filter(
            code__in={p["area"]["code"] for p in parsed})}
        for p in parsed:
            values = p["area"]
            area = areas.get(values["code"]) or locked.get(values["code"])
            if area is None:
                area = PopulationArea.objects.create(**values)
            else:
                changed = [f for f in AREA_FIELDS if getattr(area, f) != values[f]]
                if changed and values["code"] not in areas:
                    before = {f: str(getattr(area, f)) for f in changed}
                    for f in changed:
                        setattr(area, f, values[f])
                    area.save(update_fields=changed)
                    audit.record(actor=actor, action=AuditAction.UPDATE, instance=area,
                                 before=before, after={f: str(values[f]) for f in changed},
                                 reason=filename)
            areas[values["code"]] = area
        keys = {(p["area"]["code"], p["year"]) for p in parsed}
        current = {(c.area.code, c.year): c for c in PopulationCount.objects
                   .select_for_update().filter(area__code__in={k[0] for k in keys})
                   .select_related("area")}
        new = []
        for p in parsed:
            stored = current.get((p["area"]["code"], p["year"]))
            if stored is None:
                new.append(PopulationCount(area=areas[p["area"]["code"]], year=p["year"],
                                           file=pfile, **p["count"]))
                continue
            before = {"population": stored.population, "source_kind": stored.source_kind,
                      "source": stored.source}
            if before == p["count"]:
                unchanged += 1
                continue
            if p["stored"] is None:  # written meanwhile by another import
                raise Conflict(_("Row %(row)s: another import wrote this area and year "
                                 "meanwhile; import the file again.") % {"row": p["row"]},
                               field="file")
            for f, value in p["count"].items():
                setattr(stored, f, value)
            stored.corrected = True
            stored.file = pfile
            stored.save()
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=stored,
                         region_code=stored.area.county.code, before=before,
                         after=p["count"], reason=_("Correction from %(file)s")
                         % {"file": filename})
            updated += 1
        try:
            PopulationCount.objects.bulk_create(new)
        except IntegrityError:
            raise Conflict(_("Another import wrote some of these areas and years meanwhile; "
                             "import the file again."), field="file") from None
        created = len(new)
        if created or updated or pfile is not None:
            audit.record_bulk_import(actor=actor, entity_type="portal.populationcount",
                                     count=created, source=f"{filename} sha256={digest[:16]}",
                                     region_code=region_code)
        return created, updated, unchanged

    report = run_import(data=data, filename=filename, columns=POPULATION_COLUMNS,
                        parse_row=parse_row, save=save, skip_bad_rows=skip_bad_rows,
                        prepare=prepare, context=ctx)
    # Rows repeated inside the file count once: they are unchanged, not created.
    if report.written:
        report.unchanged = (report.total_rows - report.created - report.skipped
                            - report.updated)
    return report


def _common_prefix(codes: list[str]) -> str:
    if not codes:
        return ""
    first, last = min(codes), max(codes)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


# --- travel-time matrix --------------------------------------------------------------------

def travel_matrix_import(*, actor, file, skip_bad_rows: bool = False) -> ImportReport:
    """Import a routing engine's travel times (area × site minutes, MATRIX_COLUMNS). Areas
    must be imported first; sites are the registry's training sites by id."""
    ensure_may_manage(actor)
    data, filename = _read(file)
    digest, seen_before = _file_seen("travel_matrix", data)

    def prepare(rows: list[Row], context: dict) -> None:
        _cap(rows, context)
        codes = {r.values.get("area_code", "").strip() for r in rows}
        context["areas"] = {a.code: a for a in PopulationArea.objects.visible_to(actor)
                            .filter(code__in=codes).select_related("county")}
        ids = {int(r.values["site_id"]) for r in rows
               if r.values.get("site_id", "").strip().isdigit()}
        context["sites"] = {s.pk: s for s in registry.site_list(actor=None).filter(pk__in=ids)}
        context["stored"] = {(t.area.code, t.site_id, t.mode): t for t in TravelTime.objects
                             .filter(area__code__in=codes).select_related("area")}
        context["in_file"] = {}

    def parse_row(row: Row, context: dict) -> dict | None:
        v = row.values
        area = context["areas"].get(v["area_code"].strip())
        if area is None:
            raise RowInvalid(("area_code", _("Unknown area “%(code)s” (import its population "
                                             "first).") % {"code": v["area_code"].strip()}))
        raw_site = v["site_id"].strip()
        site = context["sites"].get(int(raw_site)) if raw_site.isdigit() else None
        if site is None:
            raise RowInvalid(("site_id", _("Unknown training site “%(id)s”.")
                              % {"id": raw_site}))
        try:
            minutes = Decimal(v["minutes"].strip()).quantize(Decimal("0.1"))
        except InvalidOperation:
            raise RowInvalid(("minutes", _("Not a number: “%(value)s”.")
                              % {"value": v["minutes"]})) from None
        if not minutes.is_finite() or minutes < 0 or minutes > MAX_MINUTES:
            raise RowInvalid(("minutes", _("Minutes must lie between 0 and 1440.")))
        mode = _choice(v["mode"], TravelMode, "mode", "")
        if not mode:
            raise RowInvalid(("mode", _("This field is required.")))
        correction = _yes_no(v.get("correction", ""), "correction")
        key = (area.code, site.pk, mode)
        content = {"minutes": minutes, "source": v["source"].strip()}
        earlier = context["in_file"].get(key)
        if earlier is not None:
            if earlier[1] != content:
                raise RowInvalid(("minutes", _("Row %(row)s gives other minutes for the same "
                                               "area, site and mode.") % {"row": earlier[0]}))
            return None
        context["in_file"][key] = (row.number, content)
        stored = context["stored"].get(key)
        if stored is not None and not correction and (
                stored.minutes != minutes or stored.source != content["source"]):
            raise RowInvalid(("minutes", _(
                "Already %(n)s minutes from %(source)s; mark the row as a correction "
                "(更正 = 是) to replace it.") % {"n": stored.minutes, "source": stored.source}))
        return {"area": area, "site": site, "mode": mode, **content, "stored": stored}

    def save(parsed: list) -> tuple[int, int, int]:
        parsed = [p for p in parsed if p is not None]
        region_code = _common_prefix([p["area"].county.code for p in parsed])
        pfile = None if seen_before else _new_file(actor, "travel_matrix", digest, filename,
                                                   len(parsed), region_code)
        new, updated, unchanged = [], 0, 0
        for p in parsed:
            stored = p["stored"]
            if stored is None:
                new.append(TravelTime(area=p["area"], site=p["site"], mode=p["mode"],
                                      minutes=p["minutes"], source=p["source"], file=pfile))
            elif stored.minutes == p["minutes"] and stored.source == p["source"]:
                unchanged += 1
            else:
                before = {"minutes": str(stored.minutes), "source": stored.source}
                TravelTime.objects.filter(pk=stored.pk).update(
                    minutes=p["minutes"], source=p["source"], file=pfile)
                audit.record(actor=actor, action=AuditAction.UPDATE, instance=stored,
                             region_code=p["area"].county.code, before=before,
                             after={"minutes": str(p["minutes"]), "source": p["source"]})
                updated += 1
        try:
            TravelTime.objects.bulk_create(new)
        except IntegrityError:
            raise Conflict(_("Another import wrote some of these travel times meanwhile; "
                             "import the file again."), field="file") from None
        if new or updated or pfile is not None:
            audit.record_bulk_import(actor=actor, entity_type="portal.traveltime",
                                     count=len(new), source=f"{filename} sha256={digest[:16]}",
                                     region_code=region_code)
        return len(new), updated, unchanged

    report = run_import(data=data, filename=filename, columns=MATRIX_COLUMNS,
                        parse_row=parse_row, save=save, skip_bad_rows=skip_bad_rows,
                        prepare=prepare)
    if report.written:
        report.unchanged = report.total_rows - report.created - report.skipped - report.updated
    return report

"""The regions importer: region codes of any level (6, 9 or 12 digits), their level and parent
following from the code."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core.importing import Column, RowInvalid
from jineng.core.scoping import Scope
from jineng.core.tabular import Row
from jineng.registry import services
from jineng.registry.choices import RegionLevel
from jineng.registry.importers.base import UNCHANGED, Importer
from jineng.registry.importers.cells import _differs, max_length, parse_decimal
from jineng.registry.models import Region


def normalize_region_code(raw: str) -> str:
    """6-digit GB/T 2260 codes, 9-digit town and 12-digit village statistical codes. A 12-digit
    code padded with zeros names the county (…000000) or town (…000) it pads."""
    code = raw.strip()
    if not code.isascii() or not code.isdigit() or len(code) not in (6, 9, 12):
        raise RowInvalid(("code", _("A region code has 6, 9 or 12 digits.")))
    if len(code) == 12 and code.endswith("000"):
        code = code[:6] if code.endswith("000000") else code[:9]
    if len(code) == 9 and code.endswith("000"):
        raise RowInvalid(("code", _("A town code does not end in 000.")))
    if len(code) == 6 and code[:2] == "00":
        raise RowInvalid(("code", _("A region code does not start with 00.")))
    return code


def region_level_of(code: str) -> str:
    if len(code) == 12:
        return RegionLevel.VILLAGE
    if len(code) == 9:
        return RegionLevel.TOWN
    if code[2:] == "0000":
        return RegionLevel.PROVINCE
    if code[4:] == "00":
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def region_parent_candidates(code: str) -> list[str]:
    """Codes the parent of a region may have, most specific first (counties directly under a
    province have no city)."""
    level = region_level_of(code)
    return {
        RegionLevel.PROVINCE: [],
        RegionLevel.CITY: [code[:2] + "0000"],
        RegionLevel.COUNTY: [code[:4] + "00", code[:2] + "0000"],
        RegionLevel.TOWN: [code[:6]],
        RegionLevel.VILLAGE: [code[:9]],
    }[level]


class RegionImporter(Importer):
    """Regions of any level (usually towns and villages under the official counties). The level
    and the parent follow from the code; a parent must already exist or come on an earlier row
    of the same file. Existing regions are never renamed by an import."""

    kind = "regions"
    title = gettext_lazy("regions")
    entity_type = "registry.region"
    sheet_title = "地区"
    columns = (
        Column("code", "区划代码", required=True,
               help=gettext_lazy("6-digit GB/T 2260 code, or the 9-digit (town) or 12-digit "
                                 "(village) statistical code.")),
        Column("name", "名称", required=True, help=gettext_lazy("Official name."),
               max_length=max_length(Region, "name")),
        Column("parent_code", "上级区划代码",
               help=gettext_lazy("Optional; if given it must be the parent the code implies.")),
        Column("longitude", "经度", help=gettext_lazy("Optional, decimal degrees.")),
        Column("latitude", "纬度", help=gettext_lazy("Optional, decimal degrees.")),
    )
    text_columns = ("code", "parent_code")
    example = {"code": "520102001001", "name": "示例村委会", "parent_code": "520102001",
               "longitude": "106.713478", "latitude": "26.578343"}

    def prepare(self, rows: list[Row], context: dict) -> None:
        codes: set[str] = set()
        for row in rows:
            for raw in (row.values.get("code", ""), row.values.get("parent_code", "")):
                try:
                    code = normalize_region_code(raw) if raw else ""
                except RowInvalid:
                    continue
                codes.add(code)
                if code:
                    codes.update(region_parent_candidates(code))
        self.load_regions(context, codes)
        context["new_codes"] = {}  # code → row number, rows parsed so far

    def parse_row(self, row: Row, context: dict) -> Any:
        v = row.values
        code = normalize_region_code(v["code"])
        self.once_in_file(context, ("region", code), row, "code")
        scope: Scope = context["scope"]
        if not scope.everything and not code.startswith(scope.region_prefix or "#"):
            raise RowInvalid(("code", _("This region is outside your jurisdiction.")))
        name = v["name"].strip()
        problems: list[tuple[str, str]] = []
        longitude = latitude = None
        for field, low, high in (("longitude", -180, 180), ("latitude", -90, 90)):
            if v.get(field):
                try:
                    value = parse_decimal(v[field], field, low, high)
                except RowInvalid as bad:
                    problems += bad.problems
                else:
                    longitude, latitude = ((value, latitude) if field == "longitude"
                                           else (longitude, value))
        existing: Region | None = context["regions"].get(code)
        if existing is not None:
            if existing.name != name:
                problems.append(_differs("name", "名称"))
            if longitude is not None and existing.longitude != longitude:
                problems.append(_differs("longitude", "经度"))
            if latitude is not None and existing.latitude != latitude:
                problems.append(_differs("latitude", "纬度"))
            if problems:
                raise RowInvalid(*problems)
            return UNCHANGED
        candidates = region_parent_candidates(code)
        available = [c for c in candidates
                     if c in context["regions"] or c in context["new_codes"]]
        if v.get("parent_code"):
            try:
                given = normalize_region_code(v["parent_code"])
            except RowInvalid:
                given = v["parent_code"].strip()
            if given not in candidates:
                problems.append(("parent_code", _(
                    "The code %(code)s does not belong under %(parent)s.")
                    % {"code": code, "parent": given}))
            elif given not in available:
                problems.append(("parent_code", _("Unknown parent region %(code)s.")
                                 % {"code": given}))
            parent = given
        elif candidates and not available:
            problems.append(("code", _("Its parent region (%(code)s) is not registered; add it "
                                       "first or on an earlier row.") % {"code": candidates[0]}))
            parent = ""
        else:
            parent = available[0] if available else ""
        if problems:
            raise RowInvalid(*problems)
        context["new_codes"][code] = row.number
        return services.RegionRow(code=code, name=name, level=region_level_of(code),
                                  parent_code=parent, longitude=longitude, latitude=latitude)

    def save_new(self, items: list, context: dict) -> int:
        return services.region_bulk_create(actor=context["actor"], rows=items,
                                           source=context["source"])

"""CSV and Excel importers of the registries: regions, organizations, training sites, persons.

Every importer runs through `core.importing.run_import`: the whole file is read (UTF-8 with or
without BOM, GBK, or .xlsx), every row is checked, every bad row is reported with its row number,
field and reason, and nothing is written from a file with errors unless the user asked to skip
bad rows. Column titles may be the Chinese labels of the template or the field names.

Records that already exist (re-importing a file is safe, it never creates duplicates):

- A row whose key matches an existing record — region code, credit code, organization + site
  name, ID number (by keyed hash) — counts as *unchanged* when every filled cell equals what is
  stored (empty optional cells are not compared).
- If a filled cell differs, the row is *reported* (naming the field) and nothing is changed.
  Imports only add records; a change goes through the record's own page or API, which audits it
  field by field. For persons this is the rule: a real-name record is never silently changed.
- A record the actor may not read is reported as "already registered", without details.

Who may import: HRSS staff, rows inside their region's subtree (a row outside it is a row error);
institution (and enterprise) users import persons, registered as their organization, and their
own organization's sites. Regions and organizations are staff only.

Adding an importer (e.g. occupations) is one class with `kind`, `columns`, `parse_row` and
`save_new`, and one entry in `IMPORTERS`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Iterable
from contextlib import nullcontext
from decimal import Decimal, InvalidOperation
from typing import Any

import openpyxl
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font

from jineng.core import pii
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.core.importing import Column, ImportReport, RowInvalid, run_import
from jineng.core.scoping import Scope, scope_of
from jineng.core.tabular import Row, iter_chunks
from jineng.core.validators import make_credit_code, make_resident_id, normalize_identifier
from jineng.registry import exports, selectors, services
from jineng.registry.choices import InstitutionType, KeyGroup, OrganizationKind, RegionLevel
from jineng.registry.models import (
    KeyGroupMembership,
    Organization,
    Person,
    Region,
    TrainingSite,
)
from jineng.registry.occupation_import import importer as occupation_importer
from jineng.registry.rules import permissions as may
from jineng.registry.rules.identity import id_number_18, id_region_candidates

LOOKUP_CHUNK = 900  # keeps `IN (...)` lists under SQLite's variable limit


class _Unchanged:
    """Marker returned by `parse_row` for a row that matches an existing record."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


# --- values typed in a sheet --------------------------------------------------------------

# Domain terms as the policies write them, accepted besides the codes and the (translated)
# labels of the choices.
ORGANIZATION_KIND_TERMS = {
    "培训机构": OrganizationKind.TRAINING,
    "职业技能培训机构": OrganizationKind.TRAINING,
    "评价机构": OrganizationKind.EVALUATION,
    "技能评价机构": OrganizationKind.EVALUATION,
    "职业技能等级认定机构": OrganizationKind.EVALUATION,
    "企业": OrganizationKind.ENTERPRISE,
}
INSTITUTION_TYPE_TERMS = {
    "技工院校": InstitutionType.TECHNICIAN_COLLEGE,
    "技工学校": InstitutionType.TECHNICIAN_COLLEGE,
    "职业院校": InstitutionType.VOCATIONAL_SCHOOL,
    "民办培训机构": InstitutionType.PRIVATE_TRAINING,
    "民办职业培训机构": InstitutionType.PRIVATE_TRAINING,
    "企业培训中心": InstitutionType.ENTERPRISE_CENTER,
    "公共实训基地": InstitutionType.PUBLIC_BASE,
}
KEY_GROUP_TERMS = {
    "高校毕业生": KeyGroup.GRADUATE,
    "农民工": KeyGroup.MIGRANT_WORKER,
    "失业人员": KeyGroup.UNEMPLOYED,
    "就业困难人员": KeyGroup.HARD_TO_EMPLOY,
    "退役军人": KeyGroup.VETERAN,
    "残疾人": KeyGroup.DISABLED,
    "防止返贫监测对象": KeyGroup.POVERTY_MONITORED,
    "易地搬迁人员": KeyGroup.RELOCATED,
    "易地扶贫搬迁人员": KeyGroup.RELOCATED,
    "留守妇女": KeyGroup.LEFT_BEHIND_WOMAN,
    "企业职工": KeyGroup.ENTERPRISE_EMPLOYEE,
}
LIST_SEPARATORS = re.compile(r"[;；,，、|\s]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")


def choice_lookup(choices, terms: dict[str, str]) -> dict[str, str]:
    """Every way a choice may be written → its value: the value, its label in English, in
    Chinese and in the current language, and the policy terms."""
    lookup = {str(v).lower(): str(v) for v in choices.values}
    for language in ("en", "zh-hans", None):
        with translation.override(language) if language else nullcontext():
            lookup.update({str(label).strip().lower(): str(v) for v, label in choices.choices})
    lookup.update({k.lower(): str(v) for k, v in terms.items()})
    return lookup


def parse_choice(raw: str, lookup: dict[str, str], field: str, accepted: str = "") -> str:
    """The choice a cell names; an unknown one is a row error that lists what is accepted."""
    value = lookup.get(raw.strip().lower())
    if value is None:
        if accepted:
            raise RowInvalid((field, _("Unknown value “%(value)s”; accepted: %(accepted)s.")
                              % {"value": raw, "accepted": accepted}))
        raise RowInvalid((field, _("Unknown value “%(value)s”.") % {"value": raw}))
    return value


def accepted_labels(choices) -> str:
    """The choices' labels (current language) and codes, for an error message."""
    return "、".join(f"{label}（{value}）" for value, label in choices.choices)


def parse_date(raw: str, field: str) -> dt.date:
    text = raw.strip()[:10] if re.match(r"\d{4}-\d{2}-\d{2}T", raw.strip()) else raw.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowInvalid((field, _("Not a date (write it as 2024-07-01).")))


def parse_decimal(raw: str, field: str, low: int, high: int) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise RowInvalid((field, _("Not a number."))) from None
    if not value.is_finite() or not low <= value <= high:
        raise RowInvalid((field, _("Must be between %(low)s and %(high)s.")
                          % {"low": low, "high": high}))
    return value.quantize(Decimal("0.000001"))


MAX_POSITIVE_INT = 2_147_483_647  # PositiveIntegerField on PostgreSQL


def parse_positive_int(raw: str, field: str, high: int = MAX_POSITIVE_INT) -> int:
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise RowInvalid((field, _("Must be a positive whole number.")))
    if int(text) > high:
        raise RowInvalid((field, _("Must be between %(low)s and %(high)s.")
                          % {"low": 1, "high": high}))
    return int(text)


def max_length(model, field: str) -> int:
    """A model field's max_length, so imports enforce what the forms enforce."""
    return model._meta.get_field(field).max_length


def _differs(field: str, label: str) -> tuple[str, str]:
    return (field, _("Already registered with a different %(what)s; change it on the record's "
                     "own page, imports only add records.") % {"what": label})


# --- the base class -----------------------------------------------------------------------

class Importer:
    """One kind of registry file. Subclasses set the class attributes and implement
    `prepare` (optional), `parse_row` and `save_new`."""

    kind: str = ""
    title = gettext_lazy("records")
    entity_type: str = ""
    sheet_title: str = "数据"
    columns: tuple[Column, ...] = ()
    text_columns: tuple[str, ...] = ()  # formatted as text in the template (long digit codes)
    example: dict[str, str] = {}
    # Extra text inputs an importer needs besides the file (e.g. "source", where the file comes
    # from): the pages, the API and the CLI collect them and pass them to `run` by name.
    options: tuple[str, ...] = ()

    # -- who may import at all
    def check_actor(self, actor) -> None:
        """Raise Forbidden if the actor may not import this kind at all."""
        if not _is_staff(actor):
            raise Forbidden(_("Only HRSS staff may import this registry."))

    # -- the pipeline
    def run(self, *, actor, data: bytes, filename: str,
            skip_bad_rows: bool = False) -> ImportReport:
        self.check_actor(actor)
        context: dict[str, Any] = {"actor": actor, "scope": scope_of(actor),
                                   "source": filename, "seen": {}}

        def save(parsed: list) -> tuple[int, int, int]:
            new = [p for p in parsed if p is not UNCHANGED]
            created = self.save_new(new, context) if new else 0
            return created, 0, len(parsed) - len(new)

        return run_import(data=data, filename=filename, columns=self.columns,
                          parse_row=self.parse_row, save=save, skip_bad_rows=skip_bad_rows,
                          prepare=self.prepare, context=context,
                          ignored_titles=self.ignored_titles())

    def ignored_titles(self) -> set[str]:
        """Columns our own export of this registry writes for reading only (region names,
        status, …): a re-imported export is accepted, any other unknown column is reported."""
        exporter = exports.EXPORTERS.get(self.kind)
        return set(exporter.headers) if exporter else set()

    def prepare(self, rows: list[Row], context: dict) -> None:
        """Look up, in a few queries, the existing records every row refers to."""

    def parse_row(self, row: Row, context: dict) -> Any:
        raise NotImplementedError

    def save_new(self, items: list, context: dict) -> int:
        raise NotImplementedError

    # -- helpers for subclasses
    @staticmethod
    def once_in_file(context: dict, key: Any, row: Row, field: str) -> None:
        """Report a second row with the same key."""
        first = context["seen"].setdefault(key, row.number)
        if first != row.number:
            raise RowInvalid((field, _("Same as row %(row)d of this file.") % {"row": first}))

    @staticmethod
    def load_regions(context: dict, codes: Iterable[str]) -> None:
        regions = context.setdefault("regions", {})
        wanted = sorted({c for c in codes if c and c not in regions})
        for chunk in iter_chunks(wanted, LOOKUP_CHUNK):
            regions.update({r.code: r for r in
                            selectors.region_list(actor=None).filter(code__in=chunk)})

    @staticmethod
    def region(context: dict, raw: str, field: str = "region_code") -> Region:
        """The region a cell names, which must be inside a staff actor's subtree."""
        region = context["regions"].get(raw.strip())
        if region is None:
            raise RowInvalid((field, _("Unknown region code %(code)s.") % {"code": raw.strip()}))
        scope: Scope = context["scope"]
        if not scope.everything and not scope.organization_id and not region.code.startswith(
                scope.region_prefix or "#"):
            raise RowInvalid((field, _("This region is outside your jurisdiction.")))
        return region

    def column_label(self, name: str) -> str:
        return next((str(c.label) for c in self.columns if c.name == name), name)

    # -- the downloadable template
    def template_xlsx(self) -> bytes:
        """A workbook with the header row and one example row, and a sheet “说明” describing
        every column."""
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = self.sheet_title
        bold = Font(bold=True)
        for index, column in enumerate(self.columns, start=1):
            head = sheet.cell(row=1, column=index, value=str(column.label))
            head.font = bold
            sheet.cell(row=2, column=index, value=self.example.get(column.name, ""))
            letter = head.column_letter
            sheet.column_dimensions[letter].width = max(12, 2 * len(str(column.label)) + 4)
            if column.name in self.text_columns:
                for r in range(2, 1002):
                    sheet.cell(row=r, column=index).number_format = "@"
        sheet.freeze_panes = "A2"
        notes = book.create_sheet("说明")
        for index, title in enumerate(("列名", "字段名", "必填", "说明"), start=1):
            notes.cell(row=1, column=index, value=title).font = bold
        for r, column in enumerate(self.columns, start=2):
            notes.cell(row=r, column=1, value=str(column.label))
            notes.cell(row=r, column=2, value=column.name)
            notes.cell(row=r, column=3, value="是" if column.required else "否")
            notes.cell(row=r, column=4, value=str(column.help))
        last = len(self.columns) + 3
        notes.cell(row=last, column=1, value=str(_(
            "The first sheet is read; the header row may use the column titles or the field "
            "names. CSV files may be UTF-8 (with or without BOM) or GBK. A file with errors "
            "writes nothing unless you choose to skip bad rows.")))
        for letter, width in (("A", 20), ("B", 26), ("C", 8), ("D", 90)):
            notes.column_dimensions[letter].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def _is_staff(actor) -> bool:
    return may.is_staff(services.actor_facts(actor))


# --- regions ------------------------------------------------------------------------------

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


# --- organizations ------------------------------------------------------------------------

class OrganizationImporter(Importer):
    """Training and evaluation institutions and enterprises, keyed by credit code."""

    kind = "organizations"
    title = gettext_lazy("organizations")
    entity_type = "registry.organization"
    sheet_title = "机构"
    columns = (
        Column("credit_code", "统一社会信用代码", required=True,
               help=gettext_lazy("18 characters (GB 32100).")),
        Column("name", "机构名称", required=True, max_length=max_length(Organization, "name")),
        Column("kind", "机构类别", required=True,
               help=gettext_lazy("培训机构, 评价机构 or 企业.")),
        Column("institution_type", "培训机构类型",
               help=gettext_lazy("Training institutions only: 技工院校, 职业院校, 民办培训机构, "
                                 "企业培训中心 or 公共实训基地.")),
        Column("region_code", "所在地区代码", required=True,
               help=gettext_lazy("6-digit region code.")),
        Column("address", "地址", max_length=max_length(Organization, "address")),
        Column("legal_representative", "法定代表人",
               max_length=max_length(Organization, "legal_representative")),
        Column("contact_phone", "联系电话",
               max_length=max_length(Organization, "contact_phone")),
        Column("sector", "所属行业", max_length=max_length(Organization, "sector")),
        Column("credit_code_override", "校验位例外理由",
               help=gettext_lazy("Only if the credit code is genuine but fails its check "
                                 "character: why it is accepted.")),
    )
    text_columns = ("credit_code", "region_code", "contact_phone")

    example = {"credit_code": make_credit_code("52", "520102", "MA6H0001"),
               "name": "示例职业培训学校", "kind": "培训机构", "institution_type": "民办培训机构",
               "region_code": "520102", "address": "贵阳市南明区示例路1号",
               "legal_representative": "王某", "contact_phone": "0851-00000000"}

    def prepare(self, rows: list[Row], context: dict) -> None:
        context["kinds"] = choice_lookup(OrganizationKind, ORGANIZATION_KIND_TERMS)
        context["types"] = choice_lookup(InstitutionType, INSTITUTION_TYPE_TERMS)
        self.load_regions(context, (r.values.get("region_code", "").strip() for r in rows))
        codes = sorted({normalize_identifier(r.values.get("credit_code")) for r in rows} - {""})
        existing: dict[str, Organization] = {}
        visible: set[int] = set()
        for chunk in iter_chunks(codes, LOOKUP_CHUNK):
            existing.update({o.credit_code: o for o in
                             Organization.objects.filter(credit_code__in=chunk)})
            visible.update(selectors.organization_list(actor=context["actor"])
                           .filter(credit_code__in=chunk).values_list("pk", flat=True))
        context["existing"], context["visible"] = existing, visible

    def parse_row(self, row: Row, context: dict) -> Any:
        v = row.values
        problems: list[tuple[str, str]] = []
        kind = institution_type = code = ""
        region = None
        try:
            kind = parse_choice(v["kind"], context["kinds"], "kind",
                                accepted_labels(OrganizationKind))
        except RowInvalid as bad:
            problems += bad.problems
        if v.get("institution_type"):
            try:
                institution_type = parse_choice(v["institution_type"], context["types"],
                                                "institution_type",
                                                accepted_labels(InstitutionType))
            except RowInvalid as bad:
                problems += bad.problems
        try:
            region = self.region(context, v["region_code"])
        except RowInvalid as bad:
            problems += bad.problems
        data = services.OrganizationInput(
            kind=kind, name=v["name"].strip(), credit_code=v["credit_code"], region=region,
            institution_type=institution_type, address=v.get("address", ""),
            legal_representative=v.get("legal_representative", ""),
            contact_phone=v.get("contact_phone", ""), sector=v.get("sector", ""),
            credit_code_override=v.get("credit_code_override", ""),
        )
        if kind:
            try:
                code = services.validate_organization(data)
            except DomainError as bad:
                problems.append((bad.field, bad.message))
        if problems:
            raise RowInvalid(*problems)
        self.once_in_file(context, ("org", code), row, "credit_code")
        org = context["existing"].get(code)
        if org is not None:
            return self._compare(org, data, context)
        return dataclasses.replace(data, credit_code=code)

    def _compare(self, org: Organization, data: services.OrganizationInput,
                 context: dict) -> Any:
        if org.pk not in context["visible"]:
            raise RowInvalid(("credit_code", _(
                "An organization with this credit code is already registered.")))
        problems = [
            _differs(field, self.column_label(field))
            for field, wanted in (("name", data.name), ("kind", data.kind),
                                  ("institution_type", data.institution_type),
                                  ("address", data.address),
                                  ("legal_representative", data.legal_representative),
                                  ("contact_phone", data.contact_phone),
                                  ("sector", data.sector))
            if (wanted or field in ("name", "kind")) and getattr(org, field) != wanted.strip()
        ]
        if org.region_id != data.region.pk:
            problems.append(_differs("region_code", self.column_label("region_code")))
        if problems:
            raise RowInvalid(*problems)
        return UNCHANGED

    def save_new(self, items: list, context: dict) -> int:
        return services.organization_bulk_create(actor=context["actor"], rows=items,
                                                 source=context["source"])


# --- training sites -----------------------------------------------------------------------

class SiteImporter(Importer):
    """Training sites, keyed by their organization's credit code and the site name."""

    kind = "sites"
    title = gettext_lazy("training sites")
    entity_type = "registry.trainingsite"
    sheet_title = "培训场地"
    columns = (
        Column("organization_credit_code", "机构统一社会信用代码", required=True,
               help=gettext_lazy("The credit code of the organization the site belongs to.")),
        Column("name", "场地名称", required=True,
               help=gettext_lazy("Unique within the organization."),
               max_length=max_length(TrainingSite, "name")),
        Column("address", "地址", required=True, max_length=max_length(TrainingSite, "address")),
        Column("region_code", "所在地区代码", required=True),
        Column("longitude", "经度", required=True,
               help=gettext_lazy("Decimal degrees, inside China (73–136).")),
        Column("latitude", "纬度", required=True,
               help=gettext_lazy("Decimal degrees, inside China (3–54).")),
        Column("capacity", "容纳人数", required=True,
               help=gettext_lazy("Trainees at once; a positive whole number.")),
    )
    text_columns = ("organization_credit_code", "region_code")

    example = {"organization_credit_code": make_credit_code("52", "520102", "MA6H0001"),
               "name": "一号实训楼", "address": "贵阳市南明区示例路1号", "region_code": "520102",
               "longitude": "106.713478", "latitude": "26.578343", "capacity": "60"}

    def check_actor(self, actor) -> None:
        if not may.may_import(services.actor_facts(actor), self.kind):
            raise Forbidden(_("Only HRSS staff and an organization's own users may import "
                              "training sites."))

    def prepare(self, rows: list[Row], context: dict) -> None:
        self.load_regions(context, (r.values.get("region_code", "").strip() for r in rows))
        codes = sorted({normalize_identifier(r.values.get("organization_credit_code"))
                        for r in rows} - {""})
        orgs: dict[str, Organization] = {}
        for chunk in iter_chunks(codes, LOOKUP_CHUNK):
            orgs.update({o.credit_code: o for o in
                         selectors.organization_list(actor=context["actor"])
                         .filter(credit_code__in=chunk)})
        scope: Scope = context["scope"]
        if scope.organization_id:  # an organization's users manage their own sites only
            orgs = {c: o for c, o in orgs.items() if o.pk == scope.organization_id}
        sites = {}
        for chunk in iter_chunks([o.pk for o in orgs.values()], LOOKUP_CHUNK):
            sites.update({(s.organization_id, s.name): s for s in
                          selectors.site_list(actor=context["actor"])
                          .filter(organization_id__in=chunk)})
        context["orgs"], context["sites"] = orgs, sites

    def parse_row(self, row: Row, context: dict) -> Any:
        v = row.values
        problems: list[tuple[str, str]] = []
        org = context["orgs"].get(normalize_identifier(v["organization_credit_code"]))
        if org is None:
            problems.append(("organization_credit_code", _(
                "No organization with this credit code that you manage.")))
        values: dict[str, Any] = {}
        for field, parse in (
            ("region_code", lambda raw: self.region(context, raw)),
            ("longitude", lambda raw: parse_decimal(raw, "longitude", 73, 136)),
            ("latitude", lambda raw: parse_decimal(raw, "latitude", 3, 54)),
            ("capacity", lambda raw: parse_positive_int(raw, "capacity")),
        ):
            try:
                values[field] = parse(v[field])
            except RowInvalid as bad:
                problems += bad.problems
        if problems:
            raise RowInvalid(*problems)
        name, address = v["name"].strip(), v["address"].strip()
        self.once_in_file(context, ("site", org.pk, name), row, "name")
        existing = context["sites"].get((org.pk, name))
        if existing is not None:
            problems = [
                _differs(field, self.column_label(field))
                for field, stored, wanted in (
                    ("address", existing.address, address),
                    ("region_code", existing.region_id, values["region_code"].pk),
                    ("longitude", existing.longitude, values["longitude"]),
                    ("latitude", existing.latitude, values["latitude"]),
                    ("capacity", existing.capacity, values["capacity"]))
                if stored != wanted
            ]
            if problems:
                raise RowInvalid(*problems)
            return UNCHANGED
        return services.SiteInput(organization=org, name=name, address=address,
                                  region=values["region_code"], longitude=values["longitude"],
                                  latitude=values["latitude"], capacity=values["capacity"])

    def save_new(self, items: list, context: dict) -> int:
        return services.site_bulk_create(actor=context["actor"], rows=items,
                                         source=context["source"])


# --- persons ------------------------------------------------------------------------------

class PersonImporter(Importer):
    """Real-name persons, keyed by the keyed hash of the ID number. Re-importing a person
    counts as unchanged only if the file says what is stored (name, region, phone and address
    if filled, key groups a subset of the stored ones); otherwise the row is reported."""

    kind = "persons"
    title = gettext_lazy("persons")
    entity_type = "registry.person"
    sheet_title = "人员"
    columns = (
        Column("id_number", "身份证号码", required=True,
               help=gettext_lazy("18-character resident ID number (GB 11643); an old 15-digit "
                                 "number is converted to 18 characters.")),
        Column("name", "姓名", required=True, max_length=max_length(Person, "name")),
        Column("region_code", "所在地区代码", required=True,
               help=gettext_lazy("The region the person is served in (6, 9 or 12 digits).")),
        Column("phone", "联系电话", max_length=max_length(Person, "phone")),
        Column("address", "常住地址", max_length=max_length(Person, "address"),
               help=gettext_lazy("Where the person lives, e.g. 南明区人民路12号3单元401室.")),
        Column("key_groups", "重点群体",
               help=gettext_lazy("Separated by ; — e.g. 高校毕业生;农民工 (names or codes).")),
        Column("key_group_start", "重点群体认定日期",
               help=gettext_lazy("Date the key groups apply from; today if empty.")),
    )
    text_columns = ("id_number", "region_code", "phone")

    example = {"id_number": make_resident_id("520102", dt.date(1995, 7, 1), 12),
               "name": "示例姓名", "region_code": "520102", "phone": "13800000000",
               "address": "南明区示例路1号1单元101室", "key_groups": "高校毕业生;农民工",
               "key_group_start": "2025-01-01"}

    def check_actor(self, actor) -> None:
        if not may.may_import(services.actor_facts(actor), self.kind):
            raise Forbidden(_("Only HRSS staff and institutions may import persons."))

    def prepare(self, rows: list[Row], context: dict) -> None:
        context["groups"] = choice_lookup(KeyGroup, KEY_GROUP_TERMS)
        context["today"] = timezone.localdate()
        codes: set[str] = set()
        hashes: set[str] = set()
        for row in rows:
            codes.add(row.values.get("region_code", "").strip())
            number = id_number_18(row.values.get("id_number"))
            if len(number) == 18:
                codes.update(id_region_candidates(number[:6]))
                hashes.add(pii.keyed_hash(number))
        self.load_regions(context, codes)
        existing: dict[str, Person] = {}
        visible: set[int] = set()
        for chunk in iter_chunks(sorted(hashes), LOOKUP_CHUNK):
            existing.update({p.id_hash: p for p in Person.objects.filter(id_hash__in=chunk)
                             .only("pk", "id_hash", "name", "region_id", "phone", "address")})
            visible.update(selectors.person_list(actor=context["actor"])
                           .filter(id_hash__in=chunk).values_list("pk", flat=True))
        groups: dict[int, set[str]] = {}
        for chunk in iter_chunks(sorted(visible), LOOKUP_CHUNK):
            for person_id, group in (KeyGroupMembership.objects.visible_to(context["actor"])
                                     .filter(person_id__in=chunk)
                                     .values_list("person_id", "group")):
                groups.setdefault(person_id, set()).add(group)
        context["existing"], context["visible"], context["stored_groups"] = (
            existing, visible, groups)

    def parse_row(self, row: Row, context: dict) -> Any:
        v = row.values
        problems: list[tuple[str, str]] = []
        ident = None
        id_region_id = None
        try:
            ident = services.parse_id_number(v["id_number"])
            known = {c: context["regions"][c].pk for c in id_region_candidates(ident.region_code)
                     if c in context["regions"]}
            id_region_id = services.resolve_id_region(ident.region_code, known)
        except DomainError as bad:
            problems.append((bad.field, bad.message))
        region = None
        try:
            region = self.region(context, v["region_code"])
        except RowInvalid as bad:
            problems += bad.problems
        phone = v.get("phone", "").strip()
        if phone and not re.fullmatch(r"[0-9+\- ]{5,20}", phone):
            problems.append(("phone", _("Not a phone number.")))
        address = v.get("address", "").strip()
        groups: list[str] = []
        for token in LIST_SEPARATORS.split(v.get("key_groups", "")):
            if token:
                try:
                    groups.append(parse_choice(token, context["groups"], "key_groups"))
                except RowInvalid:
                    problems.append(("key_groups", _(
                        "Unknown key group: %(group)s; accepted: %(accepted)s.")
                        % {"group": token, "accepted": accepted_labels(KeyGroup)}))
        start = context["today"]
        if v.get("key_group_start"):
            try:
                start = parse_date(v["key_group_start"], "key_group_start")
            except RowInvalid as bad:
                problems += bad.problems
        if problems:
            raise RowInvalid(*problems)
        id_hash = pii.keyed_hash(ident.number)
        self.once_in_file(context, ("person", id_hash), row, "id_number")
        groups = list(dict.fromkeys(groups))
        person = context["existing"].get(id_hash)
        if person is not None:
            return self._compare(person, context, name=v["name"].strip(), region=region,
                                 phone=phone, address=address, groups=groups)
        return services.PersonBulkRow(
            ident=ident, name=v["name"].strip(), region=region, id_region_id=id_region_id,
            phone=phone, key_groups=tuple((g, start) for g in groups), address=address)

    def _compare(self, person: Person, context: dict, *, name: str, region: Region,
                 phone: str, groups: list[str], address: str = "") -> Any:
        if person.pk not in context["visible"]:
            raise RowInvalid(("id_number", _(
                "A person with this ID number is already registered.")))
        problems = []
        if person.name != name:
            problems.append(_differs("name", self.column_label("name")))
        if person.region_id != region.pk:
            problems.append(_differs("region_code", self.column_label("region_code")))
        if phone and person.phone != phone:
            problems.append(_differs("phone", self.column_label("phone")))
        if address and person.address != address:
            problems.append(_differs("address", self.column_label("address")))
        missing = [g for g in groups if g not in context["stored_groups"].get(person.pk, set())]
        if missing:
            problems.append(("key_groups", _(
                "Already registered without the key group(s) %(groups)s; add them on the "
                "person's page.") % {"groups": ", ".join(str(KeyGroup(g).label)
                                                         for g in missing)}))
        if problems:
            raise RowInvalid(*problems)
        return UNCHANGED

    def save_new(self, items: list, context: dict) -> int:
        return services.person_bulk_register(actor=context["actor"], rows=items,
                                             source=context["source"])


# --- the registry of importers ------------------------------------------------------------

IMPORTERS: dict[str, Importer] = {
    "regions": RegionImporter(),
    "organizations": OrganizationImporter(),
    "sites": SiteImporter(),
    "persons": PersonImporter(),
    "occupations": occupation_importer,  # type: ignore[dict-item]  # needs source=…
}


def get_importer(kind: str) -> Importer:
    """The importer of a kind; an unknown kind is NotFound."""
    importer = IMPORTERS.get(kind)
    if importer is None:
        raise NotFound()
    return importer


# Labels of the importer options the pages, the API and the CLI know how to ask for.
OPTION_LABELS = {
    "source": gettext_lazy("Source of the file (document, edition, web address)"),
}


def run(*, actor, kind: str, data: bytes, filename: str, skip_bad_rows: bool = False,
        **options: str) -> ImportReport:
    """Import a file of one kind as `actor` (used by the pages, the API and the CLI). Options
    the importer does not declare are ignored."""
    importer = get_importer(kind)
    wanted = {name: options.get(name) or "" for name in getattr(importer, "options", ())}
    return importer.run(actor=actor, data=data, filename=filename, skip_bad_rows=skip_bad_rows,
                        **wanted)


__all__ = ["IMPORTERS", "OPTION_LABELS", "UNCHANGED", "Importer", "get_importer", "run"]

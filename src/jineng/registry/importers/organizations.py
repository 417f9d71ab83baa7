"""The organizations importer: training and evaluation institutions and enterprises, keyed by
credit code."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core.errors import DomainError
from jineng.core.importing import Column, RowInvalid
from jineng.core.tabular import Row, iter_chunks
from jineng.core.validators import make_credit_code, normalize_identifier
from jineng.registry import selectors, services
from jineng.registry.choices import InstitutionType, OrganizationKind
from jineng.registry.importers.base import LOOKUP_CHUNK, UNCHANGED, Importer
from jineng.registry.importers.cells import (
    INSTITUTION_TYPE_TERMS,
    ORGANIZATION_KIND_TERMS,
    _differs,
    accepted_labels,
    choice_lookup,
    max_length,
    parse_choice,
)
from jineng.registry.models import Organization


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

"""The training sites importer, keyed by the organization's credit code and the site name."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core.errors import Forbidden
from jineng.core.importing import Column, RowInvalid
from jineng.core.scoping import Scope
from jineng.core.tabular import Row, iter_chunks
from jineng.core.validators import make_credit_code, normalize_identifier
from jineng.registry import selectors, services
from jineng.registry.importers.base import LOOKUP_CHUNK, UNCHANGED, Importer
from jineng.registry.importers.cells import _differs, max_length, parse_decimal, parse_positive_int
from jineng.registry.models import Organization, TrainingSite
from jineng.registry.rules import permissions as may


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

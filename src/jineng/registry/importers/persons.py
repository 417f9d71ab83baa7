"""The persons importer: real-name persons keyed by the keyed hash of the ID number, with their key
groups."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core import pii
from jineng.core.errors import DomainError, Forbidden
from jineng.core.importing import Column, RowInvalid
from jineng.core.tabular import Row, iter_chunks
from jineng.core.validators import make_resident_id
from jineng.registry import selectors, services
from jineng.registry.choices import KeyGroup
from jineng.registry.importers.base import LOOKUP_CHUNK, UNCHANGED, Importer
from jineng.registry.importers.cells import (
    KEY_GROUP_TERMS,
    LIST_SEPARATORS,
    _differs,
    accepted_labels,
    choice_lookup,
    max_length,
    parse_choice,
    parse_date,
)
from jineng.registry.models import KeyGroupMembership, Person, Region
from jineng.registry.rules import permissions as may
from jineng.registry.rules.identity import id_number_18, id_region_candidates


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

"""Reading the cells of a catalog row: numbers, shares, dates, yes/no, and the registry records
a row names (occupation, skill level, region, organization, sites). Every failure names the
column; a row collects all its failures before it is refused."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from jineng.catalog.messages import message
from jineng.catalog.rules.entries import EntryFacts, OverlapIndex
from jineng.catalog.rules.periods import Period
from jineng.catalog.rules.problems import Problem
from jineng.core.importing import RowInvalid
from jineng.registry.models import Occupation, Organization, Region, SkillLevel, TrainingSite

YES = {"是", "y", "yes", "true", "1", "√", "✓"}
NO = {"否", "n", "no", "false", "0", ""}
SEPARATORS = re.compile(r"[、;；,，\n]+")


class RowProblems:
    """Collects (field, message) pairs for one row; `check()` raises RowInvalid if any."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, text: str) -> None:
        self.items.append((field, text))

    def rules(self, problems: list[Problem], labels: dict[str, str]) -> None:
        for p in problems:
            self.add(p.field, message(p, labels))

    def has(self, field: str) -> bool:
        return any(f == field for f, _m in self.items)

    def check(self) -> None:
        if self.items:
            raise RowInvalid(*self.items)


def text(values: dict[str, str], name: str) -> str:
    return (values.get(name) or "").strip()


def decimal_value(values: dict[str, str], name: str, problems: RowProblems,
                  default: Decimal | None = None) -> Decimal | None:
    raw = text(values, name).replace(",", "").replace("，", "").replace("元", "")
    raw = raw.replace("¥", "").replace("￥", "").strip()
    if not raw:
        if default is None:
            problems.add(name, _("This field is required."))
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        problems.add(name, _("%(value)s is not a number.") % {"value": raw})
        return None
    if not value.is_finite():
        problems.add(name, _("%(value)s is not a number.") % {"value": raw})
        return None
    return value


def share_value(values: dict[str, str], name: str, problems: RowProblems,
                default: Decimal | None = None) -> Decimal | None:
    """A share written as 0.8 or 80%."""
    raw = text(values, name)
    percent = raw.endswith(("%", "％"))
    if percent:
        values = {**values, name: raw[:-1]}
    value = decimal_value(values, name, problems, default)
    if value is None:
        return None
    if percent:
        value = value / 100
    elif value > 1:
        problems.add(name, _("Write a share as 0.8 or 80%% (got %(value)s).") % {"value": raw})
        return None
    if value != value.quantize(Decimal("0.001")):
        problems.add(name, _("Use at most three decimal places for a share (got %(value)s).")
                     % {"value": raw})
        return None
    return value


def int_value(values: dict[str, str], name: str, problems: RowProblems, *,
              required: bool = True) -> int | None:
    raw = text(values, name).replace(",", "")
    if not raw:
        if required:
            problems.add(name, _("This field is required."))
        return None
    try:
        number = Decimal(raw)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        problems.add(name, _("%(value)s is not a whole number.") % {"value": raw})
        return None
    return int(number)


def date_value(values: dict[str, str], name: str, problems: RowProblems) -> dt.date | None:
    raw = text(values, name)
    if not raw:
        return None
    cleaned = re.sub(r"[年月./]", "-", raw[:10]).rstrip("日").rstrip("-")
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in cleaned.split("-")))
    except ValueError:
        problems.add(name, _("%(value)s is not a date; write it as 2025-01-31.")
                     % {"value": raw})
        return None


def bool_value(values: dict[str, str], name: str, problems: RowProblems) -> bool:
    raw = text(values, name).lower()
    if raw in YES:
        return True
    if raw in NO:
        return False
    problems.add(name, _("Write 是 or 否 (got %(value)s).") % {"value": raw})
    return False


def choice_value(values: dict[str, str], name: str, aliases: dict[str, str],
                 problems: RowProblems, *, required: bool = True) -> str:
    raw = text(values, name)
    if not raw:
        if required:
            problems.add(name, _("This field is required."))
        return ""
    value = aliases.get(raw) or aliases.get(raw.lower())
    if value is None:
        problems.add(name, _("Unknown value %(value)s; use one of: %(choices)s")
                     % {"value": raw, "choices": "、".join(sorted(
                         {k for k in aliases if not k.isascii()}))})
        return ""
    return value


def level_aliases() -> dict[str, SkillLevel]:
    """初级工, 五级, 初级工(五级), 初级工（五级） and the code all name the same rung."""
    aliases: dict[str, SkillLevel] = {}
    for level in SkillLevel.objects.all():
        names = [level.code, level.name]
        if level.national_grade:
            names += [level.national_grade, f"{level.name}({level.national_grade})",
                      f"{level.name}（{level.national_grade}）",
                      f"{level.national_grade}/{level.name}"]
        for n in names:
            aliases[n] = level
    return aliases


@dataclass
class ParseContext:
    """What every row of one import needs, loaded once."""

    catalog: Any
    version: Any
    spec: Any
    amount_cap: Decimal
    version_period: Period
    province_prefix: str
    base_facts: list[EntryFacts] = field(default_factory=list)
    existing: list[EntryFacts] = field(default_factory=list)
    overlaps: OverlapIndex | None = None
    base_by_key: dict[tuple, list[EntryFacts]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.overlaps = OverlapIndex(self.existing)
        for fact in self.base_facts:
            self.base_by_key.setdefault(fact.key, []).append(fact)
    _occupations: dict[str, Occupation] | None = None
    _levels: dict[str, SkillLevel] | None = None
    _regions: dict[str, Region] | None = None
    _orgs: dict[str, Organization | None] = field(default_factory=dict)
    _sites: dict[int, dict[str, TrainingSite]] = field(default_factory=dict)

    # --- registry look-ups -----------------------------------------------------------------

    def occupation(self, values: dict[str, str], problems: RowProblems, *,
                   required: bool) -> Occupation | None:
        if self._occupations is None:
            self._occupations = {}
            names: dict[str, list[Occupation]] = {}
            for occ in Occupation.objects.all():
                names.setdefault(occ.name, []).append(occ)
                if occ.code:
                    self._occupations[occ.code] = occ
            for name, found in names.items():
                # a name shared by several entries (a 工种 under two occupations) needs the code
                self._occupations[name] = found[0] if len(found) == 1 else None
        code, name = text(values, "occupation_code"), text(values, "occupation")
        if not code and not name:
            if required:
                problems.add("occupation", _("This field is required."))
            return None
        by_code = self._occupations.get(code) if code else None
        by_name = self._occupations.get(name) if name else None
        if code and by_code is None:
            problems.add("occupation_code", _("Unknown occupation code %(code)s.")
                         % {"code": code})
            return None
        if name and by_name is None and by_code is None:
            if name in self._occupations:
                problems.add("occupation", _("Several occupations are named %(name)s: give the "
                                             "occupation code as well.") % {"name": name})
            else:
                problems.add("occupation", _("Unknown occupation %(name)s: use the name or code "
                                             "of the 2022 classification as in the occupation "
                                             "list.") % {"name": name})
            return None
        if by_code and name and by_code.name != name:
            problems.add("occupation", _("The code %(code)s is %(real)s, not %(name)s.")
                         % {"code": code, "real": by_code.name, "name": name})
            return None
        return by_code or by_name

    def level(self, values: dict[str, str], name: str, problems: RowProblems, *,
              required: bool = False) -> SkillLevel | None:
        if self._levels is None:
            self._levels = level_aliases()
        raw = text(values, name)
        if not raw:
            if required:
                problems.add(name, _("This field is required."))
            return None
        level = self._levels.get(raw) or self._levels.get(raw.replace(" ", ""))
        if level is None:
            problems.add(name, _("Unknown skill level %(value)s; use 学徒工, 初级工(五级) … "
                                 "首席技师.") % {"value": raw})
        return level

    def region(self, values: dict[str, str], problems: RowProblems) -> Region | None:
        """The region a row applies to (a subtree); empty: the catalog's own region."""
        if self._regions is None:
            prefix = self.catalog.region.scope_prefix
            self._regions = {}
            for r in Region.objects.filter(code__startswith=prefix, is_active=True):
                self._regions[r.code] = r
                self._regions.setdefault(f"name:{r.name}", r)
        code, name = text(values, "region_code"), text(values, "region")
        if not code and not name:
            return self.catalog.region
        found = self._regions.get(code) if code else self._regions.get(f"name:{name}")
        if found is None:
            field_name = "region_code" if code else "region"
            problems.add(field_name, _("%(value)s is not a region within %(region)s.")
                         % {"value": code or name, "region": self.catalog.region.name})
            return None
        if code and name and found.name != name:
            problems.add("region", _("The region code %(code)s is %(real)s, not %(name)s.")
                         % {"code": code, "real": found.name, "name": name})
            return None
        return found

    def organization(self, values: dict[str, str], problems: RowProblems,
                     kinds: tuple[str, ...]) -> Organization | None:
        code = text(values, "credit_code").upper()
        if not code:
            problems.add("credit_code", _("This field is required."))
            return None
        if code not in self._orgs:
            self._orgs[code] = (Organization.objects.select_related("region")
                                .filter(credit_code=code).first())
        org = self._orgs[code]
        if org is None or not org.region.code.startswith(self.province_prefix):
            problems.add("credit_code", _("No organization with the credit code %(code)s is "
                                          "registered in this province.") % {"code": code})
            return None
        name = text(values, "organization")
        if name and name != org.name:
            problems.add("organization", _("The credit code %(code)s belongs to %(real)s, "
                                           "not %(name)s.")
                         % {"code": code, "real": org.name, "name": name})
        if org.kind not in kinds:
            problems.add("credit_code", _("%(name)s is registered as %(kind)s, which cannot be "
                                          "listed in this catalog.")
                         % {"name": org.name, "kind": org.get_kind_display()})
        if org.status == "revoked":
            problems.add("credit_code", _("%(name)s has been revoked and cannot be listed.")
                         % {"name": org.name})
        return org

    def sites(self, org: Organization, values: dict[str, str],
              problems: RowProblems) -> list[int]:
        raw = text(values, "sites")
        if not raw:
            return []
        if org.pk not in self._sites:
            self._sites[org.pk] = {s.name: s for s in TrainingSite.objects.filter(
                organization=org)}
        ids = []
        for name in [n.strip() for n in SEPARATORS.split(raw) if n.strip()]:
            site = self._sites[org.pk].get(name)
            if site is None:
                problems.add("sites", _("%(org)s has no registered training site named "
                                        "%(site)s.") % {"org": org.name, "site": name})
            else:
                ids.append(site.pk)
        return sorted(set(ids))

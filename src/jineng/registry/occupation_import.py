"""Importing the full occupation classification (2022 《职业分类大典》): groups, occupations and
their 工种, from CSV (UTF-8, UTF-8 with BOM or GBK) or .xlsx.

Columns: 代码 (code), 名称 (name, required), 层级 (rank, optional: derived from the code's
shape — "4" 大类, "4-10" 中类, "4-10-01" 小类, "4-10-01-05" 职业, "4-10-01-05-01" 工种) and
上级代码 (parent_code, only for a 工种 listed without a numeric code of its own). A coded row's
parent is the code minus its last part and must be in the file or already in the database.

The caller names the file's source (`source`), stored as `code_source` of every entry the import
creates or changes. An uncoded, flagged entry (named by a policy, code not yet confirmed) whose
name appears in the file with a code gets that code, and its flag is cleared. A file with any
bad row writes nothing unless `skip_bad_rows`; importing the same file again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core import audit
from jineng.core.errors import DomainError, Forbidden
from jineng.core.importing import Column, ImportReport, RowInvalid, run_import
from jineng.core.scoping import scope_of
from jineng.core.tabular import Row
from jineng.registry.choices import OccupationRank
from jineng.registry.data.occupations import CODE_PATTERN, RANKS, parent_code_of, rank_of_code
from jineng.registry.models import Occupation

COLUMNS = [
    Column("code", "代码", help=gettext_lazy(
        "2022 classification code, e.g. 4-10-01-05; empty only for a 工种 without a code")),
    Column("name", "名称", required=True),
    Column("rank", "层级", help=gettext_lazy(
        "大类 / 中类 / 小类 / 职业 / 工种; derived from the code when empty")),
    Column("parent_code", "上级代码", help=gettext_lazy(
        "Only for a 工种 without a code: the code of its occupation")),
]

RANK_WORDS = {
    "大类": OccupationRank.MAJOR, "中类": OccupationRank.MIDDLE, "小类": OccupationRank.MINOR,
    "细类": OccupationRank.OCCUPATION, "职业": OccupationRank.OCCUPATION,
    "工种": OccupationRank.WORK_TYPE,
    **{value: value for value in OccupationRank.values},
}

DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "‐": "-", " ": "", "\u3000": ""})

SOURCE_MAX = Occupation._meta.get_field("code_source").max_length


@dataclass(frozen=True)
class ParsedOccupation:
    row: int
    code: str  # "" for a 工种 listed without a code
    name: str
    rank: str
    parent_code: str


def normalize_code(text: str) -> str:
    return text.strip().translate(DASHES)


def _check_row(row: Row) -> tuple[ParsedOccupation | None, list[tuple[str, str]]]:
    """Everything about one row that does not depend on other rows."""
    values = row.values
    name = values.get("name", "").strip()
    code = normalize_code(values.get("code", ""))
    rank_text = values.get("rank", "").strip()
    parent_text = normalize_code(values.get("parent_code", ""))
    problems: list[tuple[str, str]] = []
    if not name:
        problems.append(("name", _("This field is required.")))
    rank = ""
    if rank_text:
        rank = RANK_WORDS.get(rank_text, RANK_WORDS.get(rank_text.lower(), ""))
        if not rank:
            problems.append(("rank", _("Unknown level “%(value)s”: use 大类, 中类, 小类, 职业 "
                                       "or 工种.") % {"value": rank_text}))
    if code:
        if not CODE_PATTERN.match(code):
            problems.append(("code", _("“%(code)s” is not a classification code (like 4, "
                                       "4-10, 4-10-01, 4-10-01-05 or 4-10-01-05-01).")
                             % {"code": code}))
            return None, problems
        derived = rank_of_code(code)
        if rank and rank != derived:
            problems.append(("rank", _("The level does not match the code %(code)s.")
                             % {"code": code}))
        if parent_text and parent_text != parent_code_of(code):
            problems.append(("parent_code", _("A coded entry's parent is the code without its "
                                              "last part (%(parent)s).")
                             % {"parent": parent_code_of(code) or "—"}))
        parent = parent_code_of(code)
        rank = derived
    else:
        if rank != OccupationRank.WORK_TYPE:
            problems.append(("code", _("A code is required (only a 工种 may be listed without "
                                       "one, with its occupation's code as 上级代码).")))
        elif not parent_text:
            problems.append(("parent_code", _("A 工种 without a code needs the code of its "
                                              "occupation.")))
        elif not CODE_PATTERN.match(parent_text) or rank_of_code(parent_text) != "occupation":
            problems.append(("parent_code", _("“%(code)s” is not an occupation code (like "
                                              "4-10-01-05).") % {"code": parent_text}))
        parent = parent_text
    if problems:
        return None, problems
    return ParsedOccupation(row.number, code, name, rank, parent), []


def analyse(rows: list[Row], known_codes: set[str]) -> dict[int, Any]:
    """Check every row, then the links between rows: duplicates, and parents that exist in the
    file (in a good row) or in the database. Returns row number → ParsedOccupation or a list of
    (field, message) problems."""
    results: dict[int, Any] = {}
    first_seen: dict[tuple[str, str], int] = {}
    for row in rows:
        parsed, problems = _check_row(row)
        if parsed is not None:
            key = (parsed.code, "") if parsed.code else (parsed.parent_code, parsed.name)
            if key in first_seen:
                field = "code" if parsed.code else "name"
                problems = [(field, _("Duplicate of row %(row)s.") % {"row": first_seen[key]})]
                parsed = None
            else:
                first_seen[key] = row.number
        results[row.number] = parsed if parsed is not None else problems
    good_codes = set(known_codes)
    for rank in RANKS:  # parents before children, so a bad parent also fails its children
        for number, item in results.items():
            if not isinstance(item, ParsedOccupation) or item.rank != rank:
                continue
            if item.parent_code and item.parent_code not in good_codes:
                field = "code" if item.code else "parent_code"
                results[number] = [(field, _("The parent %(parent)s is neither in the database "
                                             "nor in a good row of this file.")
                                    % {"parent": item.parent_code})]
            elif item.code:
                good_codes.add(item.code)
    return results


def _prepare(rows: list[Row], context: dict) -> None:
    """The whole file is checked at once: parents may come after their children."""
    known = set(Occupation.objects.exclude(code=None).values_list("code", flat=True))
    context["results"] = analyse(rows, known)


def _parse_row(row: Row, context: dict) -> ParsedOccupation:
    result = context["results"][row.number]
    if isinstance(result, ParsedOccupation):
        return result
    raise RowInvalid(*result)


def ensure_may_import(actor) -> None:
    """The classification is national reference data: system administrators and province
    staff maintain it."""
    scope = scope_of(actor)
    if scope.everything:
        return
    if (getattr(actor, "is_hrss_staff", False) and scope.region_prefix is not None
            and len(scope.region_prefix) == 2):
        return
    raise Forbidden(_("Only province staff or system administrators may import the "
                      "occupation classification."))


class _Saver:
    """Writes parsed rows level by level (parents first); counts (created, updated,
    unchanged)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.created = self.updated = self.unchanged = 0
        self.by_code = {o.code: o for o in Occupation.objects.exclude(code=None)}
        self.uncoded: dict[tuple[str, int | None], Occupation] = {
            (o.name, o.parent_id): o for o in Occupation.objects.filter(code=None)}

    def __call__(self, parsed: list[ParsedOccupation]) -> tuple[int, int, int]:
        for rank in RANKS:
            to_create = [occ for occ in (self._prepare(p) for p in parsed if p.rank == rank)
                         if occ is not None]
            Occupation.objects.bulk_create(to_create, batch_size=500)
            for occ in to_create:
                if occ.code:
                    self.by_code[occ.code] = occ
                else:
                    self.uncoded[(occ.name, occ.parent_id)] = occ
        return self.created, self.updated, self.unchanged

    def _prepare(self, p: ParsedOccupation) -> Occupation | None:
        """Update or leave an existing entry; return a new (unsaved) one to create."""
        parent = self.by_code[p.parent_code] if p.parent_code else None
        parent_id = parent.pk if parent else None
        if p.code:
            occ = self.by_code.get(p.code)
            if occ is None:
                # A policy-named entry (or a 工种 listed without a code) whose code is now known:
                # same name under the same parent, or a flagged entry with no parent yet.
                occ = self.uncoded.pop((p.name, parent_id), None) if parent_id else None
                occ = occ or self.uncoded.pop((p.name, None), None)
                if occ is None:
                    self.created += 1
                    return Occupation(code=p.code, name=p.name, rank=p.rank, parent=parent,
                                      code_source=self.source, needs_code=False)
                occ.code = p.code
                self.by_code[p.code] = occ
            elif (occ.name, occ.rank, occ.parent_id, occ.needs_code) == (
                    p.name, p.rank, parent_id, False):
                self.unchanged += 1
                return None
        else:
            occ = self.uncoded.get((p.name, parent_id))
            if occ is None:
                self.created += 1
                return Occupation(code=None, name=p.name, rank=p.rank, parent=parent,
                                  code_source=self.source, needs_code=False)
            if occ.rank == p.rank and not occ.needs_code:
                self.unchanged += 1
                return None
        occ.name, occ.rank, occ.parent = p.name, p.rank, parent
        occ.needs_code = False
        occ.code_source = self.source
        occ.save(update_fields=["code", "name", "rank", "parent", "code_source", "needs_code"])
        self.updated += 1
        return None


def import_occupations(*, actor, data: bytes, filename: str, source: str,
                       skip_bad_rows: bool = False) -> ImportReport:
    """Import a classification file (see the module docstring). Writes nothing from a file
    with errors unless `skip_bad_rows`; one audit event for the whole import."""
    ensure_may_import(actor)
    source = (source or "").strip()
    if not source:
        raise DomainError(_("Name the source of this file (document, edition, address)."),
                          field="source")
    if len(source) > SOURCE_MAX:
        raise DomainError(_("The source may be at most %(n)s characters.") % {"n": SOURCE_MAX},
                          field="source")

    saver = _Saver(source)
    report = run_import(data=data, filename=filename, columns=COLUMNS, parse_row=_parse_row,
                        prepare=_prepare, save=saver, skip_bad_rows=skip_bad_rows)
    if report.written and report.created + report.updated:
        audit.record_bulk_import(actor=actor, entity_type="registry.occupation",
                                 count=report.created + report.updated, source=source)
    return report


class OccupationImporter:
    """The classification importer in the shape of `registry.importers.Importer` (kind,
    title, columns, template, `check_actor`, `run`), so it can sit in `IMPORTERS`. It is not a
    subclass, to keep `importers` → `occupation_import` a one-way import. Its `run` needs the
    file's `source` besides the common arguments."""

    kind = "occupations"
    title = gettext_lazy("occupation classification")
    entity_type = "registry.occupation"
    sheet_title = "职业分类"
    columns = tuple(COLUMNS)
    text_columns = ("code", "parent_code")  # Excel would turn 4-10 into a date
    example = {"code": "4-10-01-05", "name": "养老护理员", "rank": "职业", "parent_code": ""}
    options = ("source",)

    def check_actor(self, actor) -> None:
        ensure_may_import(actor)

    def run(self, *, actor, data: bytes, filename: str, skip_bad_rows: bool = False,
            source: str = "") -> ImportReport:
        return import_occupations(actor=actor, data=data, filename=filename, source=source,
                                  skip_bad_rows=skip_bad_rows)

    def column_label(self, name: str) -> str:
        return next((str(c.label) for c in self.columns if c.name == name), name)

    def template_xlsx(self) -> bytes:
        from jineng.registry.importers import Importer  # the shared template layout

        return Importer.template_xlsx(self)  # type: ignore[arg-type]


importer = OccupationImporter()

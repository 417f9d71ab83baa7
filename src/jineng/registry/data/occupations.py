"""The occupations the seed policies name, with 2022 《职业分类大典》 codes where a public source
states them (data file `occupations.csv` beside this module; how it was checked:
docs/data-sources.md).

Columns of `occupations.csv`:

- `code` — the 2022-edition code, or empty where no source we read states it;
- `name`, `rank` (major / middle / minor / occupation / work_type), `parent_code`;
- `sources` — keys of `SOURCES` below (space-separated) for the code (or, for a 工种 without a
  numeric code, for its listing under the parent occupation); empty for flagged entries;
- `named_in` — which seed policy and clause name it (labels in `SEEDS`), empty for the few
  reference entries that no seed names;
- `named_as` — the words the policy uses, when they are not the occupation's own name;
- `note` — why an entry is flagged, or what changed from the 2015 edition.

Every coded row was read in a source describing the **2022** edition. Codes quoted from the
2015 edition or from the new-occupation notices issued against it were not used: the 2022
edition added occupations and revised groups, so an older code may now name something else.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).with_name("occupations.csv")

SOURCES = {
    "D22": (
        "大典2022分类体系表（github.com/Optima-Chat/china-jobs data/occupations_raw.json "
        "@ad60210，解析自《中华人民共和国职业分类大典（2022年版）》分类体系表）"
    ),
    "ZYSZ": (
        "人社部职业数字展馆 careerCode/typeWorks（github.com/Ericlee180/China-jobs-AI-Exposure "
        "occupations.csv @70e62e4）"
    ),
}

SEEDS = {
    "黔就劳发〔2025〕3号": (
        "贵州省就业促进和劳动保护工作领导小组关于开展大规模职业技能提升培训行动的实施意见"
        "（黔就劳发〔2025〕3号）"
    ),
    "连云港技耀港城方案": "连云港市“匠心筑梦·技耀港城”职业技能培训三年行动方案（2025—2027年）",
    "技能河南2025方案": "2025年度技能河南建设工作方案",
}

RANKS = ("major", "middle", "minor", "occupation", "work_type")

CODE_PATTERN = re.compile(r"^[1-8](?:-\d{2}){0,4}$")


def rank_of_code(code: str) -> str:
    """The level a code's shape implies: "4" major, "4-10" middle, "4-10-01" minor,
    "4-10-01-05" occupation, "4-10-01-05-01" 工种."""
    return RANKS[code.count("-")]


def parent_code_of(code: str) -> str:
    return code.rsplit("-", 1)[0] if "-" in code else ""


@dataclass(frozen=True)
class SeedOccupation:
    code: str
    name: str
    rank: str
    parent_code: str
    sources: tuple[str, ...]
    named_in: str
    named_as: str
    note: str

    @property
    def code_source(self) -> str:
        return "；".join(SOURCES[key] for key in self.sources)

    @property
    def needs_code(self) -> bool:
        return not self.code and not (self.rank == "work_type" and self.sources)


def read_seed_occupations() -> list[SeedOccupation]:
    """The rows of `occupations.csv`, checked for shape (a broken data file fails loudly)."""
    rows = list(csv.DictReader(io.StringIO(DATA_FILE.read_text(encoding="utf-8"))))
    result = []
    for number, r in enumerate(rows, start=2):
        item = SeedOccupation(
            code=r["code"].strip(), name=r["name"].strip(), rank=r["rank"].strip(),
            parent_code=r["parent_code"].strip(), sources=tuple(r["sources"].split()),
            named_in=r["named_in"].strip(), named_as=r["named_as"].strip(),
            note=r["note"].strip(),
        )
        problems = []
        if item.rank not in RANKS:
            problems.append(f"rank {item.rank!r}")
        if item.code and (not CODE_PATTERN.match(item.code)
                          or rank_of_code(item.code) != item.rank
                          or parent_code_of(item.code) != item.parent_code):
            problems.append(f"code {item.code!r} does not fit rank/parent")
        if item.code and not item.sources:
            problems.append("a code without a source")
        if any(key not in SOURCES for key in item.sources):
            problems.append(f"unknown source key in {item.sources}")
        if not item.name:
            problems.append("empty name")
        if problems:
            raise ValueError(f"{DATA_FILE.name} row {number}: " + ", ".join(problems))
        result.append(item)
    return result


def load_seed_occupations(occupation_model) -> tuple[int, int]:
    """Create or update the seed occupations, parents first; returns (created, already there).
    Idempotent: coded rows are matched by code, uncoded ones by name and parent (so an entry
    whose code was filled in later by the importer is not duplicated). Takes the model class so
    a data migration can pass its historical model."""
    items = read_seed_occupations()
    created = updated = 0
    by_code = {}
    for rank in RANKS:
        for item in (i for i in items if i.rank == rank):
            parent = by_code.get(item.parent_code) if item.parent_code else None
            if item.parent_code and parent is None:
                parent = occupation_model.objects.get(code=item.parent_code)
            if item.code:
                fields = {"name": item.name, "rank": item.rank, "parent": parent,
                          "code_source": item.code_source, "needs_code": False,
                          "named_in": item.named_in}
                occ, was_created = occupation_model.objects.update_or_create(
                    code=item.code, defaults=fields)
                by_code[item.code] = occ
            else:
                occ = occupation_model.objects.filter(name=item.name, parent=parent).first()
                was_created = occ is None
                if was_created:
                    occupation_model.objects.create(
                        code=None, name=item.name, rank=item.rank, parent=parent,
                        code_source=item.code_source, needs_code=item.needs_code,
                        named_in=item.named_in,
                    )
                else:
                    wanted = {"named_in": item.named_in}
                    if occ.code is None:  # still uncoded: the seed's flag and citation hold
                        wanted |= {"needs_code": item.needs_code,
                                   "code_source": item.code_source}
                    changed = [k for k, v in wanted.items() if getattr(occ, k) != v]
                    for key in changed:
                        setattr(occ, key, wanted[key])
                    if changed:
                        occ.save(update_fields=changed)
            created += was_created
            updated += not was_created
    return created, updated

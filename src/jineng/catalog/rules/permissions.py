"""Who may do what with a catalog (a pure matrix, tested table by table).

- Base catalogs are the province's: staff of that province draft, submit and publish them.
- A supplement (补充目录) belongs to the city or county that files it: only that office's staff
  draft and submit it; the province that owns the base approves (publishes) or rejects it
  (报省级主管部门备案实施, Hunan (四)).
- Everyone else reads published versions only.
"""

from __future__ import annotations

from dataclasses import dataclass

EDIT = "edit"  # create a catalog or a draft, change entries, submit for review
PUBLISH = "publish"  # publish a base version, or approve a supplement's filing
REJECT = "reject"
ACTIONS = (EDIT, PUBLISH, REJECT)


@dataclass(frozen=True)
class ActorFacts:
    everything: bool = False  # system administrator or a system job
    hrss_staff: bool = False
    region_code: str | None = None


@dataclass(frozen=True)
class CatalogFacts:
    region_code: str
    base_region_code: str | None = None  # set for supplements: the province owning the base

    @property
    def is_supplement(self) -> bool:
        return self.base_region_code is not None


def may(action: str, actor: ActorFacts, catalog: CatalogFacts) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if actor.everything:
        return True
    if not actor.hrss_staff or actor.region_code is None:
        return False
    if not catalog.is_supplement:
        return actor.region_code == catalog.region_code
    if action == EDIT:
        return actor.region_code == catalog.region_code
    return actor.region_code == catalog.base_region_code

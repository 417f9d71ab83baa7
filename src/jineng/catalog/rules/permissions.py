"""Who may do what with a catalog: one vocabulary for the services (`ensure` there, which
raises) and for views and templates (`may_*` here, and the `catalog_actions` /
`version_actions` dicts a page renders from), so a page offers a form exactly to those whose
write the service accepts. Pure: the caller describes the actor and the catalog as facts
(see `catalog.services.actor_facts`); no Django here.

- Base catalogs are the province's: staff of that province draft, submit and publish them.
- A supplement (补充目录) belongs to the city or county that files it: only that office's staff
  draft and submit it; the province that owns the base approves (publishes) or rejects it
  (报省级主管部门备案实施, Hunan (四)).
- Industry departments, institutions, inspectors and the public read published versions only.
- System administrators (and system jobs) may do all of it; only a system job purges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# VersionStatus values (tests/catalog/test_permissions.py keeps them equal to the choices).
DRAFT = "draft"
REVIEW = "review"
REJECTED = "rejected"


@dataclass(frozen=True)
class ActorFacts:
    everything: bool = False  # system administrator or a system job
    system: bool = False  # a system job itself (never a person)
    hrss_staff: bool = False
    region_code: str | None = None  # the staff member's own region


@dataclass(frozen=True)
class CatalogFacts:
    region_code: str
    base_region_code: str | None = None  # set for supplements: the province owning the base

    @property
    def is_supplement(self) -> bool:
        return self.base_region_code is not None


def _staff_of(actor: ActorFacts, region_code: str | None) -> bool:
    if actor.everything:
        return True
    return actor.hrss_staff and actor.region_code is not None and actor.region_code == region_code


def _keeps(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    """The office that issues the catalog (or files the supplement) keeps its drafts."""
    return _staff_of(actor, catalog.region_code)


def _approves(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    """A base catalog is published by its province; a supplement approved by the base's."""
    return _staff_of(actor, catalog.base_region_code or catalog.region_code)


# --- catalogs --------------------------------------------------------------------------------

def may_create_catalogs(actor: ActorFacts) -> bool:
    """The "new catalog" form: staff with a region of their own create their region's base
    catalog (a province) or supplement (a city or county)."""
    return actor.region_code is not None and (actor.everything or actor.hrss_staff)


def may_create_catalog(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _keeps(actor, catalog)


def may_purge(actor: ActorFacts) -> bool:
    """Published catalogs are permanent; only a system job (removing the demo) deletes them."""
    return actor.system


# --- versions and entries (role and region only; the version's status is checked under lock
# by the services, and by `version_actions` for the page) ------------------------------------

def may_create_draft(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _keeps(actor, catalog)


def may_update_draft(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _keeps(actor, catalog)


def may_discard_draft(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _keeps(actor, catalog)


def may_add_entry(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _keeps(actor, catalog)


def may_delete_entry(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _keeps(actor, catalog)


def may_import_entries(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _keeps(actor, catalog)


def may_submit(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _keeps(actor, catalog)


def may_reopen(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _keeps(actor, catalog)


def may_publish(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _approves(actor, catalog)


def may_reject(actor: ActorFacts, catalog: CatalogFacts) -> bool:
    return _approves(actor, catalog)


Predicate = Callable[[ActorFacts, CatalogFacts], bool]
APPROVALS: frozenset[Predicate] = frozenset({may_publish, may_reject})


# --- what a page offers ----------------------------------------------------------------------

def catalog_actions(actor: ActorFacts, catalog: CatalogFacts, *,
                    has_open_version: bool) -> dict[str, bool]:
    """The catalog page: a new draft while no version is in preparation; a link to a version
    in preparation for those who keep or approve it."""
    return {"create_draft": may_create_draft(actor, catalog) and not has_open_version,
            "manage": _keeps(actor, catalog) or _approves(actor, catalog)}


def version_actions(actor: ActorFacts, catalog: CatalogFacts, status: str) -> dict[str, bool]:
    """The version page: each form and button, by role, region and the version's status."""
    draft, review = status == DRAFT, status == REVIEW
    return {
        "update": draft and may_update_draft(actor, catalog),
        "discard": draft and may_discard_draft(actor, catalog),
        "add_entry": draft and may_add_entry(actor, catalog),
        "delete_entry": draft and may_delete_entry(actor, catalog),
        "import": draft and may_import_entries(actor, catalog),
        "submit": draft and may_submit(actor, catalog),
        "publish": review and may_publish(actor, catalog),
        "reject": review and may_reject(actor, catalog),
        "reopen": status == REJECTED and may_reopen(actor, catalog),
    }

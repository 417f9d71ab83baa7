"""Who may do what in the registries: one vocabulary for services (`ensure_*` there) and for
views and templates (`may_*` here), so a form is shown exactly to those whose write the service
will accept. Pure: the caller describes the actor as `ActorFacts` (see
`registry.services.actor_facts`); no Django here.

Regions are compared by code: an actor governs a region when the region's code starts with the
actor's scope prefix (province "52", city "5201", county "520102")."""

from __future__ import annotations

from dataclasses import dataclass

STAFF_ONLY_IMPORTS = frozenset({"regions", "organizations", "occupations"})


@dataclass(frozen=True)
class ActorFacts:
    everything: bool = False  # superuser / system jobs
    hrss_staff: bool = False  # HRSS staff of a region (province, city, county)
    region_prefix: str | None = None  # the subtree a staff member governs
    organization_id: int | None = None  # institution / enterprise users
    sees_persons: bool = False
    may_unmask: bool = False  # holds registry.unmask_id_number


def is_staff(actor: ActorFacts) -> bool:
    """HRSS staff with a jurisdiction (or the system)."""
    return actor.everything or (actor.hrss_staff and actor.region_prefix is not None)


def governs(actor: ActorFacts, region_code: str) -> bool:
    """Staff writing inside their subtree."""
    if actor.everything:
        return True
    return is_staff(actor) and region_code.startswith(actor.region_prefix or "#")


# --- organizations --------------------------------------------------------------------------

def may_register_organizations(actor: ActorFacts) -> bool:
    return is_staff(actor)


def may_edit_organization(actor: ActorFacts, region_code: str) -> bool:
    """Details (name, address, legal representative, phone, sector, region) are corrected by
    staff governing the organization's region; a move needs the new region governed too."""
    return governs(actor, region_code)


def may_change_organization_status(actor: ActorFacts, region_code: str) -> bool:
    return governs(actor, region_code)


# --- persons --------------------------------------------------------------------------------

def may_register_persons(actor: ActorFacts) -> bool:
    return actor.sees_persons and (is_staff(actor) or actor.organization_id is not None)


def may_edit_person(actor: ActorFacts, region_code: str) -> bool:
    """A person's details (name, phone, region served in) are corrected by staff governing the
    region the person is served in."""
    return actor.sees_persons and governs(actor, region_code)


def may_merge_persons(actor: ActorFacts, duplicate_region: str, survivor_region: str) -> bool:
    """Merging touches both records: staff governing both regions."""
    return (actor.sees_persons and governs(actor, duplicate_region)
            and governs(actor, survivor_region))


def may_add_key_group(actor: ActorFacts, region_code: str) -> bool:
    return governs(actor, region_code)


def may_unmask_id_number(actor: ActorFacts) -> bool:
    return actor.sees_persons and actor.may_unmask


# --- imports --------------------------------------------------------------------------------

def may_import(actor: ActorFacts, kind: str) -> bool:
    """Regions, organizations and occupations: staff. Sites: staff and an organization's own
    users. Persons: staff who see persons, and institutions (as themselves)."""
    if kind in STAFF_ONLY_IMPORTS:
        return is_staff(actor)
    if kind == "sites":
        return is_staff(actor) or actor.organization_id is not None
    if kind == "persons":
        return (is_staff(actor) and actor.sees_persons) or actor.organization_id is not None
    return False

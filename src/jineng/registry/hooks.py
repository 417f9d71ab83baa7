"""What the registry lets higher apps plug in (published: other apps may import this module).

`person_reference_movers`: when staff merge a person registered twice into the surviving
record (`services.person_merge`), every registered mover is called inside the merge's
transaction, with both persons locked, to move the records of its app that point at the
duplicate over to the survivor:

    def move(*, duplicate: Person, survivor: Person, actor) -> int

It returns how many records it moved (kept in the merge record and its audit event) and may
raise `core.errors.Conflict` when its records cannot be combined (e.g. both persons enrolled in
the same class): the whole merge is then refused and nothing moves. Apps register in their
`AppConfig.ready()` under a key naming what they move, e.g. "training.enrollment".

`persons_served`: the persons an organization serves in a higher app, which its operators may
therefore read (trainees enrolled in a training institution's classes):

    def served(organization_id: int) -> QuerySet  # of person ids: .values("person_id")

Person scoping (`models.person_scope_q`) adds one semi-join per provider.

`person_page_links`: links a higher app adds to the staff page of a person (the person's skill
record, …), shown beside the page's own actions:

    def links(*, actor, person: Person) -> list[PageLink]  # [] when the actor may not use them

Providers are called after the person was read in the actor's scope; each returns only links
the actor may follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jineng.core.hooks import Providers

PersonMover = Callable[..., int]

person_reference_movers: Providers[PersonMover] = Providers("registry.person_reference_movers")


def move_person_references(*, duplicate: Any, survivor: Any, actor: Any) -> dict[str, int]:
    """Call every registered mover; {key: records moved}."""
    return {key: int(mover(duplicate=duplicate, survivor=survivor, actor=actor))
            for key, mover in person_reference_movers.items()}


PersonIds = Callable[[int], Any]

persons_served: Providers[PersonIds] = Providers("registry.persons_served")


@dataclass(frozen=True)
class PageLink:
    label: str
    url: str
    id: str = ""  # the element id (for tests and browser automation)


PersonPageLinks = Callable[..., list[PageLink]]

person_page_links: Providers[PersonPageLinks] = Providers("registry.person_page_links")


def person_links(*, actor: Any, person: Any) -> list[PageLink]:
    """Every registered provider's links for the person's page, in registration order."""
    return [link for _name, links in person_page_links.call(actor=actor, person=person)
            for link in (links or [])]

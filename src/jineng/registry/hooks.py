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
"""

from __future__ import annotations

from collections.abc import Callable
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

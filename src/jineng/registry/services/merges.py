"""Merging a person registered twice into the record to keep: everything attached moves to the
survivor (key groups here, the higher apps' records through registry.hooks), one transaction,
one audit event."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.registry.hooks import move_person_references
from jineng.registry.models import KeyGroupMembership, Person, PersonMerge
from jineng.registry.rules import permissions as may
from jineng.registry.services.common import _require_reason, actor_facts


def ensure_may_merge(actor, duplicate: Person, survivor: Person) -> None:
    if not may.may_merge_persons(actor_facts(actor), duplicate.region.code,
                                 survivor.region.code):
        raise Forbidden(_("Only HRSS staff governing both persons' regions may merge them."))


def _move_key_groups(duplicate: Person, survivor: Person) -> int:
    """Memberships move to the survivor; one the survivor already has (same group and start)
    is kept once, the survivor's."""
    held = set(KeyGroupMembership.objects.filter(person=survivor)
               .values_list("group", "start_date"))
    moved = 0
    for row in KeyGroupMembership.objects.filter(person=duplicate).select_for_update():
        if (row.group, row.start_date) in held:
            row.delete()
        else:
            row.person = survivor
            row.save(update_fields=["person"])
            moved += 1
    return moved


def person_merge(*, actor, duplicate: Person, survivor: Person, reason: str) -> PersonMerge:
    """Merge a person registered twice (an old 15-digit number and its 18-character form, a
    typo corrected later) into the surviving record. Everything attached moves to the survivor:
    key-group memberships here, and whatever higher apps registered in
    `registry.hooks.person_reference_movers` (training enrollments, …). The duplicate is kept,
    marked `merged_into` the survivor (its number still finds the survivor); nothing is
    deleted. Both persons are locked; the merge is one transaction and one audit event.

    Either person out of the actor's scope answers NotFound; staff governing both regions only
    (Forbidden); a person already merged, or the same person twice, is a Conflict."""
    visible = Person.objects.visible_to(actor)
    if not visible.filter(pk=duplicate.pk).exists():
        raise NotFound()
    if not visible.filter(pk=survivor.pk).exists():
        raise DomainError(_("No such person."), field="survivor", code="not_found")
    ensure_may_merge(actor, duplicate, survivor)
    if duplicate.pk == survivor.pk:
        raise DomainError(_("A person cannot be merged into themselves."), field="survivor")
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = {p.pk: p for p in Person.objects.select_for_update()
                  .filter(pk__in=[duplicate.pk, survivor.pk]).order_by("pk")}
        duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
        if duplicate.merged_into_id:
            raise Conflict(_("This person was already merged into another record."),
                           field="", code="already_merged")
        if survivor.merged_into_id:
            raise Conflict(_("The surviving record was itself merged into another; merge into "
                             "that one."), field="survivor", code="already_merged")
        moved = {"registry.key_group_membership": _move_key_groups(duplicate, survivor)}
        moved.update(move_person_references(duplicate=duplicate, survivor=survivor,
                                            actor=actor))
        duplicate.merged_into = survivor
        duplicate.save(update_fields=["merged_into"])
        merge = PersonMerge.objects.create(
            duplicate=duplicate, survivor=survivor, reason=reason, moved=moved,
            merged_by=getattr(actor, "username", "") or "system")
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=duplicate,
                     before={"merged_into_id": None},
                     after={"merged_into_id": survivor.pk, "survivor": str(survivor),
                            "moved": moved},
                     reason=reason)
    return merge

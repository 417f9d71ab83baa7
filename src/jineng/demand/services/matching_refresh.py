"""Wish matches follow the classes and the wishes (issue 14): a class proposed to a wish may be
cancelled, suspended, finished or filled, and a new class may be approved; a worker may change
their wish. The stored matches are refreshed then, not only when staff match again:

- **a class changes** (training's `hooks.class_changed`: approve, open, cancel, suspend, resume,
  reject, return, finish, or a resubmitted declaration): `class_matches_refresh` re-checks the
  class against every matchable wish that wished its occupation (or its parent) or holds a
  match of it. A match that no longer fits is removed (the worker, if told of it, is told it is
  withdrawn); one that still fits gets its reasons and score of today; a wish it now fits
  gets it when the wish has fewer than five matches or the class scores above the wish's
  lowest (the engine's "best five", against what the wish holds);
- **a wish is updated** (a repeat from the form, `wish_submit`): `wish_matches_refresh`
  matches the wish again against the offered classes of its occupations, as `wish_match`
  does, and removes its matches that no longer fit (its old occupations, a place now too far).

Both run in a background task (django-tasks, the database queue `jineng jobs-run` works off),
queued in the transaction of the change: nothing is queued for a change rolled back, and the
class change or the public form never waits for matching. The tasks run as the system (no
user asked: audited as "system"). A wish left without a match goes back from "classes
proposed" to open; one given its first goes from open to "classes proposed". New classes are
told by SMS once per class, as in `wish_match`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, sms
from jineng.core.models import AuditAction
from jineng.demand.choices import WishStatus
from jineng.demand.models import TrainingWish, WishMatch
from jineng.demand.rules import matching as rules
from jineng.demand.rules import matching_vector as vector
from jineng.demand.selectors import matching as selectors
from jineng.demand.services.matching import _sms_text

__all__ = ["RefreshRun", "class_matches_refresh", "on_class_changed", "wish_matches_refresh",
           "wish_refresh_queue"]

logger = logging.getLogger(__name__)

CHUNK = 5_000  # wishes refreshed per transaction
# Class steps after which nothing is offered any more or anew: settle follows finish.
QUIET_ACTIONS = frozenset({"settle", "assess"})


class RefreshRun:
    """What a refresh did: wishes looked at, matches added, updated and removed, wishes
    told."""

    def __init__(self) -> None:
        self.wishes = 0
        self.added = 0
        self.updated = 0
        self.removed = 0
        self.told = 0
        self.messages: list[tuple[str, str]] = []

    def as_dict(self) -> dict[str, int]:
        return {"wishes": self.wishes, "added": self.added, "updated": self.updated,
                "removed": self.removed, "told": self.told}


# --- queueing (cheap; called inside the change's transaction) --------------------------------

def on_class_changed(*, training_class, action: str, **_who) -> None:
    """training.hooks.class_changed (called with the `actor` of the change, not needed: the
    refresh runs as the system): queue a refresh of the class's matches when it may have
    matches to follow (it had some, or it is offered now)."""
    from jineng.demand.services import matching_jobs

    if action in QUIET_ACTIONS:
        return
    offered = training_class.status in selectors.OFFERED_STATES
    if not offered and not WishMatch.objects.filter(
            training_class_id=training_class.pk).exists():
        return
    matching_jobs.refresh_class_matches.enqueue(class_id=training_class.pk)


def wish_refresh_queue(wish: TrainingWish) -> bool:
    """After a repeat of a wish (wish_submit): queue the refresh of a wish that holds
    matches. A wish never matched waits for staff's next matching. Answers whether queued."""
    from jineng.demand.services import matching_jobs

    if wish.status not in selectors.MATCHABLE_WISHES or not WishMatch.objects.filter(
            wish_id=wish.pk).exists():
        return False
    matching_jobs.refresh_wish_matches.enqueue(wish_id=wish.pk)
    return True


# --- the refresh ------------------------------------------------------------------------------

def _withdrawn_text(names: list[str]) -> str:
    return _("jineng: a class proposed for your training wish is no longer offered to you: "
             "%(classes)s.") % {"classes": "；".join(names[:3])}


def _store(wish_ids: list[int], offered: selectors.OfferedClasses, today: dt.date,
           now: dt.datetime, run: RefreshRun, *, only_class: int | None,
           tell_withdrawn: bool) -> None:
    """Refresh the matches of these wishes (locked here) inside the caller's transaction:
    with `only_class`, the matches of that one class (offered holds it, if offered); else
    every match of the wishes (offered holds every class of their occupations)."""
    qs = TrainingWish.objects.filter(pk__in=wish_ids, status__in=selectors.MATCHABLE_WISHES)
    list(qs.select_for_update().values_list("pk", flat=True))  # one run per wish
    arrays, rows = selectors.wish_arrays(qs)
    run.wishes += len(rows)
    if not rows:
        return
    ids = list(rows)
    existing = WishMatch.objects.filter(wish_id__in=ids)
    if only_class is not None:
        existing = existing.filter(training_class_id=only_class)
    held = {(m.wish_id, m.training_class_id): m for m in existing}
    facts: dict[int, rules.WishFacts] = {}

    def verdict(wid: int, cid: int) -> rules.Verdict | None:
        if cid not in offered.index:
            return None
        wf = facts.get(wid) or facts.setdefault(wid, selectors.wish_facts(rows[wid]))
        v = rules.match_class(wf, offered.facts(cid), today.toordinal())
        return v if v.fits else None

    # Matches held: still fitting → today's reasons; else removed.
    stale, changed = [], []
    withdrawn: dict[int, list[str]] = defaultdict(list)
    for (wid, cid), m in held.items():
        v = verdict(wid, cid)
        if v is None:
            stale.append(m.pk)
            if m.notified_at is not None and tell_withdrawn:
                withdrawn[wid].append(cid)
            continue
        score = round(v.score, 3)
        km = None if v.distance_km is None else round(v.distance_km, 1)
        if (float(m.score), None if m.distance_km is None else float(m.distance_km),
                m.reasons) != (score, km, v.reasons):
            m.score, m.distance_km, m.reasons = score, km, v.reasons
            changed.append(m)
    if stale:
        WishMatch.objects.filter(pk__in=stale).delete()
    if changed:
        WishMatch.objects.bulk_update(changed, ["score", "distance_km", "reasons"],
                                      batch_size=1000)
    run.removed += len(stale)
    run.updated += len(changed)

    # New pairs: the engine's best five of each wish among the offered classes.
    found = vector.match(arrays, offered.arrays, today.toordinal())
    standing = {}
    if only_class is not None:
        # Against what each wish holds of other classes: fewer than five, or above the lowest.
        standing = {w: (n, float(low)) for w, n, low in
                    WishMatch.objects.filter(wish_id__in=ids).exclude(
                        training_class_id=only_class).values("wish_id")
                    .annotate(n=Count("id"), low=Min("score"))
                    .values_list("wish_id", "n", "low")}
    new: list[WishMatch] = []
    per_wish: dict[int, list[tuple[str, dt.date, float]]] = defaultdict(list)
    for wid, cid, score, km in zip(found.wish_id.tolist(), found.class_id.tolist(),
                                   found.score.tolist(), found.distance_km.tolist(),
                                   strict=True):
        if (wid, cid) in held:
            continue
        if only_class is not None:
            n, low = standing.get(wid, (0, 0.0))
            if n >= rules.MAX_MATCHES_PER_WISH and round(score, 3) <= low:
                continue
        v = verdict(wid, cid)
        if v is None:  # the engine and the rule agree (tested); never store a misfit
            continue
        new.append(WishMatch(wish_id=wid, training_class_id=cid, score=round(score, 3),
                             distance_km=round(km, 1), reasons=v.reasons, notified_at=now))
        name, start = offered.names.get(cid, (str(cid), today))
        per_wish[wid].append((name, start, km))
    WishMatch.objects.bulk_create(new, batch_size=2000)
    run.added += len(new)

    # Statuses: a first match → "classes proposed"; none left → open again.
    if per_wish:
        (TrainingWish.objects.filter(pk__in=list(per_wish), status=WishStatus.OPEN)
         .update(status=WishStatus.MATCHED))
        TrainingWish.objects.filter(pk__in=list(per_wish)).update(notified_at=now)
    if stale:
        still = set(WishMatch.objects.filter(wish_id__in=ids).values_list("wish_id", flat=True))
        emptied = [w for w in ids if w not in still]
        if emptied:
            (TrainingWish.objects.filter(pk__in=emptied, status=WishStatus.MATCHED)
             .update(status=WishStatus.OPEN))

    # Messages, sent after the commit.
    told = set(per_wish) | set(withdrawn)
    if told:
        phones = dict(TrainingWish.objects.filter(pk__in=list(told)).values_list("pk", "phone"))
        names = _class_names(sorted({c for cs in withdrawn.values() for c in cs}))
        for wid in sorted(told):
            if wid in per_wish:
                run.messages.append((phones[wid], _sms_text(per_wish[wid])))
            if wid in withdrawn:
                run.messages.append((phones[wid], _withdrawn_text(
                    [names.get(c, str(c)) for c in withdrawn[wid]])))
            run.told += 1


def _class_names(class_ids: list[int]) -> dict[int, str]:
    if not class_ids:
        return {}
    from jineng.training.models import TrainingClass

    return dict(TrainingClass.objects.filter(pk__in=class_ids).values_list("pk", "name"))


def _send_after_commit(messages: list[tuple[str, str]]) -> None:
    def send() -> None:
        for phone, text in messages:
            sms.send(phone, text)

    if messages:
        transaction.on_commit(send)


def class_matches_refresh(class_id: int, *, now: dt.datetime | None = None,
                          tell: bool = True) -> RefreshRun:
    """Refresh the matches of one class after it changed (see the module): every matchable
    wish of its province that wished its occupation (or its parent) or holds a match of it,
    CHUNK wishes per transaction, each audited as the system."""
    from jineng.training.models import TrainingClass

    run = RefreshRun()
    cls = (TrainingClass.objects.filter(pk=class_id).select_related("region", "occupation")
           .first())
    if cls is None:
        return run
    now = now or timezone.now()
    today = timezone.localdate(now)
    prefix = selectors.province_prefix(cls.region.code)
    offered = selectors.offered_classes(prefix, today=today, now=now, with_names=True,
                                        class_ids=[cls.pk])
    reach = [cls.occupation_id] + ([cls.occupation.parent_id]
                                   if cls.occupation.parent_id else [])
    wanting = (Q(occupations__in=reach) if cls.pk in offered.index else Q(pk__in=[]))
    ids = sorted(set(
        TrainingWish.objects.filter(wanting, region__code__startswith=prefix,
                                    status__in=selectors.MATCHABLE_WISHES)
        .values_list("pk", flat=True))
        | set(WishMatch.objects.filter(training_class_id=cls.pk)
              .values_list("wish_id", flat=True)))
    for start in range(0, len(ids), CHUNK):
        part = RefreshRun()
        with transaction.atomic():
            _store(ids[start:start + CHUNK], offered, today, now, part, only_class=cls.pk,
                   tell_withdrawn=True)
            audit.record(actor=None, action=AuditAction.UPDATE,
                         entity_type="demand.wishmatch", entity_id=f"class-{cls.pk}",
                         label=_("Wish matches of class %(name)s refreshed")
                         % {"name": cls.name}, region_code=cls.region.code,
                         after=part.as_dict())
            if tell:
                _send_after_commit(part.messages)
        for name in ("wishes", "added", "updated", "removed", "told"):
            setattr(run, name, getattr(run, name) + getattr(part, name))
    return run


def wish_matches_refresh(wish_id: int, *, now: dt.datetime | None = None,
                         tell: bool = True) -> RefreshRun:
    """Match one wish again after it changed (see the module): its new best classes added
    (and told), its matches that no longer fit removed, the others given today's reasons."""
    run = RefreshRun()
    wish = TrainingWish.objects.filter(pk=wish_id).select_related("region").first()
    if wish is None or wish.status not in selectors.MATCHABLE_WISHES:
        return run
    now = now or timezone.now()
    today = timezone.localdate(now)
    occupations = list(wish.occupations.values_list("pk", flat=True))
    offered = selectors.offered_classes(selectors.province_prefix(wish.region.code),
                                        today=today, now=now, with_names=True,
                                        occupation_ids=occupations)
    with transaction.atomic():
        _store([wish.pk], offered, today, now, run, only_class=None, tell_withdrawn=False)
        audit.record(actor=None, action=AuditAction.UPDATE, entity_type="demand.wishmatch",
                     entity_id=str(wish.pk), label=str(wish), region_code=wish.region.code,
                     after=run.as_dict())
        if tell:
            _send_after_commit(run.messages)
    return run

"""Writes of the demand app: matching. One transaction each, audited.

- wishes → classes: `wish_match` (one wish, on demand) and `wish_match_region_start` (every
  open wish of a region, as a background job); the worker is told once per class by SMS
  (`jineng.core.sms`), after the transaction commits;
- demand lines → order classes (订单班): services.matching_orders;
- finished trainees → demand lines (培训就业直通车): services.matching_referrals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, sms
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.demand.choices import WishStatus
from jineng.demand.models import TrainingWish, WishMatch
from jineng.demand.rules import matching as rules
from jineng.demand.rules import matching_vector as vector
from jineng.demand.selectors import matching as selectors
from jineng.demand.services.matching_orders import *  # noqa: F403
from jineng.demand.services.matching_orders import __all__ as _orders
from jineng.demand.services.matching_referrals import *  # noqa: F403
from jineng.demand.services.matching_referrals import __all__ as _referrals
from jineng.registry.models import Region

__all__ = ["MatchRun", "ensure_matching_staff", "may_match_wishes", "wish_match",
           "wish_match_region_start", "wishes_match", *_orders, *_referrals]

CHUNK = 5_000  # wishes written per transaction in a region run
SMS_CLASSES = 3  # classes named in one message


def may_match_wishes(actor) -> bool:
    """HRSS staff (who see persons) match wishes; the worker's data stay with them."""
    scope = scope_of(actor)
    return bool(getattr(actor, "is_hrss_staff", False)) and (
        scope.everything or (scope.region_prefix is not None and scope.sees_persons))


def ensure_matching_staff(actor) -> None:
    if not may_match_wishes(actor):
        raise Forbidden(_("Only HRSS staff match training wishes."))


@dataclass
class MatchRun:
    """What a matching run did: wishes looked at, new matches, workers told."""

    wishes: int = 0
    matched_wishes: int = 0
    new_matches: int = 0
    told: int = 0
    messages: list[tuple[str, str]] = field(default_factory=list)  # (phone, text) to send

    def as_dict(self) -> dict:
        return {"wishes": self.wishes, "matched_wishes": self.matched_wishes,
                "new_matches": self.new_matches, "told": self.told}


def _sms_text(names: list[tuple[str, dt.date, float]]) -> str:
    shown = "；".join(_("%(name)s (from %(day)s, %(km)s km)")
                     % {"name": n, "day": d.isoformat(), "km": f"{km:.1f}"}
                     for n, d, km in names[:SMS_CLASSES])
    more = len(names) - SMS_CLASSES
    text = _("jineng: classes for your training wish: %(classes)s.") % {"classes": shown}
    if more > 0:
        text += " " + _("And %(n)s more; ask your HRSS office.") % {"n": more}
    return text


def _match_chunk(wishes_qs, offered: selectors.OfferedClasses, today: dt.date,
                 now: dt.datetime, run: MatchRun) -> None:
    """Match one chunk of wishes (set-based), store the new matches with their reasons and
    queue one message per wish naming its new classes. Runs inside the caller's
    transaction."""
    list(wishes_qs.select_for_update().values_list("pk", flat=True))  # one run per wish
    arrays, rows = selectors.wish_arrays(wishes_qs)
    run.wishes += len(rows)
    if not rows:
        return
    found = vector.match(arrays, offered.arrays, today.toordinal())
    already = set(WishMatch.objects.filter(wish_id__in=list(rows))
                  .values_list("wish_id", "training_class_id"))
    new: list[WishMatch] = []
    per_wish: dict[int, list[tuple[str, dt.date, float]]] = {}
    facts_cache: dict[int, rules.WishFacts] = {}
    for wid, cid, score, km in zip(found.wish_id.tolist(), found.class_id.tolist(),
                                   found.score.tolist(), found.distance_km.tolist(),
                                   strict=True):
        if (wid, cid) in already:
            continue
        wf = facts_cache.get(wid) or facts_cache.setdefault(wid, selectors.wish_facts(rows[wid]))
        verdict = rules.match_class(wf, offered.facts(cid), today.toordinal())
        if not verdict.fits:  # the engine and the rule agree (tested); never store a misfit
            continue
        new.append(WishMatch(wish_id=wid, training_class_id=cid, score=round(score, 3),
                             distance_km=round(km, 1), reasons=verdict.reasons,
                             notified_at=now))
        name, start = offered.names.get(cid, (str(cid), today))
        per_wish.setdefault(wid, []).append((name, start, km))
    WishMatch.objects.bulk_create(new, batch_size=2000)
    run.new_matches += len(new)
    matched = list(per_wish)
    run.matched_wishes += len(matched)
    if matched:
        (TrainingWish.objects.filter(pk__in=matched, status=WishStatus.OPEN)
         .update(status=WishStatus.MATCHED, notified_at=now))
        TrainingWish.objects.filter(pk__in=matched).update(notified_at=now)
        phones = dict(TrainingWish.objects.filter(pk__in=matched).values_list("pk", "phone"))
        for wid in matched:
            run.messages.append((phones[wid], _sms_text(per_wish[wid])))
            run.told += 1


def _send_after_commit(messages: list[tuple[str, str]]) -> None:
    def send() -> None:
        for phone, text in messages:
            sms.send(phone, text)

    if messages:
        transaction.on_commit(send)


def wish_match(*, actor, wish: TrainingWish, now: dt.datetime | None = None) -> MatchRun:
    """Match one wish now against the offered classes of its province: new matches are stored
    with their reasons and the worker is told of them by SMS (once per class: a class already
    matched is never announced again)."""
    wish = selectors.wish_for_matching(actor=actor, pk=wish.pk)
    ensure_matching_staff(actor)
    if wish.status not in selectors.MATCHABLE_WISHES:
        raise DomainError(_("This wish is %(status)s: it is no longer matched.")
                          % {"status": wish.get_status_display()}, field="status",
                          code="wish_closed")
    now = now or timezone.now()
    today = timezone.localdate(now)
    run = MatchRun()
    with transaction.atomic():
        offered = selectors.offered_classes(selectors.province_prefix(wish.region.code),
                                            today=today, now=now, with_names=True)
        _match_chunk(TrainingWish.objects.filter(pk=wish.pk), offered, today, now, run)
        audit.record(actor=actor, action=AuditAction.CREATE, entity_type="demand.wishmatch",
                     entity_id=str(wish.pk), label=str(wish), region_code=wish.region.code,
                     after=run.as_dict())
        _send_after_commit(run.messages)
    return run


def wishes_match(*, actor, region_code: str, now: dt.datetime | None = None,
                 progress=None, tell: bool = True) -> MatchRun:
    """Match every open wish of a region (its subtree) against the offered classes of its
    province, set-based, CHUNK wishes per transaction (each audited); `progress(done, total)`
    is told after each chunk. The background job of wish_match_region_start runs this.
    `tell=False` (the demo province) stores the matches without sending any message."""
    ensure_matching_staff(actor)
    region = _region_in_scope(actor, region_code)
    now = now or timezone.now()
    today = timezone.localdate(now)
    offered = selectors.offered_classes(selectors.province_prefix(region.code), today=today,
                                        now=now, with_names=True)
    ids = list(TrainingWish.objects
               .filter(region__code__startswith=region.scope_prefix,
                       status__in=selectors.MATCHABLE_WISHES)
               .order_by("pk").values_list("pk", flat=True))
    run = MatchRun()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        with transaction.atomic():
            part = MatchRun()
            _match_chunk(TrainingWish.objects.filter(pk__in=chunk), offered, today, now, part)
            audit.record(actor=actor, action=AuditAction.CREATE,
                         entity_type="demand.wishmatch", entity_id=region.code,
                         label=_("Wishes of %(region)s matched") % {"region": region.name},
                         region_code=region.code, after=part.as_dict())
            if tell:
                _send_after_commit(part.messages)
        for name in ("wishes", "matched_wishes", "new_matches", "told"):
            setattr(run, name, getattr(run, name) + getattr(part, name))
        if progress is not None:
            progress(min(start + CHUNK, len(ids)), len(ids))
    if not ids:
        audit.record(actor=actor, action=AuditAction.CREATE, entity_type="demand.wishmatch",
                     entity_id=region.code, region_code=region.code, after=run.as_dict(),
                     label=_("Wishes of %(region)s matched") % {"region": region.name})
    return run


def _region_in_scope(actor, region_code: str) -> Region:
    from jineng.core.errors import NotFound

    if not isinstance(region_code, str) or not region_code.isdigit() or len(region_code) > 12:
        raise DomainError(_("Give a region code of digits."), field="region_code")
    region = Region.objects.filter(code=region_code).first()
    scope = scope_of(actor)
    if region is None or not (scope.everything or (
            scope.region_prefix is not None and region.code.startswith(scope.region_prefix))):
        raise NotFound()
    return region


def wish_match_region_start(*, actor, region_code: str):
    """Start the background job matching every open wish of a region (progress on the job
    page). Refused before any job starts when the actor may not match or the region is out of
    scope."""
    from jineng.demand.services.matching_jobs import match_region_wishes
    from jineng.jobs import services as jobs

    ensure_matching_staff(actor)
    region = _region_in_scope(actor, region_code)
    total = TrainingWish.objects.filter(region__code__startswith=region.scope_prefix,
                                        status__in=selectors.MATCHABLE_WISHES).count()
    return jobs.job_start(actor=actor, task=match_region_wishes, kind="demand.wish_match",
                          title=_("Matching the training wishes of %(region)s")
                          % {"region": region.name},
                          params={"region_code": region.code}, total=total)

"""Rate limits for the public entry points (wish form, certificate check, search, public API).

A fixed-window counter per (scope, key) kept in the database, so every worker process of a
deployment counts the same hits (a per-process cache would let N workers allow N times the limit).
Keys are stored as keyed hashes: a client address or a phone number is personal data.

    decision = ratelimit.hit("demand.wish.address", request_address(request), limit=20,
                             window=dt.timedelta(hours=1))
    if not decision.allowed: ...   # answer 429 / a form error; the refusal is already logged

`peek` reads a counter without counting (e.g. "ask for a challenge after 3 wishes").
The first refusal of each window is written to the audit trail (a flood leaves one event per
window, not one per request) and to the `jineng.ratelimit` log.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jineng.core import pii

log = logging.getLogger("jineng.ratelimit")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    count: int  # hits in the current window, this one included (when counted)
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


def _window_start(now: dt.datetime, window: dt.timedelta) -> dt.datetime:
    seconds = int(window.total_seconds())
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _key(key: str) -> str:
    return pii.keyed_hash(f"ratelimit:{key}")


def request_address(request) -> str:
    """The client address as the server saw it (REMOTE_ADDR; a proxy in front must set it, e.g.
    gunicorn's --forwarded-allow-ips, rather than us trusting a header anyone can send)."""
    return (request.META.get("REMOTE_ADDR") or "").strip()


def peek(scope: str, key: str, *, window: dt.timedelta) -> int:
    """Hits counted so far in the current window (0 for an empty key)."""
    from jineng.core.models import RateCounter

    if not key:
        return 0
    start = _window_start(timezone.now(), window)
    found = RateCounter.objects.filter(scope=scope, key_hash=_key(key),
                                       window_start=start).values_list("count", flat=True)
    return next(iter(found), 0)


def hit(scope: str, key: str, *, limit: int, window: dt.timedelta,
        ip_address: str | None = None) -> Decision:
    """Count one hit and answer whether it is within `limit` per `window`. An empty key (no
    client address known) is always allowed and not counted."""
    from jineng.core import audit
    from jineng.core.models import AuditAction, RateCounter

    now = timezone.now()
    start = _window_start(now, window)
    retry = int((start + window - now).total_seconds()) + 1
    if not key:
        return Decision(True, 0, limit, retry)
    key_hash = _key(key)
    with transaction.atomic():
        updated = RateCounter.objects.filter(scope=scope, key_hash=key_hash,
                                             window_start=start).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateCounter.objects.create(scope=scope, key_hash=key_hash,
                                               window_start=start, count=1)
            except IntegrityError:  # another request created it first: count on it
                RateCounter.objects.filter(scope=scope, key_hash=key_hash,
                                           window_start=start).update(count=F("count") + 1)
        count = RateCounter.objects.filter(scope=scope, key_hash=key_hash,
                                           window_start=start).values_list("count", flat=True)[0]
        allowed = count <= limit
        if count == limit + 1:  # the first refusal of this window
            log.warning("rate limit %s reached (%s per %s)", scope, limit, window)
            audit.record(actor=None, action=AuditAction.THROTTLED, entity_type="ratelimit",
                         entity_id=scope, label=scope, reason=f"{limit} / {window}",
                         ip_address=ip_address or None)
    return Decision(allowed, count, limit, retry)


def purge(older_than: dt.timedelta = dt.timedelta(days=2)) -> int:
    """Delete counters of windows that ended long ago (run by `jineng clearsessions`-like jobs)."""
    from jineng.core.models import RateCounter

    deleted, _ = RateCounter.objects.filter(
        window_start__lt=timezone.now() - older_than).delete()
    return deleted

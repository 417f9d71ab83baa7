"""Reading one attendance event as an institution's terminal sends it: field-by-field checks
that name every faulty field, before anything touches the database. Pure: plain dicts in,
dataclasses out; messages are English templates the service translates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


def _(text: str) -> str:
    """Marks a message for the translation catalog; the service translates it."""
    return text


ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
KINDS = ("check_in", "check_out")
METHODS = ("terminal", "mobile", "qr")
MAX_KEY = 100
MAX_DEVICE = 64


@dataclass
class EventResult:
    """What became of one event of a batch: accepted, a duplicate (a replay counts once) or
    rejected with one error per faulty field."""

    index: int
    idempotency_key: str
    status: str = ACCEPTED
    event_id: int | None = None
    flags: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def reject(self, field_name: str, code: str, message: str) -> None:
        self.status = REJECTED
        self.errors.append({"field": field_name, "code": code, "message": message})


@dataclass
class IngestReport:
    results: list[EventResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def accepted(self) -> int:
        return self.count(ACCEPTED)

    @property
    def duplicates(self) -> int:
        return self.count(DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)


@dataclass
class ParsedEvent:
    """An event whose fields all passed; the trainee is still an unchecked ID number or an
    enrollment number."""

    result: EventResult
    class_id: int
    kind: str
    method: str
    occurred_at: dt.datetime
    id_number: str = ""
    enrollment_id: int | None = None
    session_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    device: str = ""


def text_field(raw: dict, key: str) -> str:
    value = raw.get(key)
    return value.strip() if isinstance(value, str) else ""


def int_field(raw: dict, key: str) -> int | None:
    """A positive whole number given as a number or digits; None otherwise (booleans too)."""
    value = raw.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 18:
        return int(value.strip()) or None
    return None


def parse_time(raw: object) -> dt.datetime | None:
    """An ISO 8601 date-time with its offset; None for anything else (naive times too)."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def parse_event(index: int, raw: object, *, latest: dt.datetime,
                earliest: dt.datetime) -> ParsedEvent | EventResult:
    """Check one event. `latest` is now plus the clock tolerance; `earliest` the earliest
    believable time (a terminal's clock reset to 1900 is refused, not flagged)."""
    result = EventResult(index=index, idempotency_key="")
    if not isinstance(raw, dict):
        result.reject("", "invalid", _("An event must be a JSON object."))
        return result
    key = text_field(raw, "idempotency_key")
    result.idempotency_key = key[:MAX_KEY]
    if not key or len(key) > MAX_KEY:
        result.reject("idempotency_key", "required",
                      _("Each event needs an idempotency key of 1 to 100 characters."))
    class_id = int_field(raw, "class_id")
    if class_id is None:
        result.reject("class_id", "required", _("Give the class number."))
    kind = text_field(raw, "kind")
    if kind not in KINDS:
        result.reject("kind", "invalid", _("kind must be check_in or check_out."))
    method = text_field(raw, "method")
    if method not in METHODS:
        result.reject("method", "invalid", _("method must be terminal, mobile or qr."))
    at = parse_time(raw.get("occurred_at"))
    if at is None:
        result.reject("occurred_at", "invalid",
                      _("occurred_at must be an ISO 8601 date-time with a time-zone offset."))
    elif at > latest:
        result.reject("occurred_at", "clock_future",
                      _("The event is stamped in the future: check the device's clock."))
    elif at < earliest:
        result.reject("occurred_at", "too_old",
                      _("The event is stamped before the year 2000: check the device's "
                        "clock."))
    id_number, enrollment_id = text_field(raw, "id_number"), int_field(raw, "enrollment_id")
    if not id_number and enrollment_id is None:
        result.reject("id_number", "required",
                      _("Identify the trainee by id_number or enrollment_id."))
    lat, lon = raw.get("latitude"), raw.get("longitude")
    coords_given = lat is not None or lon is not None
    if coords_given:
        if (not isinstance(lat, int | float) or not isinstance(lon, int | float)
                or isinstance(lat, bool) or isinstance(lon, bool)
                or not (-90 <= lat <= 90) or not (-180 <= lon <= 180)):
            result.reject("latitude", "invalid",
                          _("latitude and longitude must both be numbers in range."))
    elif method == "mobile":
        result.reject("latitude", "required", _("A mobile check-in must carry its location."))
    session_id = int_field(raw, "session_id") if raw.get("session_id") is not None else None
    if raw.get("session_id") is not None and session_id is None:
        result.reject("session_id", "invalid", _("session_id must be a number."))
    device = text_field(raw, "device")[:MAX_DEVICE]
    if result.status == REJECTED:
        return result
    assert class_id is not None and at is not None
    return ParsedEvent(result=result, class_id=class_id, kind=kind, method=method,
                       occurred_at=at, id_number=id_number[:64], enrollment_id=enrollment_id,
                       session_id=session_id,
                       latitude=float(lat) if coords_given else None,
                       longitude=float(lon) if coords_given else None, device=device)


def content_of(event: ParsedEvent) -> tuple:
    """What an idempotency key stands for: the same key must always carry this."""
    return (event.class_id, event.kind, event.method, event.occurred_at, event.id_number,
            event.enrollment_id, event.session_id, event.latitude, event.longitude)


def mark_duplicates_in_batch(items: list[ParsedEvent | EventResult]) -> None:
    """The second and later events of a batch with the same key and the same content are
    duplicates of the first (a replay counts once); the same key with other content is refused
    as a conflict, never dropped. Across batches the service compares with what is stored."""
    seen: dict[str, tuple | None] = {}
    for item in items:
        res = item.result if isinstance(item, ParsedEvent) else item
        if res.status == REJECTED or not res.idempotency_key:
            continue
        content = content_of(item) if isinstance(item, ParsedEvent) else None
        if res.idempotency_key not in seen:
            seen[res.idempotency_key] = content
        elif seen[res.idempotency_key] == content:
            res.status = DUPLICATE
        else:
            res.reject("idempotency_key", "key_reused", KEY_REUSED)


KEY_REUSED = _("This idempotency key was already used for another event: each event needs "
               "its own key.")

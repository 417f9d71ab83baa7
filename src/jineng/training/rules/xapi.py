"""Reading xAPI statements from a learning platform (online hours). Pure.

jineng's convention (docs/training.md):

- `id` (UUID) is required: it is the idempotency key, so a replayed statement counts once.
- `actor.account.name` is the jineng enrollment number (or the learner's ID number, which is
  hashed on arrival and never stored).
- the class is named by an activity IRI `urn:jineng:class:<class number>`, as `object.id` or in
  `context.contextActivities` (`parent`, `grouping` or `other`).
- `verb.id` is `http://adlnet.gov/expapi/verbs/completed` or `…/progressed`; other verbs carry
  no learning time and are refused.
- `result.duration` (ISO 8601, e.g. `PT1H30M`) is the time of that learning segment; a platform
  must not repeat time already reported in an earlier statement.
- `timestamp` is when the learning happened (ISO 8601 with a time-zone offset).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from jineng.training.rules.attendance import parse_duration

VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PROGRESSED = "http://adlnet.gov/expapi/verbs/progressed"
COUNTED_VERBS = frozenset({VERB_COMPLETED, VERB_PROGRESSED})
CLASS_IRI = re.compile(r"^urn:jineng:class:(\d+)$")
MAX_SEGMENT_SECONDS = 24 * 3600


class StatementInvalid(ValueError):
    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.code = code
        self.message = message


@dataclass(frozen=True)
class OnlineRecord:
    statement_id: str
    learner: str  # enrollment number or ID number, as sent
    class_id: int
    verb: str
    seconds: int
    timestamp: dt.datetime


def _class_id(statement: dict) -> int | None:
    candidates = [((statement.get("object") or {}).get("id") or "")]
    activities = ((statement.get("context") or {}).get("contextActivities") or {})
    for key in ("parent", "grouping", "other"):
        value = activities.get(key) or []
        if isinstance(value, dict):
            value = [value]
        candidates += [(a or {}).get("id", "") for a in value if isinstance(a, dict)]
    for iri in candidates:
        match = CLASS_IRI.match(str(iri))
        if match:
            return int(match.group(1))
    return None


def read_statement(statement: object) -> OnlineRecord:
    """The learning time one statement reports; StatementInvalid names the faulty field."""
    if not isinstance(statement, dict):
        raise StatementInvalid("", "invalid", "A statement must be a JSON object.")
    raw_id = statement.get("id")
    try:
        statement_id = str(uuid.UUID(str(raw_id)))
    except (ValueError, TypeError):
        raise StatementInvalid(
            "id", "required", "Each statement needs its UUID `id` (the idempotency key).",
        ) from None
    account = ((statement.get("actor") or {}).get("account") or {})
    learner = str(account.get("name") or "").strip()
    if not learner:
        raise StatementInvalid("actor.account.name", "required",
                               "actor.account.name must carry the enrollment number.")
    verb = str((statement.get("verb") or {}).get("id") or "")
    if verb not in COUNTED_VERBS:
        raise StatementInvalid("verb.id", "unsupported_verb",
                               "Only completed and progressed statements carry learning time.")
    class_id = _class_id(statement)
    if class_id is None:
        raise StatementInvalid("object.id", "unknown_class",
                               "Name the class as urn:jineng:class:<number>.")
    duration = ((statement.get("result") or {}).get("duration"))
    try:
        seconds = parse_duration(str(duration or ""))
    except ValueError:
        raise StatementInvalid("result.duration", "invalid",
                               "result.duration must be an ISO 8601 duration such as PT1H30M."
                               ) from None
    if seconds <= 0 or seconds > MAX_SEGMENT_SECONDS:
        raise StatementInvalid("result.duration", "out_of_range",
                               "result.duration must be more than 0 and at most 24 hours.")
    raw_time = str(statement.get("timestamp") or "")
    try:
        timestamp = dt.datetime.fromisoformat(raw_time.replace("Z", "+00:00"))
    except ValueError:
        raise StatementInvalid("timestamp", "invalid",
                               "timestamp must be an ISO 8601 date-time.") from None
    if timestamp.tzinfo is None:
        raise StatementInvalid("timestamp", "naive_time",
                               "timestamp must carry a time-zone offset.")
    return OnlineRecord(statement_id=statement_id, learner=learner, class_id=class_id,
                        verb=verb, seconds=seconds, timestamp=timestamp)

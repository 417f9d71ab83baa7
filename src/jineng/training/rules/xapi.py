"""Reading xAPI statements from a learning platform (online hours). Pure.

jineng's convention (docs/training.md):

- `id` (UUID) is required: it is the idempotency key, so a replayed statement counts once.
- `actor.account.name` is the jineng enrollment number (or the learner's ID number, which is
  hashed on arrival and never stored).
- the class is named by an activity IRI `urn:jineng:class:<class number>`, as `object.id` or in
  `context.contextActivities` (`parent`, `grouping` or `other`).
- `verb.id` is `http://adlnet.gov/expapi/verbs/completed` or `…/progressed` (learning time),
  or one of the interaction verbs `…/answered`, `…/interacted`, `…/attempted`, `…/commented`,
  `…/responded` (ADL's verbs, as listed in ADL's xAPIWrapper `verbs.js`,
  https://github.com/adlnet/xAPIWrapper): an interaction carries no learning time (its
  `result.duration`, if any, is ignored) and is kept as evidence that someone was there (the
  risk scan's R17D). Other verbs are refused.
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
# ADL verbs of an interaction with the course (a quiz answered, a control used, a comment):
# stored without learning time, never counted as hours.
INTERACTION_VERBS = frozenset(f"http://adlnet.gov/expapi/verbs/{v}" for v in (
    "answered", "interacted", "attempted", "commented", "responded"))
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
    seconds: int  # 0 for an interaction
    timestamp: dt.datetime

    @property
    def interaction(self) -> bool:
        return self.verb in INTERACTION_VERBS


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
    """The learning time (or the interaction) one statement reports; StatementInvalid names
    the faulty field."""
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
    if verb not in COUNTED_VERBS and verb not in INTERACTION_VERBS:
        raise StatementInvalid("verb.id", "unsupported_verb",
                               "Only completed and progressed statements carry learning time; "
                               "answered, interacted, attempted, commented and responded are "
                               "kept as interactions.")
    class_id = _class_id(statement)
    if class_id is None:
        raise StatementInvalid("object.id", "unknown_class",
                               "Name the class as urn:jineng:class:<number>.")
    timestamp = _timestamp(statement)
    if verb in INTERACTION_VERBS:
        return OnlineRecord(statement_id=statement_id, learner=learner, class_id=class_id,
                            verb=verb, seconds=0, timestamp=timestamp)
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
    return OnlineRecord(statement_id=statement_id, learner=learner, class_id=class_id,
                        verb=verb, seconds=seconds, timestamp=timestamp)


def _timestamp(statement: dict) -> dt.datetime:
    raw_time = str(statement.get("timestamp") or "")
    try:
        timestamp = dt.datetime.fromisoformat(raw_time.replace("Z", "+00:00"))
    except ValueError:
        raise StatementInvalid("timestamp", "invalid",
                               "timestamp must be an ISO 8601 date-time.") from None
    if timestamp.tzinfo is None:
        raise StatementInvalid("timestamp", "naive_time",
                               "timestamp must carry a time-zone offset.")
    return timestamp

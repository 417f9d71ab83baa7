"""The inspection (巡查) state machine, as data. Pure.

planned → done (findings recorded) → closed. A planned inspection may be cancelled (closed
without a visit, reason required). Inspectors of the region write; HRSS staff of the region may
close (review) as well; an institution takes no action and sees nothing."""

from __future__ import annotations

from dataclasses import dataclass

PLANNED = "planned"
DONE = "done"
CLOSED = "closed"
STATES = (PLANNED, DONE, CLOSED)

INSPECTOR = "inspector"
HRSS = "hrss"
INSTITUTION = "institution"
ACTOR_KINDS = (INSPECTOR, HRSS, INSTITUTION)

ONSITE = "onsite"
ONLINE = "online"
MODES = (ONSITE, ONLINE)


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    findings_required: bool = False


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("record", frozenset({PLANNED}), DONE, frozenset({INSPECTOR}), True),
    Transition("close", frozenset({DONE}), CLOSED, frozenset({INSPECTOR, HRSS})),
    Transition("cancel", frozenset({PLANNED}), CLOSED, frozenset({INSPECTOR, HRSS}), True),
)}
# Files are attached while the inspection is not closed.
ATTACH_STATES = frozenset({PLANNED, DONE})


class TransitionRefused(Exception):
    """`code`: unknown_action, not_permitted, not_allowed_from, findings_required."""

    def __init__(self, code: str, action: str, status: str) -> None:
        super().__init__(f"{code}: {action} from {status}")
        self.code = code


def plan_transition(action: str, status: str, actor_kinds, findings: str = "") -> str:
    t = TRANSITIONS.get(action)
    if t is None:
        raise TransitionRefused("unknown_action", action, status)
    if not (t.actors & set(actor_kinds)):
        raise TransitionRefused("not_permitted", action, status)
    if status not in t.sources:
        raise TransitionRefused("not_allowed_from", action, status)
    if t.findings_required and not (findings or "").strip():
        raise TransitionRefused("findings_required", action, status)
    return t.target


def available_actions(status: str, actor_kinds) -> list[str]:
    return [t.action for t in TRANSITIONS.values()
            if status in t.sources and t.actors & set(actor_kinds)]


# Uploads: photos and documents, recognised by their first bytes (not by their name).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", "photo"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "photo"),
    (b"%PDF-", "application/pdf", "document"),
)


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, kind) of a file from its first bytes; None when not accepted."""
    for magic, content_type, kind in SIGNATURES:
        if head.startswith(magic):
            return content_type, kind
    return None

"""Sanctions after confirmed fraud, as data. Pure.

Kinds: suspend an institution or evaluation institution (it is no longer listed: no new class
declared, no new claim, no new assessment), remove it (revoked: final), bar a person from
subsidies for a period (the subsidy rules refuse with `person_barred`). HRSS staff of the
region impose (the administrative authority: inspectors find, HRSS sanctions); only
province HRSS staff lift (a removal cannot be lifted: the registry's revocation is
final)."""

from __future__ import annotations

from dataclasses import dataclass

SUSPEND = "suspend"
REMOVE = "remove"
BAR = "bar"
KINDS = (SUSPEND, REMOVE, BAR)
ORGANIZATION_KINDS = frozenset({SUSPEND, REMOVE})

ACTIVE = "active"
LIFTED = "lifted"
STATES = (ACTIVE, LIFTED)

INSPECTOR = "inspector"
HRSS = "hrss"
PROVINCE = "province"   # province HRSS staff (or a system administrator)
INSTITUTION = "institution"
ACTOR_KINDS = (INSPECTOR, HRSS, PROVINCE, INSTITUTION)

IMPOSERS = frozenset({HRSS, PROVINCE})
LIFTERS = frozenset({PROVINCE})
LIFTABLE = frozenset({SUSPEND, BAR})
MAX_BAR_DAYS = 5 * 366


@dataclass(frozen=True)
class Refusal(Exception):
    code: str  # not_permitted, not_allowed_from, final, reason_required, unknown_kind, period


def check_impose(kind: str, actor_kinds, reason: str, days: int | None) -> None:
    if kind not in KINDS:
        raise Refusal("unknown_kind")
    if not IMPOSERS & set(actor_kinds):
        raise Refusal("not_permitted")
    if not (reason or "").strip():
        raise Refusal("reason_required")
    if kind == BAR and (days is None or not 1 <= days <= MAX_BAR_DAYS):
        raise Refusal("period")


def check_lift(kind: str, status: str, actor_kinds, reason: str) -> None:
    if not LIFTERS & set(actor_kinds):
        raise Refusal("not_permitted")
    if kind not in LIFTABLE:
        raise Refusal("final")
    if status != ACTIVE:
        raise Refusal("not_allowed_from")
    if not (reason or "").strip():
        raise Refusal("reason_required")

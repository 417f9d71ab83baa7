"""Constants and callable types shared by the planter's parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DEFAULT_FRAUD_RATE = 0.002  # small, but every pattern is planted at least once
PLANTED_ENTITY = "supervision.demo_fraud"
PATTERNS = ("R01", "R02", "R03", "R04", "R05", "R06", "R07", "R09", "R10A", "R10B", "R10C",
            "R11B", "R12", "R17D")
ATTENDED = ("open", "suspended", "finished", "assessed", "settled")
CHECK_IN = 1
ONLINE, INTERACTION, METHOD_ONLINE = 3, 4, 4  # training's EventKind and AttendanceMethod
ASSESSED_KINDS = ("skill_level", "special_ability")  # certificates issued on an assessment

Allocate = Callable[[Any, int], int]  # (model, n) → first primary key of a recorded block
Writer = Callable[[Any, list[str]], Any]  # (model, fields) → object with write(rows)


EVENT_COLUMNS = ("id", "institution_id", "training_class_id", "session_id", "enrollment_id",
                 "kind", "method", "occurred_at", "received_at", "latitude", "longitude",
                 "distance_m", "online_seconds", "outside_window", "too_far", "idempotency_key",
                 "device")

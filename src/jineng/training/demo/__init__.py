"""Demo data of the training app: classes across sectors and key groups, real-name enrollments
and a year of realistic attendance (late arrivals, early leaves, absences, dropouts, flagged
check-ins, online hours), built set-based on top of the demo registry.

`build_demo_training(scale=, seed=, today=)` is called by the demo generator after the
registry (organizations, sites, persons, key groups) exists. Rows go in as tuples with explicit
primary keys (the returned `blocks` say which, for a later reset); attendance goes in with
COPY on PostgreSQL and executemany on SQLite. Deterministic for a seed.

Proportions: sectors follow the targets of the Guizhou (黔就劳发〔2025〕3号, 二(一)–(九)) and
Henan (2025 技能河南 方案, 二(一)) seeds, averaged as shares; key groups follow Guizhou (十一)
(青年 7万 of 100万) and (十二) (就业困难群体 6万), Henan 6 (青年 15万 of 200万). Everything
marked SYNTHETIC is an assumption of the demo, not a policy figure.

The package: `shares` (the proportions), `planning` (the classes), `storage` (writing rows),
`build` (the steps in order).
"""

from __future__ import annotations

from jineng.training.demo.build import (
    build_demo_training,
)
from jineng.training.demo.planning import (
    Plan,
)
from jineng.training.demo.shares import (
    ABSENT,
    ANCHOR_HISTORY_DAYS,
    BLENDED_SHARE,
    DROPOUT,
    EARLY_LEAVE,
    FAR_AWAY,
    FORGOT_UNTIL_EVENING,
    FUNDING,
    GUIZHOU,
    HENAN,
    HISTORY_ACTIONS,
    HISTORY_REASONS,
    HOURS_BY_LEVEL,
    HOURS_BY_TYPE,
    LATE,
    LATE_JOIN,
    LEVELS,
    METHODS,
    NO_CHECK_OUT,
    OCCUPATION_SECTORS,
    ORDER_SHARE,
    PLAN_FACTS_SOURCE,
    RESUBMITTED_SHARE,
    RETURNED_SHARE,
    SECTOR_OCCUPATIONS,
    SECTOR_WEIGHTS,
    STEP_OFFSETS,
    TARGET_GROUPS,
    TIER_ENROLLMENTS,
    TRAINING_TYPES,
    TZ,
    WINDOW_AFTER,
    WINDOW_BEFORE,
    occupation_weights,
)
from jineng.training.demo.storage import (
    CHUNK,
    ENROLLMENT_COLUMNS,
    NULL,
    SECONDARY_INDEXES,
    Block,
)

__all__ = [
    "ABSENT",
    "ANCHOR_HISTORY_DAYS",
    "BLENDED_SHARE",
    "CHUNK",
    "DROPOUT",
    "EARLY_LEAVE",
    "ENROLLMENT_COLUMNS",
    "FAR_AWAY",
    "FORGOT_UNTIL_EVENING",
    "FUNDING",
    "GUIZHOU",
    "HENAN",
    "HISTORY_ACTIONS",
    "HISTORY_REASONS",
    "HOURS_BY_LEVEL",
    "HOURS_BY_TYPE",
    "LATE",
    "LATE_JOIN",
    "LEVELS",
    "METHODS",
    "NO_CHECK_OUT",
    "NULL",
    "OCCUPATION_SECTORS",
    "ORDER_SHARE",
    "PLAN_FACTS_SOURCE",
    "RESUBMITTED_SHARE",
    "RETURNED_SHARE",
    "SECONDARY_INDEXES",
    "SECTOR_OCCUPATIONS",
    "SECTOR_WEIGHTS",
    "STEP_OFFSETS",
    "TARGET_GROUPS",
    "TIER_ENROLLMENTS",
    "TRAINING_TYPES",
    "TZ",
    "WINDOW_AFTER",
    "WINDOW_BEFORE",
    "Block",
    "Plan",
    "build_demo_training",
    "occupation_weights",
]

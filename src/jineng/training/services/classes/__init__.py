"""Declaring a class (开班申报) and moving it through its states: `declaration`, `revision`
(returned for correction), `transitions`. The names below are the module's as before the split."""

from __future__ import annotations

from jineng.training.services.classes.declaration import (
    LATE_REASON_MAX,
    ClassInput,
    PlannedSession,
    SessionInput,
    check_catalogs,
    class_declare,
    class_declare_once,
    class_fields,
    declaration_fingerprint,
    ensure_declaring_institution,
    plan_sessions,
)

# The helpers the history import (services.history_import) shares with declaring.
from jineng.training.services.classes.declaration import (
    _check_site_capacity as _check_site_capacity,
)
from jineng.training.services.classes.declaration import (
    _check_teachers_free as _check_teachers_free,
)
from jineng.training.services.classes.declaration import (
    _lock_site_and_teachers as _lock_site_and_teachers,
)
from jineng.training.services.classes.declaration import (
    _validate_choices as _validate_choices,
)
from jineng.training.services.classes.revision import (
    class_revise,
)
from jineng.training.services.classes.transitions import (
    _freeze_completion as _freeze_completion,
)
from jineng.training.services.classes.transitions import (
    class_mark_assessed,
    class_transition,
)

__all__ = [
    "LATE_REASON_MAX",
    "ClassInput",
    "PlannedSession",
    "SessionInput",
    "check_catalogs",
    "class_declare",
    "class_declare_once",
    "class_fields",
    "class_mark_assessed",
    "class_revise",
    "class_transition",
    "declaration_fingerprint",
    "ensure_declaring_institution",
    "plan_sessions",
]

"""Every write of the training app, one module per sub-domain: classes (declaring and moving
through states), teachers, enrollment, attendance, eligibility parameters. One transaction each,
audited. Other apps and the views import from here; the names below are the public surface."""

from __future__ import annotations

from jineng.training.services.attendance import (
    ACCEPTED,
    DUPLICATE,
    EARLIEST_EVENT,
    KIND_CODES,
    MAX_BATCH,
    METHOD_CODES,
    REJECTED,
    EventResult,
    IngestReport,
    attendance_ingest,
    attendance_ingest_xapi,
)
from jineng.training.services.attendance_manual import (
    attendance_record_manual,
    attendance_void,
    manual_key,
)
from jineng.training.services.classes import (
    ClassInput,
    PlannedSession,
    SessionInput,
    class_declare,
    class_declare_once,
    class_mark_assessed,
    class_revise,
    class_transition,
    declaration_fingerprint,
    ensure_declaring_institution,
    plan_sessions,
)
from jineng.training.services.common import (
    ONE_PLACE,
    actor_kinds,
    default_radius_m,
    ensure_enrolling_institution,
    ensure_may_revise,
    ensure_may_withdraw,
    future_tolerance,
    grace,
    late_declaration_days,
    may_declare,
)
from jineng.training.services.deleted_rows import deleted_rows_prune
from jineng.training.services.enrollment import (
    EnrollmentInput,
    Ineligible,
    assess,
    enrollment_create,
    enrollment_create_once,
    enrollment_withdraw,
)
from jineng.training.services.history_import import (
    PastClass,
    PastEvent,
    PastTrainee,
    class_history_import,
    ensure_may_import_history,
)
from jineng.training.services.parameters import (
    eligibility_parameter_set,
)
from jineng.training.services.teachers import (
    teacher_create,
    teacher_create_once,
)

__all__ = [
    "ACCEPTED",
    "DUPLICATE",
    "EARLIEST_EVENT",
    "KIND_CODES",
    "MAX_BATCH",
    "METHOD_CODES",
    "ONE_PLACE",
    "REJECTED",
    "ClassInput",
    "EnrollmentInput",
    "EventResult",
    "Ineligible",
    "IngestReport",
    "PastClass",
    "PastEvent",
    "PastTrainee",
    "PlannedSession",
    "SessionInput",
    "actor_kinds",
    "assess",
    "attendance_ingest",
    "attendance_ingest_xapi",
    "attendance_record_manual",
    "attendance_void",
    "class_declare",
    "class_declare_once",
    "class_history_import",
    "class_mark_assessed",
    "class_revise",
    "class_transition",
    "declaration_fingerprint",
    "default_radius_m",
    "deleted_rows_prune",
    "eligibility_parameter_set",
    "enrollment_create",
    "enrollment_create_once",
    "enrollment_withdraw",
    "ensure_declaring_institution",
    "ensure_enrolling_institution",
    "ensure_may_import_history",
    "ensure_may_revise",
    "ensure_may_withdraw",
    "future_tolerance",
    "grace",
    "late_declaration_days",
    "manual_key",
    "may_declare",
    "plan_sessions",
    "teacher_create",
    "teacher_create_once",
]

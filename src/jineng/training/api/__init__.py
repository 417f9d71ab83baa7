"""Training API: what training institutions' own systems send and read: declaring classes and
moving them through their states, real-name enrollment, attendance ingestion from terminals and
learning platforms, and the reads (classes, sessions, completion).

A record outside the caller's scope answers 404 like a missing one; an id in a request body
that the caller may not use (another institution's site or teacher) is a 400 naming the field.
A whole ID number is accepted in a body but never returned (answers carry the masked one).

One module per sub-domain, all adding to the one `router` (jineng.training.api.common),
imported here in the order of the OpenAPI document.
"""

from __future__ import annotations

# The order of these imports is the order of the operations in the OpenAPI document.
# isort: off
from jineng.training.api.common import (
    router,
)
from jineng.training.api.ingest import (
    BatchIn,
    EventIn,
    EventResultOut,
    IngestOut,
    attendance_event_batch,
    attendance_event_create,
    xapi_statements,
)
from jineng.training.api.classes import (
    ClassDeclareIn,
    ClassDetailOut,
    ClassOut,
    ClassReviseIn,
    CompletionOut,
    DECLARE_FIELDS,
    REVISE_RESPONSES,
    SessionIn,
    SessionOut,
    TransitionIn,
    class_completion,
    class_declare,
    class_get,
    class_list,
    class_revise,
    class_revise_post,
    class_transition,
)
from jineng.training.api.enrollment import (
    CheckOut,
    EnrollmentIn,
    EnrollmentOut,
    EnrollmentRefusedOut,
    KeyGroupIn,
    WithdrawIn,
    enrollment_create,
    enrollment_withdraw,
)
from jineng.training.api.teachers import (
    TeacherIn,
    TeacherOut,
    teacher_create,
    teacher_get,
    teacher_list,
)
from jineng.training.api.attendance import (
    AttendanceEventOut,
    ManualAttendanceIn,
    VoidIn,
    attendance_event_list,
    attendance_event_void,
    attendance_manual_create,
)
from jineng.training.api.exports import (
    export_classes,
)
from jineng.training.api.history import (
    HistoryReportOut,
    PastClassIn,
    PastClassOut,
    PastEventIn,
    PastKeyGroupIn,
    PastTraineeIn,
    history_import,
    history_import_file,
)
# isort: on

__all__ = [
    "DECLARE_FIELDS",
    "REVISE_RESPONSES",
    "AttendanceEventOut",
    "BatchIn",
    "CheckOut",
    "ClassDeclareIn",
    "ClassDetailOut",
    "ClassOut",
    "ClassReviseIn",
    "CompletionOut",
    "EnrollmentIn",
    "EnrollmentOut",
    "EnrollmentRefusedOut",
    "EventIn",
    "EventResultOut",
    "HistoryReportOut",
    "IngestOut",
    "KeyGroupIn",
    "ManualAttendanceIn",
    "PastClassIn",
    "PastClassOut",
    "PastEventIn",
    "PastKeyGroupIn",
    "PastTraineeIn",
    "SessionIn",
    "SessionOut",
    "TeacherIn",
    "TeacherOut",
    "TransitionIn",
    "VoidIn",
    "WithdrawIn",
    "attendance_event_batch",
    "attendance_event_create",
    "attendance_event_list",
    "attendance_event_void",
    "attendance_manual_create",
    "class_completion",
    "class_declare",
    "class_get",
    "class_list",
    "class_revise",
    "class_revise_post",
    "class_transition",
    "enrollment_create",
    "enrollment_withdraw",
    "export_classes",
    "history_import",
    "history_import_file",
    "router",
    "teacher_create",
    "teacher_get",
    "teacher_list",
    "xapi_statements",
]

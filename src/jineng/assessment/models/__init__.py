"""The assessment app's data, one module per sub-domain. Other apps import from here."""

from jineng.assessment.models.certificates import (  # noqa: F401
    Certificate,
    CertificateSequence,
    CertificateStatusChange,
)
from jineng.assessment.models.keys import SigningKey  # noqa: F401
from jineng.assessment.models.records import IdentityChallenge  # noqa: F401
from jineng.assessment.models.sittings import (  # noqa: F401
    AssessmentSitting,
    Candidate,
    EvaluatorCode,
    SittingExaminer,
    SittingStatusChange,
)

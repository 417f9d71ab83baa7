"""Models of the outcomes app, by sub-domain."""

from jineng.outcomes.models.businesses import BusinessRegistration
from jineng.outcomes.models.linkage import RecordLink
from jineng.outcomes.models.measures import (
    IndicatorSettings,
    IndicatorValue,
    OutcomeMeasure,
    OutcomeRun,
)
from jineng.outcomes.models.records import (
    InsuranceImport,
    InsuranceRecord,
    InsuranceRecordRevision,
)

__all__ = [
    "BusinessRegistration", "IndicatorSettings", "IndicatorValue", "InsuranceImport",
    "InsuranceRecord", "InsuranceRecordRevision", "OutcomeMeasure", "OutcomeRun", "RecordLink",
]

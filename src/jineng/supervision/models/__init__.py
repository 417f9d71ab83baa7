from jineng.supervision.models.exclusions import ExclusionListEntry, ExclusionListKind
from jineng.supervision.models.oversight import (
    Inspection,
    InspectionFile,
    InspectionMode,
    InspectionStatus,
    Sanction,
    SanctionKind,
    SanctionStatus,
    SpotCheck,
)
from jineng.supervision.models.risk import RiskAlert, RiskRule, RiskRun

__all__ = ["ExclusionListEntry", "ExclusionListKind", "Inspection", "InspectionFile",
           "InspectionMode", "InspectionStatus", "RiskAlert",
           "RiskRule", "RiskRun", "Sanction", "SanctionKind", "SanctionStatus", "SpotCheck"]

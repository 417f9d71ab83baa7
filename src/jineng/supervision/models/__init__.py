from jineng.supervision.models.exclusions import ExclusionListEntry, ExclusionListKind
from jineng.supervision.models.risk import RiskAlert, RiskRule, RiskRun

__all__ = ["ExclusionListEntry", "ExclusionListKind", "RiskAlert", "RiskRule", "RiskRun"]

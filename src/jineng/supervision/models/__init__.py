from jineng.supervision.models.risk import RiskAlert, RiskRule, RiskRun

__all__ = ["RiskAlert", "RiskRule", "RiskRun"]

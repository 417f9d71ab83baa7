"""Models of the subsidy app, by sub-domain."""

from jineng.subsidy.models.attachments import ClaimAttachment
from jineng.subsidy.models.claims import ClaimStatusChange, SubsidyClaim
from jineng.subsidy.models.funds import Budget, BudgetEntry
from jineng.subsidy.models.history import HistoricSubsidy
from jineng.subsidy.models.parameters import ParameterSet
from jineng.subsidy.models.payments import PaymentBatch, PaymentItem

__all__ = ["Budget", "BudgetEntry", "ClaimAttachment", "ClaimStatusChange", "HistoricSubsidy",
           "ParameterSet", "PaymentBatch", "PaymentItem", "SubsidyClaim"]

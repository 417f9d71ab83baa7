"""Budgets with their balances (summed from the ledger), and setting a budget."""

from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jineng.core.api import KIB, Pagination, body_limit, error_responses
from jineng.subsidy import selectors, services

router = Router()
CENT = Decimal("0.01")


def _cents(value) -> Decimal:
    return Decimal(value).quantize(CENT)


class BudgetOut(Schema):
    id: int
    source: str
    region_code: str
    year: int
    amount: Decimal
    committed: Decimal = Field(description="outstanding commitments (approved, not yet paid)")
    spent: Decimal = Field(description="paid, less recoveries")
    available: Decimal

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_committed(obj) -> Decimal:
        return _cents(obj.total_commit - obj.total_spend - obj.total_release)

    @staticmethod
    def resolve_spent(obj) -> Decimal:
        return _cents(obj.total_spend - obj.total_recover)

    @staticmethod
    def resolve_available(obj) -> Decimal:
        return _cents(obj.amount - obj.total_commit + obj.total_release + obj.total_recover)


class SubsidyBudgetFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


@router.get("/budgets", response={200: list[BudgetOut]}, operation_id="subsidy_budget_list")
@paginate(Pagination)
def budget_list(request, filters: Query[SubsidyBudgetFilter]):
    """Budgets of the caller's region subtree with their balances."""
    return selectors.budget_list(actor=request.auth, year=filters.year)


class BudgetIn(Schema):
    source: str = Field(max_length=24)
    region_code: str = Field(max_length=12)
    year: int = Field(ge=2000, le=2100)
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=500)


@router.post("/budgets", response={200: BudgetOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_budget_create")
@body_limit(4 * KIB)
def budget_create(request, payload: BudgetIn):
    budget = services.budget_create(actor=request.auth, source=payload.source,
                                    region_code=payload.region_code, year=payload.year,
                                    amount=payload.amount, note=payload.note)
    return selectors.budget_list(actor=request.auth).get(pk=budget.pk)

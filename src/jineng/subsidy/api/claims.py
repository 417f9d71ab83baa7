"""Claims: the list and one claim with its computation step by step, creating a class's
claims (凡补必进), the claimant's account and submission, review, withdrawal, re-application."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from jineng.core.api import KIB, Pagination, body_limit, error_responses
from jineng.subsidy import selectors, services

router = Router()


class ClaimStepOut(Schema):
    rule: str
    parameter: str
    value: str
    code: str
    amount: str | None
    source: str
    explanation: str = Field(description="the step in the request's language")


class ClaimHistoryOut(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    actor_username: str
    at: dt.datetime


class ClaimListOut(Schema):
    id: int
    kind: str
    status: str
    person_name: str | None
    payee_kind: str
    payee_name: str
    amount: Decimal | None
    region_code: str
    training_class_id: int | None
    parameter_version: str
    refusal_code: str
    created_at: dt.datetime

    @staticmethod
    def resolve_person_name(obj) -> str | None:
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code


class ClaimOut(ClaimListOut):
    organization_id: int | None
    enrollment_id: int | None
    certificate_id: int | None
    certificate_date: dt.date | None
    claim_date: dt.date
    account_masked: str = Field(description="the payee's account, masked")
    bank_name: str
    shares: dict[str, str]
    fund_source: str
    budget_id: int | None
    needs_city_review: bool
    refusal_reason: str
    steps: list[ClaimStepOut]
    history: list[ClaimHistoryOut]
    actions: list[str] = Field(description="what the caller may do now")

    @staticmethod
    def resolve_steps(obj) -> list[dict]:
        return obj.explained_steps

    @staticmethod
    def resolve_history(obj) -> list:
        return obj.history_rows

    @staticmethod
    def resolve_actions(obj) -> list[str]:
        return obj.actions


class SubsidyClaimFilter(Schema):
    status: str = Field("", max_length=20)
    kind: str = Field("", max_length=20)
    class_id: int | None = None


def _detail(request, claim):
    """The claim with what its page shows: the explained steps, the history, the actions."""
    claim.explained_steps = selectors.explained_steps(claim)
    claim.history_rows = list(selectors.claim_history(actor=request.auth, claim=claim))
    claim.actions = selectors.available_claim_actions(actor=request.auth, claim=claim)
    return claim


@router.get("/claims", response={200: list[ClaimListOut]}, operation_id="subsidy_claim_list")
@paginate(Pagination)
def claim_list(request, filters: Query[SubsidyClaimFilter]):
    """Claims the caller may see, newest first."""
    return selectors.claim_list(actor=request.auth, status=filters.status, kind=filters.kind,
                                class_id=filters.class_id)


@router.get("/claims/{claim_id}", response={200: ClaimOut, **error_responses(404)},
            operation_id="subsidy_claim_get")
def claim_get(request, claim_id: int):
    """One claim with its computation step by step (rule, parameter, value, sentence), its
    history and the actions the caller may take."""
    return _detail(request, selectors.claim_get(actor=request.auth, pk=claim_id))


class ClaimBatchIn(Schema):
    payee_kind: str = Field("institution", max_length=12,
                            description="institution (its account below) or person")
    account: str = Field("", max_length=40)
    bank_name: str = Field("", max_length=100)
    claim_date: dt.date | None = None


class ClaimBatchOut(Schema):
    created: list[int]
    refused: list[ClaimListOut]
    already: int = Field(description="trainees who already hold a claim for the class")


@router.post("/classes/{class_id}/claims",
             response={200: ClaimBatchOut, **error_responses(400, 403, 404)},
             operation_id="subsidy_claim_batch_create")
@body_limit(4 * KIB)
def claim_batch_create(request, class_id: int, payload: ClaimBatchIn):
    """A training-subsidy claim for every trainee who completed the assessed class (凡补必进)."""
    result = services.claim_batch_from_class(
        actor=request.auth, class_id=class_id, payee_kind=payload.payee_kind,
        account=payload.account, bank_name=payload.bank_name, claim_date=payload.claim_date)
    return {"created": [c.pk for c in result.created], "refused": result.refused,
            "already": result.already}


class ClaimAccountIn(Schema):
    account: str = Field(max_length=40)
    bank_name: str = Field(max_length=100)


@router.post("/claims/{claim_id}/account",
             response={200: ClaimOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_claim_set_account")
@body_limit(4 * KIB)
def claim_set_account(request, claim_id: int, payload: ClaimAccountIn):
    claim = services.claim_set_account(actor=request.auth, claim_id=claim_id,
                                       account=payload.account, bank_name=payload.bank_name)
    return _detail(request, claim)


@router.post("/claims/{claim_id}/submit",
             response={200: ClaimOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_claim_submit")
def claim_submit(request, claim_id: int):
    claim = services.claim_submit(actor=request.auth, claim_id=claim_id)
    return _detail(request, claim)


class ClaimReviewIn(Schema):
    action: str = Field(max_length=10, description="approve, return or refuse")
    reason: str = Field("", max_length=2000)


@router.post("/claims/{claim_id}/review",
             response={200: ClaimOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_claim_review")
@body_limit(8 * KIB)
def claim_review(request, claim_id: int, payload: ClaimReviewIn):
    """Approve (the last approval commits the budget), return for correction or refuse."""
    claim = services.claim_review(actor=request.auth, claim_id=claim_id, action=payload.action,
                                  reason=payload.reason)
    return _detail(request, claim)


class ClaimReasonIn(Schema):
    reason: str = Field("", max_length=2000)


@router.post("/claims/{claim_id}/withdraw",
             response={200: ClaimOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_claim_withdraw")
@body_limit(8 * KIB)
def claim_withdraw(request, claim_id: int, payload: ClaimReasonIn):
    claim = services.claim_withdraw(actor=request.auth, claim_id=claim_id,
                                    reason=payload.reason)
    return _detail(request, claim)


@router.post("/claims/{claim_id}/reapply",
             response={200: ClaimOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_claim_reapply")
def claim_reapply(request, claim_id: int):
    """支付失败再申请: back to approved, for a new payment batch."""
    claim = services.claim_reapply(actor=request.auth, claim_id=claim_id)
    return _detail(request, claim)


@router.post("/claims/{claim_id}/reevaluate",
             response={200: ClaimOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_claim_reevaluate")
def claim_reevaluate(request, claim_id: int):
    """A claim the rules refused, decided again once its facts are fixed (HRSS staff over its
    region): a draft with the amount and its steps, or 400 with the rule's code when the
    rules still refuse it; a reviewer's refusal stands (409)."""
    claim = services.claim_reevaluate(actor=request.auth, claim_id=claim_id)
    return _detail(request, claim)


@router.post("/claims/{claim_id}/recover",
             response={200: ClaimOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_claim_recover")
@body_limit(8 * KIB)
def claim_recover(request, claim_id: int, payload: ClaimReasonIn):
    """追回 (city or province HRSS staff): a paid claim found fraudulent."""
    claim = services.claim_recover(actor=request.auth, claim_id=claim_id,
                                   reason=payload.reason)
    return _detail(request, claim)

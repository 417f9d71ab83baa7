"""The dry run: `POST /api/subsidy/evaluate` answers what a subsidy would pay (the amount with
its steps) or why not (the refusal code and its sentence), against the person's real history
in jineng. HRSS staff, institutions for their own trainees, and the worker on the public site
after the identity check (the session of the own-record pages). Nothing is written; the ID
number in the body is hashed, never stored or logged, and answered masked."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Router, Schema

from jineng.assessment.selectors import records as assessment_records
from jineng.core.api import KIB, body_limit, error_responses, public_auth
from jineng.subsidy import dry_run

router = Router()


class EvaluateIn(Schema):
    id_number: str = Field(max_length=30, description="the person's resident ID number")
    kind: str = Field(max_length=20, description="training, certificate, upskilling, "
                                                 "apprenticeship, evaluation, "
                                                 "living_allowance, employment_uplift")
    claim_date: dt.date
    occupation_code: str = Field("", max_length=20)
    level: str = Field("", max_length=30, description="skill level code (grade5 …) or name")
    certificate_date: dt.date | None = None
    certificate_number: str = Field("", max_length=40)
    region_code: str = Field("", max_length=12, description="where the claim would be filed; "
                                                            "default: the person's region")
    payee_kind: str = Field("person", max_length=12)
    training_type: str = Field("employment", max_length=30)
    insured_months: int | None = Field(None, description="upskilling; default: counted from "
                                                         "the social-insurance records")
    days: int | None = Field(None, description="living allowance: training days")
    certificate_outside_province: bool = False


class EvaluateStepOut(Schema):
    rule: str
    parameter: str
    value: str
    code: str
    amount: str | None
    source: str
    text: str = Field(description="the step in the request's language")


class YearUsageOut(Schema):
    year: int | None = None
    used: int | None = None
    limit: int | None = None
    left: int | None = None
    upskilling_used: int | None = None
    upskilling_allowed: int | None = None


class EvaluateOut(Schema):
    allowed: bool
    kind: str
    amount: Decimal | None = Field(description="the government's part paid, yuan")
    cost: Decimal | None
    shares: dict[str, str]
    steps: list[EvaluateStepOut]
    refusal_code: str = Field(description="the rule that refuses (empty when allowed)")
    refusal: str = Field(description="the refusal in the request's language")
    parameter_version: str
    catalog_ref: str
    id_masked: str
    registered: bool = Field(description="false: the person is not registered in jineng; "
                                         "only imported history counted")
    history_count: int = Field(description="earlier subsidies that count (jineng and "
                                           "imported)")
    year: YearUsageOut


def verified_person_id(request) -> int | None:
    """For an anonymous caller, the person the identity check of the own-record pages
    verified in this session (0 when none: finds no one); None for a signed-in account."""
    if getattr(request.auth, "is_authenticated", False):
        return None
    held = assessment_records.verified_person_id(getattr(request, "session", None))
    return 0 if held is None else held


@router.post("/evaluate", response={200: EvaluateOut, **error_responses(400, 404)},
             operation_id="subsidy_evaluate", auth=public_auth())
@body_limit(4 * KIB)
def evaluate(request, payload: EvaluateIn):
    """Dry run of the subsidy rules for one person; 404 for a person the caller may not ask
    about (out of scope, not one's trainee, not the verified worker)."""
    answer = dry_run.dry_run(actor=request.auth, question=dry_run.DryRunQuestion(
        **payload.dict()), verified_person_id=verified_person_id(request))
    return {**answer.__dict__, "year": answer.year or {}}

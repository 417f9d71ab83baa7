"""Evaluators' certificate codes (人社鉴发〔2019〕2号): the list the caller may see, and recording
one (province HRSS staff)."""

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jineng.assessment import services
from jineng.assessment.selectors import evaluator_codes as selectors
from jineng.core.api import KIB, Pagination, body_limit, error_responses

router = Router(tags=["assessment"])


class EvaluatorCodeOut(Schema):
    organization_id: int
    organization: str = Field(alias="organization.name")
    letter: str = Field(description="Y an employer, S a social evaluation body")
    filed_with: str = Field(description="ministry or province")
    ministry_code: str = Field(description="4 digits when filed with the Ministry")
    site_code: str = Field(description="6 digits assigned by the province")


class EvaluatorCodeIn(Schema):
    letter: str = Field(max_length=1, description="Y for an enterprise, S for an evaluation "
                                                  "or training institution")
    filed_with: str = Field(max_length=10, description="ministry or province")
    ministry_code: str = Field("", max_length=4, description="required iff filed with the "
                                                             "Ministry: 0001–9999")
    site_code: str = Field(max_length=6, description="6 digits, unique in the province")


@router.get("/evaluator-codes", response=list[EvaluatorCodeOut],
            operation_id="assessment_evaluator_code_list")
@paginate(Pagination)
def evaluator_code_list(request):
    """The evaluator codes the caller may see (its region's, or its own organization's)."""
    return selectors.evaluator_code_list(actor=request.auth)


@router.put("/evaluator-codes/{organization_id}",
            response={200: EvaluatorCodeOut, **error_responses(400, 403, 404, 409)},
            operation_id="assessment_evaluator_code_set")
@body_limit(4 * KIB)
def evaluator_code_set(request, organization_id: int, payload: EvaluatorCodeIn):
    """Record or correct an evaluator's codes (province HRSS staff). 400: a field is wrong;
    403: not province staff; 404: no such organization in scope; 409: the 6-digit code is
    another evaluator's in the province."""
    return services.evaluator_code_set(
        actor=request.auth, organization=organization_id, letter=payload.letter,
        filed_with=payload.filed_with, ministry_code=payload.ministry_code,
        site_code=payload.site_code)

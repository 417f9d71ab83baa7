"""Parameter sets of the subsidy rules: the list, one set with its YAML, upload, publish."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from jineng.core.api import KIB, Pagination, body_limit, error_responses
from jineng.subsidy import selectors, services
from jineng.subsidy.services.parameters import MAX_YAML_CHARS

router = Router()


class ParameterSetOut(Schema):
    id: int
    region_code: str = Field(description='"" for the national default')
    version: str
    valid_from: dt.date
    valid_to: dt.date | None
    status: str
    published_at: dt.datetime | None


class ParameterSetDetailOut(ParameterSetOut):
    yaml_text: str


@router.get("/parameter-sets", response={200: list[ParameterSetOut]},
            operation_id="subsidy_parameter_set_list")
@paginate(Pagination)
def parameter_set_list(request):
    """Published sets (public policy), and the drafts of the caller's region."""
    return selectors.parameter_set_list(actor=request.auth)


@router.get("/parameter-sets/{set_id}",
            response={200: ParameterSetDetailOut, **error_responses(404)},
            operation_id="subsidy_parameter_set_get")
def parameter_set_get(request, set_id: int):
    return selectors.parameter_set_get(actor=request.auth, pk=set_id)


class ParameterSetIn(Schema):
    yaml_text: str = Field(max_length=MAX_YAML_CHARS,
                           description="the parameter file (schema jineng/subsidy-parameters/1)")


@router.post("/parameter-sets",
             response={200: ParameterSetDetailOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_parameter_set_upload")
@body_limit(256 * KIB)
def parameter_set_upload(request, payload: ParameterSetIn):
    """A draft from its YAML, checked strictly (errors name their lines)."""
    return services.parameter_set_upload(actor=request.auth, yaml_text=payload.yaml_text)


@router.post("/parameter-sets/{set_id}/publish",
             response={200: ParameterSetDetailOut, **error_responses(403, 404, 409)},
             operation_id="subsidy_parameter_set_publish")
def parameter_set_publish(request, set_id: int):
    """Publish a draft (refused when its period overlaps a published set of its region)."""
    return services.parameter_set_publish(actor=request.auth, parameter_set_id=set_id)


class ParameterSetCloseIn(Schema):
    last_day: dt.date = Field(description="the set's last day (today or later)")


@router.post("/parameter-sets/{set_id}/close",
             response={200: ParameterSetDetailOut, **error_responses(400, 403, 404, 409)},
             operation_id="subsidy_parameter_set_close")
@body_limit(4 * KIB)
def parameter_set_close(request, set_id: int, payload: ParameterSetCloseIn):
    """End a published set on a day, so that a new version takes over the next day."""
    return services.parameter_set_close(actor=request.auth, parameter_set_id=set_id,
                                        last_day=payload.last_day)

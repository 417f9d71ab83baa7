"""Reference data, public (no login): regions, skill levels (新八级工), occupations
(职业分类大典)."""

from decimal import Decimal

from ninja import Field, Query, Schema
from ninja.pagination import paginate

from jineng.core.api import Pagination, error_responses
from jineng.core.errors import NotFound
from jineng.registry import selectors
from jineng.registry.api.common import PUBLIC, PUBLIC_EXTRA, _actor, router

# --- schemas ------------------------------------------------------------------------------

class RegionOut(Schema):
    code: str = Field(description="区划代码: 6-digit GB/T 2260, 9-digit town, 12-digit village")
    name: str = Field(description="名称")
    level: str = Field(description="province | city | county | town | village")
    parent_code: str | None = Field(description="上级区划代码")
    longitude: Decimal | None = Field(description="经度 (decimal degrees)")
    latitude: Decimal | None = Field(description="纬度 (decimal degrees)")

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class RegionFilter(Schema):
    parent_code: str | None = Field(None, description="only the children of this region")
    level: str | None = Field(None, description="province | city | county | town | village")
    q: str = Field("", description="name contains, or code starts with")


class SkillLevelOut(Schema):
    code: str
    name: str = Field(description="新八级工 rung, e.g. 高级工")
    national_grade: str = Field(description="国家职业资格等级 五级–一级, where the rung has one")
    rank: int
    is_high_skilled: bool = Field(description="高技能人才: 高级工 and above")


class OccupationOut(Schema):
    id: int
    code: str | None = Field(description="《职业分类大典》(2022) code, e.g. 4-10-01-05")
    name: str
    rank: str = Field(description="major | middle | minor | occupation | work_type")
    parent_id: int | None
    needs_code: bool = Field(description="named by a policy but its official code is not "
                                         "confirmed yet")
    code_source: str
    named_in: str


class OccupationFilter(Schema):
    q: str = Field("", description="name contains, or code starts with")
    rank: str | None = None
    needs_code: bool | None = None


# --- reference data (public) --------------------------------------------------------------

@router.get("/regions", response=list[RegionOut], auth=PUBLIC, openapi_extra=PUBLIC_EXTRA,
            operation_id="registry_region_list", summary="Regions (地区)")
@paginate(Pagination)
def region_list(request, filters: Query[RegionFilter]):
    return selectors.region_list(actor=_actor(request), **filters.dict()).select_related(
        "parent")


@router.get("/regions/{code}", response={200: RegionOut, **error_responses(404)}, auth=PUBLIC,
            openapi_extra=PUBLIC_EXTRA, operation_id="registry_region_get")
def region_get(request, code: str):
    return selectors.region_get(actor=_actor(request), code=code)


@router.get("/skill-levels", response=list[SkillLevelOut], auth=PUBLIC,
            openapi_extra=PUBLIC_EXTRA, operation_id="registry_skill_level_list",
            summary="Skill levels (新八级工)")
@paginate(Pagination)
def skill_level_list(request):
    return selectors.skill_level_list(actor=_actor(request))


@router.get("/skill-levels/{code}", response={200: SkillLevelOut, **error_responses(404)},
            auth=PUBLIC, openapi_extra=PUBLIC_EXTRA, operation_id="registry_skill_level_get")
def skill_level_get(request, code: str):
    level = selectors.skill_level_list(actor=_actor(request)).filter(code=code).first()
    if level is None:
        raise NotFound()
    return level


@router.get("/occupations", response=list[OccupationOut], auth=PUBLIC,
            openapi_extra=PUBLIC_EXTRA, operation_id="registry_occupation_list",
            summary="Occupations (职业分类大典)")
@paginate(Pagination)
def occupation_list(request, filters: Query[OccupationFilter]):
    return selectors.occupation_list(actor=_actor(request), **filters.dict())


@router.get("/occupations/{occupation_id}",
            response={200: OccupationOut, **error_responses(404)}, auth=PUBLIC,
            openapi_extra=PUBLIC_EXTRA, operation_id="registry_occupation_get")
def occupation_get(request, occupation_id: int):
    return selectors.occupation_get(actor=_actor(request), pk=occupation_id)

"""Teachers of the caller's institution: registering one by ID number, the list, one."""

from __future__ import annotations

from ninja import Field, Schema, Status
from ninja.pagination import paginate

from jineng.core.api import Pagination, error_responses
from jineng.training import selectors, services
from jineng.training.api.common import router


class TeacherIn(Schema):
    name: str = Field(min_length=1, max_length=50)
    id_number: str = Field(min_length=15, max_length=18, description="身份证号码: how one "
                           "person teaching at two institutions is recognised; never returned")
    qualification: str = Field("", max_length=200)


class TeacherOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    name: str
    id_masked: str = Field(description="身份证号码, masked")
    person_key: str = Field(description="the same value for the same person at every "
                                        "institution (a keyed hash, not the ID number)")
    qualification: str
    is_active: bool

    @staticmethod
    def resolve_person_key(obj) -> str:
        return obj.id_hash[:16]


@router.post("/teachers", response={201: TeacherOut, 200: TeacherOut,
                                    **error_responses(400, 403, 409, 422)},
             operation_id="training_teacher_create")
def teacher_create(request, payload: TeacherIn):
    """A teacher of the caller's institution, by ID number. 201: registered; 200: this teacher
    (same ID number and name) was registered before; 409: the ID number is registered under
    another name."""
    row, created = services.teacher_create_once(actor=request.auth, name=payload.name,
                                                id_number=payload.id_number,
                                                qualification=payload.qualification)
    return Status(201 if created else 200, selectors.teacher_get(actor=request.auth, pk=row.pk))


@router.get("/teachers", response=list[TeacherOut], operation_id="training_teacher_list")
@paginate(Pagination)
def teacher_list(request, organization_id: int | None = None, person_key: str | None = None):
    """Teachers the caller may see (an institution: its own; staff: their region's), by
    institution and name. `person_key` finds one person's records at every institution."""
    qs = selectors.teacher_list(actor=request.auth, organization_id=organization_id)
    if person_key:
        qs = qs.filter(id_hash__startswith=person_key[:16]) if len(person_key) == 16 \
            else qs.none()
    return qs.order_by("organization_id", "name", "id")


@router.get("/teachers/{teacher_id}", response={200: TeacherOut, **error_responses(404)},
            operation_id="training_teacher_get")
def teacher_get(request, teacher_id: int):
    return selectors.teacher_get(actor=request.auth, pk=teacher_id)

"""Downloads: the classes the caller may see, a class's roster and attendance log (csv or
xlsx, audited)."""

from __future__ import annotations

from django.http import HttpResponse

from jineng.core.api import error_responses
from jineng.training import exports
from jineng.training.api.common import router


def _download(export) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


def _binary_doc() -> dict:
    return {"responses": {200: {"description": "CSV (UTF-8 with BOM) or Excel workbook, "
                                               "Chinese headers, ID numbers masked",
                                "content": {t.split(";")[0]: {"schema": {
                                    "type": "string", "format": "binary"}}
                                    for t in exports.FORMATS.values()}}}}


@router.get("/exports/classes.{fmt}", response=error_responses(400, 404),
            operation_id="training_export_classes", openapi_extra=_binary_doc())
def export_classes(request, fmt: str, status: str | None = None,
                   region_code: str | None = None):
    """The classes the caller may see, as csv or xlsx (audited)."""
    return _download(exports.export_classes(actor=request.auth, fmt=fmt, status=status,
                                            region_code=region_code))


def _class_export(fmt: str, what: str):
    """GET /classes/{class_id}/<what>.<fmt>: one operation per format, as the registry's."""
    make = {"roster": exports.export_roster, "attendance": exports.export_attendance}[what]
    doc = {"roster": "A class's roster with hours and completion",
           "attendance": "A class's attendance log with every flag"}[what]

    def export(request, class_id: int):
        return _download(make(actor=request.auth, class_id=class_id, fmt=fmt))

    export.__doc__ = f"{doc}, as {fmt}; ID numbers masked (audited)."
    export.__name__ = f"export_{what}_{fmt}"
    router.get(f"/classes/{{class_id}}/{what}.{fmt}", response=error_responses(400, 404),
               operation_id=f"training_export_{what}_{fmt}",
               openapi_extra=_binary_doc())(export)


for _what in ("roster", "attendance"):
    for _fmt in ("csv", "xlsx"):
        _class_export(_fmt, _what)

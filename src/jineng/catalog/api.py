"""Catalog API: read catalogs, versions and entries (published ones need no login), compare two
versions, the as-of look-ups, and the filing workflow (staff)."""

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jineng.catalog import importers, selectors, services
from jineng.catalog.choices import CatalogKind, TrainingType
from jineng.catalog.kinds import spec_for
from jineng.core.api import PUBLIC_SECURITY, Pagination, error_responses, public_auth
from jineng.core.errors import DomainError
from jineng.registry import selectors as registry_selectors

router = Router(tags=["catalogs"])


# Published catalogs are public: reads need no token (an anonymous caller sees published
# versions only); the workflow needs a token or a session.
PUBLIC = public_auth()
READ = {"auth": PUBLIC, "openapi_extra": {"security": PUBLIC_SECURITY}}
E = error_responses
WRITE = E(400, 403, 404, 409, 422)


# --- shapes ----------------------------------------------------------------------------------

class CatalogOut(Schema):
    id: int
    kind: str
    title: str
    region_code: str
    region_name: str
    base_id: int | None

    @staticmethod
    def from_catalog(c) -> dict:
        return {"id": c.pk, "kind": c.kind, "title": c.title, "region_code": c.region.code,
                "region_name": c.region.name, "base_id": c.base_id}


class VersionOut(Schema):
    id: int
    catalog_id: int
    number: int
    status: str
    effective_from: dt.date
    effective_to: dt.date | None
    declared_effective_to: dt.date | None
    published_at: dt.datetime | None
    superseded_at: dt.datetime | None
    change_note: str
    rejection_reason: str


def version_out(v) -> dict:
    return {f: getattr(v, f) for f in VersionOut.model_fields}


class EntryOut(Schema):
    id: int
    values: dict[str, Any] = Field(description="column name → value, as in the Excel layout")


class CatalogIn(Schema):
    kind: CatalogKind
    region_code: str
    title: str = ""
    base_id: int | None = Field(None, description="the province's catalog, for a supplement")


class DraftIn(Schema):
    effective_from: dt.date
    effective_to: dt.date | None = None
    change_note: str = ""
    copy_entries: bool = True


class EntryIn(Schema):
    values: dict[str, Any] = Field(description="column name → value, as in the Excel layout")


class RejectIn(Schema):
    reason: str


class ImportReportOut(Schema):
    total_rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    written: bool
    errors: list[dict[str, Any]]


class ProblemOut(Schema):
    entry_id: int | None
    row: int | None
    field: str
    message: str


class AnswerOut(Schema):
    found: bool
    entry: dict[str, Any] | None = None
    entry_id: int | None = None
    version_id: int | None = None
    version_number: int | None = None
    catalog_id: int | None = None
    catalog_title: str | None = None
    citation: str | None = None
    reason: str | None = None
    message: str | None = None


class DiffOut(Schema):
    added: list[list[str]]
    removed: list[list[str]]
    changed: list[dict[str, Any]]
    unchanged: int


def _entry_out(spec, entry) -> dict:
    return {"id": entry.pk, "values": {k: (v.isoformat() if isinstance(v, dt.date) else str(v))
                                       for k, v in spec.cells(entry).items()}}


# --- reading ---------------------------------------------------------------------------------

@router.get("/", response={200: list[CatalogOut], **E(422)}, **READ, operation_id="catalog_list")
def catalog_list(request, kind: CatalogKind | None = None, region_code: str | None = None):
    return [CatalogOut.from_catalog(c) for c in selectors.catalog_list(
        actor=request.auth, kind=kind, region_code=region_code)]


@router.get("/{int:catalog_id}", response={200: CatalogOut, **E(404)}, **READ,
            operation_id="catalog_get")
def catalog_get(request, catalog_id: int):
    return CatalogOut.from_catalog(selectors.catalog_get(actor=request.auth, pk=catalog_id))


@router.get("/{int:catalog_id}/versions", response={200: list[VersionOut], **E(404)}, **READ,
            operation_id="catalog_version_list")
def version_list(request, catalog_id: int):
    catalog = selectors.catalog_get(actor=request.auth, pk=catalog_id)
    return [version_out(v) for v in selectors.version_list(actor=request.auth, catalog=catalog)]


@router.get("/{int:catalog_id}/in-force", response={200: VersionOut | None, **E(404, 422)}, **READ,
            operation_id="catalog_version_in_force")
def version_in_force(request, catalog_id: int, day: dt.date | None = None):
    """The version in force on a day (today by default)."""
    catalog = selectors.catalog_get(actor=request.auth, pk=catalog_id)
    version = selectors.version_in_force(catalog, day or timezone.localdate())
    return version_out(version) if version else None


@router.get("/versions/{int:version_id}", response={200: VersionOut, **E(404)}, **READ,
            operation_id="catalog_version_get")
def version_get(request, version_id: int):
    return version_out(selectors.version_get(actor=request.auth, pk=version_id))


class EntryFilter(Schema):
    q: str = ""
    level_code: str | None = None
    region_code: str | None = None
    training_type: TrainingType | None = None


@router.get("/versions/{int:version_id}/entries",
            response={200: list[EntryOut], **E(404, 422)}, **READ,
            operation_id="catalog_entry_list")
@paginate(Pagination)
def entry_list(request, version_id: int, filters: Query[EntryFilter]):
    version = selectors.version_get(actor=request.auth, pk=version_id)
    spec = spec_for(version.catalog.kind)
    entries = selectors.entry_list(actor=request.auth, version=version, **filters.dict())
    return _LazyEntries(spec, entries)


class _LazyEntries:
    """Shapes only the page of entries the paginator slices."""

    def __init__(self, spec, qs) -> None:
        self.spec, self.qs = spec, qs

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item):
        return [_entry_out(self.spec, e) for e in self.qs[item]]


@router.get("/versions/{int:old_id}/diff/{int:new_id}", response={200: DiffOut, **E(404)}, **READ,
            operation_id="catalog_version_diff")
def version_diff(request, old_id: int, new_id: int):
    old = selectors.version_get(actor=request.auth, pk=old_id)
    new = selectors.version_get(actor=request.auth, pk=new_id)
    diff = selectors.version_diff(actor=request.auth, old=old, new=new)
    return {"added": [list(k) for k, _v in diff.added],
            "removed": [list(k) for k, _v in diff.removed],
            "changed": [{"key": list(r.key), "fields": list(r.fields),
                         "old": {f: r.old.get(f) for f in r.fields},
                         "new": {f: r.new.get(f) for f in r.fields}} for r in diff.changed],
            "unchanged": diff.unchanged}


# --- as-of look-ups --------------------------------------------------------------------------

def _answer(answer, spec=None) -> dict:
    if answer is None:
        return {"found": False}
    data = answer.as_dict()
    spec = spec or spec_for(CatalogKind.SUBSIDY_STANDARD)
    return {"found": True, "entry": _entry_out(spec, answer.entry)["values"], **{
        k: data[k] for k in ("entry_id", "version_id", "version_number", "catalog_id",
                             "catalog_title", "citation")}}


def _occupation(actor, occupation_id: int | None, occupation_code: str | None):
    if occupation_id is not None:
        return registry_selectors.occupation_get(actor=actor, pk=occupation_id)
    if occupation_code:
        found = registry_selectors.occupation_list(actor=actor).filter(
            code=occupation_code).first()
        if found is None:
            raise DomainError("Unknown occupation code.", field="occupation_code")
        return found
    return None


@router.get("/lookup/subsidy-standard", response={200: AnswerOut, **E(400, 404, 422)}, **READ,
            operation_id="catalog_subsidy_standard_as_of")
def subsidy_standard_lookup(request, region_code: str, training_type: TrainingType,
                            occupation_id: int | None = None,
                            occupation_code: str | None = None,
                            level_code: str | None = None, special_ability_item: str = "",
                            day: dt.date | None = None):
    """The subsidy standard in force on `day` for the region (base catalog and approved
    supplements) and the version it comes from: store `version_id` with any amount computed."""
    occupation = _occupation(request.auth, occupation_id, occupation_code)
    answer = selectors.subsidy_standard_as_of(
        occupation, level_code, region_code, training_type, day or timezone.localdate(),
        special_ability_item=special_ability_item)
    return _answer(answer)


def _listing(listing, kind) -> dict:
    base = _answer(listing.answer, spec_for(kind)) if listing.answer else {"found": False}
    return {**base, "found": listing.listed, "reason": listing.reason,
            "message": listing.message}


@router.get("/lookup/institution", response={200: AnswerOut, **E(400, 404, 422)}, **READ,
            operation_id="catalog_institution_listed_as_of")
def institution_lookup(request, organization_id: int, occupation_id: int | None = None,
                       level_code: str | None = None, site_id: int | None = None,
                       special_ability_item: str = "", day: dt.date | None = None):
    org = registry_selectors.organization_get(actor=request.auth, pk=organization_id)
    occupation = _occupation(request.auth, occupation_id, None)
    site = registry_selectors.site_get(actor=request.auth, pk=site_id) if site_id else None
    listing = selectors.institution_listed_as_of(
        org, occupation, level_code, site, day or timezone.localdate(),
        special_ability_item=special_ability_item)
    return _listing(listing, CatalogKind.TRAINING_INSTITUTION)


@router.get("/lookup/evaluator", response={200: AnswerOut, **E(400, 404, 422)}, **READ,
            operation_id="catalog_evaluator_listed_as_of")
def evaluator_lookup(request, organization_id: int, occupation_id: int | None = None,
                     level_code: str | None = None, special_ability_item: str = "",
                     day: dt.date | None = None):
    org = registry_selectors.organization_get(actor=request.auth, pk=organization_id)
    occupation = _occupation(request.auth, occupation_id, None)
    listing = selectors.evaluator_listed_as_of(
        org, occupation, level_code, day or timezone.localdate(),
        special_ability_item=special_ability_item)
    return _listing(listing, CatalogKind.EVALUATION_INSTITUTION)


# --- the workflow (staff) --------------------------------------------------------------------

@router.post("/", response={201: CatalogOut, **WRITE}, operation_id="catalog_create")
def catalog_create(request, payload: CatalogIn):
    region = registry_selectors.region_get(actor=request.auth, code=payload.region_code)
    base = (selectors.catalog_get(actor=request.auth, pk=payload.base_id)
            if payload.base_id else None)
    catalog = services.catalog_create(actor=request.auth, kind=payload.kind, region=region,
                                      title=payload.title, base=base)
    return Status(201, CatalogOut.from_catalog(catalog))


@router.post("/{int:catalog_id}/versions", response={201: VersionOut, **WRITE},
             operation_id="catalog_version_create")
def version_create(request, catalog_id: int, payload: DraftIn):
    catalog = selectors.catalog_get(actor=request.auth, pk=catalog_id)
    version = services.version_create_draft(actor=request.auth, catalog=catalog,
                                            **payload.dict())
    return Status(201, version_out(version))


@router.get("/versions/{int:version_id}/problems", response={200: list[ProblemOut], **E(404)},
            operation_id="catalog_version_problems")
def version_problems(request, version_id: int):
    """What stops a draft from being submitted (empty: nothing)."""
    version = selectors.version_get(actor=request.auth, pk=version_id)
    return [p.as_dict() for p in services.version_problems(version)]


@router.post("/versions/{int:version_id}/entries", response={201: EntryOut, **WRITE},
             operation_id="catalog_entry_add")
def entry_add(request, version_id: int, payload: EntryIn):
    version = selectors.version_get(actor=request.auth, pk=version_id)
    entry = services.entry_add(actor=request.auth, version=version, values=payload.values)
    return Status(201, _entry_out(spec_for(version.catalog.kind), entry))


@router.delete("/versions/{int:version_id}/entries/{int:entry_id}",
               response={204: None, **E(403, 404, 409)},
               operation_id="catalog_entry_delete")
def entry_delete(request, version_id: int, entry_id: int):
    version = selectors.version_get(actor=request.auth, pk=version_id)
    services.entry_delete(actor=request.auth, version=version, entry_id=entry_id)
    return Status(204, None)


@router.post("/versions/{int:version_id}/import", response={200: ImportReportOut, **WRITE},
             operation_id="catalog_entries_import")
def entries_import(request, version_id: int, file: File[UploadedFile],
                   mode: Form[str] = importers.REPLACE, skip_bad_rows: Form[bool] = False):
    """Load entries from an Excel or CSV file in the catalog layout (see the template)."""
    version = selectors.version_get(actor=request.auth, pk=version_id)
    report = services.entries_import(actor=request.auth, version=version, data=file.read(),
                                     filename=file.name or "upload.xlsx", mode=mode,
                                     skip_bad_rows=skip_bad_rows)
    return report.as_dict()


def _transition(name: str):
    def handler(request, version_id: int):
        version = selectors.version_get(actor=request.auth, pk=version_id)
        return version_out(getattr(services, f"version_{name}")(actor=request.auth,
                                                                  version=version))
    handler.__name__ = f"version_{name}"
    return handler


router.post("/versions/{int:version_id}/submit", response={200: VersionOut, **WRITE},
            operation_id="catalog_version_submit")(_transition("submit"))
router.post("/versions/{int:version_id}/publish", response={200: VersionOut, **WRITE},
            operation_id="catalog_version_publish")(_transition("publish"))
router.post("/versions/{int:version_id}/reopen", response={200: VersionOut, **WRITE},
            operation_id="catalog_version_reopen")(_transition("reopen"))


@router.post("/versions/{int:version_id}/reject", response={200: VersionOut, **WRITE},
             operation_id="catalog_version_reject")
def version_reject(request, version_id: int, payload: RejectIn):
    version = selectors.version_get(actor=request.auth, pk=version_id)
    return version_out(services.version_reject(actor=request.auth, version=version,
                                               reason=payload.reason))

"""An import from start to end: the import row (the same content answers the earlier import),
the pass, the all-or-nothing apply, the report and the audit event; files, API batches and
uploads as background jobs."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, pii
from jineng.core.models import AuditAction
from jineng.jobs import services as jobs
from jineng.jobs.tasks import JobRun, job_task
from jineng.outcomes.choices import ImportKind, ImportSource, ImportStatus
from jineng.outcomes.models import (
    InsuranceImport,
    RecordLink,
)
from jineng.outcomes.services import linkage
from jineng.outcomes.services.imports.apply import apply_records
from jineng.outcomes.services.imports.businesses import (
    _apply_businesses,
    _businesses_pass,
)
from jineng.outcomes.services.imports.common import (
    COLUMNS,
    ImportOutcome,
    _Checks,
    _ensure_importer,
    _file_error,
    _kind,
    _Pass,
)
from jineng.outcomes.services.imports.reading import (
    _batch_table,
    _check_size,
    _file_table,
    _Table,
)
from jineng.outcomes.services.imports.records import RecordsPass, records_pass
from jineng.registry.models import Region

# --- links ----------------------------------------------------------------------------------------

def _write_links(state: _Pass, imp: InsuranceImport, kind: str) -> dict[str, RecordLink]:
    """The rows without a usable ID number as RecordLinks; a row sent again finds its link."""
    if not state.links:
        return {}
    keys = list(state.links)
    found: dict[str, RecordLink] = {}
    for start in range(0, len(keys), 2000):
        part = keys[start:start + 2000]
        known = {link.row_key: link for link in RecordLink.objects.filter(row_key__in=part)}
        fresh = []
        for key in part:
            if key in known:
                continue
            row = state.links[key]
            fresh.append(RecordLink(
                kind=kind, source_import=imp, row_number=row.row, row_key=key,
                reason=row.reason, name=row.name[:50], birth_date=row.birth_date,
                region_id=row.region_id,
                id_given_masked=pii.mask_id_number(row.id_given)[:18] if row.id_given else "",
                id_given_encrypted=pii.encrypt(row.id_given) if row.id_given else "",
                payload=row.payload))
        RecordLink.objects.bulk_create(fresh, ignore_conflicts=True)
        found.update(known)
        found.update({link.row_key: link for link in
                      RecordLink.objects.filter(row_key__in=[r.row_key for r in fresh])})
    return found


# --- the import ---------------------------------------------------------------------------------

logger = logging.getLogger(__name__)


class _Rejected(Exception):
    """Rolls back everything staged when the file has errors and bad rows are not skipped."""


def _start(actor, kind: str, source: str, table: _Table, region: Region,
           job_id: int | None) -> ImportOutcome | None:
    """The import's row, committed at once so that the same content sent at the same time by
    someone else finds it (the unique constraint on kind + content); None when it is new."""
    try:
        with transaction.atomic():
            imp = InsuranceImport.objects.create(
                kind=kind, source=source, filename=table.filename[:255],
                content_sha256=table.sha256, region=region, requested_by=actor,
                status=ImportStatus.RUNNING, job_id=job_id, total_rows=0)
    except IntegrityError:
        earlier = (InsuranceImport.objects.exclude(status__in=[ImportStatus.FAILED,
                                                               ImportStatus.REJECTED])
                   .filter(kind=kind, content_sha256=table.sha256).first())
        if earlier is None:
            raise
        return ImportOutcome(record=earlier, repeated=True)
    return ImportOutcome(record=imp)


def _run(*, actor, kind: str, source: str, table: _Table, skip_bad_rows: bool,
         progress: Callable[[int, int | None], None] | None, job_id: int | None = None,
         ) -> ImportOutcome:
    region = _ensure_importer(actor)
    earlier = (InsuranceImport.objects.exclude(status__in=[ImportStatus.FAILED,
                                                           ImportStatus.REJECTED])
               .filter(kind=kind, content_sha256=table.sha256).first())
    if earlier is not None:
        return ImportOutcome(record=earlier, repeated=True)
    started = _start(actor, kind, source, table, region, job_id)
    if started.repeated:
        return started
    imp = started.record
    began = time.monotonic()
    report = (progress or (lambda done, total=None: None))
    report(0, table.total)

    def step(done: int) -> None:
        report(min(done, table.total) if table.total else done)

    checks = _Checks(region, timezone.localdate())
    checks.region("")  # loads the importer's regions before any COPY starts
    state = _Pass()
    now = timezone.now()
    counts: tuple[int, int, int] = (0, 0, 0)
    prepared: RecordsPass | None = None
    timings: dict[str, float] = {}
    try:
        with transaction.atomic():
            if kind == ImportKind.RECORDS:
                prepared = records_pass(table, checks, state, step)
            else:
                good = _businesses_pass(table, checks, state, step)
            if state.report.count and not skip_bad_rows:
                raise _Rejected
            links = _write_links(state, imp, kind)
            if prepared is not None:
                created, corrected = apply_records(prepared, imp, now)
                counts = (created, corrected, state.staged - created - corrected)
            else:
                counts = _apply_businesses(good, imp, now, links)
            _finish(imp, actor, state, counts, ImportStatus.SUCCEEDED, began)
    except _Rejected:
        _finish(imp, actor, state, (0, 0, 0), ImportStatus.REJECTED, began)
    except BaseException:
        InsuranceImport.objects.filter(pk=imp.pk).update(
            status=ImportStatus.FAILED, finished_at=timezone.now(),
            seconds=time.monotonic() - began)
        raise
    finally:
        if prepared is not None:
            timings = prepared.timings
            logger.info("outcomes import %s: %s rows, seconds per step %s", imp.pk, state.rows,
                        timings)
            prepared.close()
    report(table.total if table.total else state.rows, None)
    if imp.status == ImportStatus.SUCCEEDED and imp.unlinked:
        linkage.link_pending(actor=actor, source_import_id=imp.pk)
    return ImportOutcome(record=imp, timings=timings)


def _finish(imp: InsuranceImport, actor, state: _Pass, counts: tuple[int, int, int],
            status: str, began: float) -> None:
    written = status == ImportStatus.SUCCEEDED
    imp.status = status
    imp.total_rows = state.rows
    imp.created, imp.corrected, imp.unchanged = counts
    imp.unlinked = len(state.links) if written else 0
    imp.duplicates = state.duplicates
    imp.error_rows = state.report.count
    imp.errors = sorted(state.report.errors, key=lambda e: (e["row"], e["field"]))
    imp.finished_at = timezone.now()
    imp.seconds = round(time.monotonic() - began, 3)
    with transaction.atomic():
        imp.save()
        audit.record(actor=actor, action=AuditAction.CREATE, instance=imp, after={
            "kind": imp.kind, "source": imp.source, "file": imp.filename,
            "status": imp.status, "rows": imp.total_rows, "created": imp.created,
            "corrected": imp.corrected, "unchanged": imp.unchanged, "unlinked": imp.unlinked,
            "duplicates": imp.duplicates, "error_rows": imp.error_rows,
            "sha256": imp.content_sha256, "job": imp.job_id})


def insurance_import_file(*, actor, kind: str, path: str | os.PathLike, filename: str = "",
                          skip_bad_rows: bool = False,
                          progress: Callable[[int, int | None], None] | None = None,
                          job_id: int | None = None, source: str = ImportSource.FILE,
                          ) -> ImportOutcome:
    """Import a CSV (UTF-8 or GBK) or .xlsx file of records or business registrations from
    disk, streamed. The file's errors (size, encoding, columns) raise DomainError and write
    nothing; row errors are the import's report (status `rejected`: nothing written, unless
    `skip_bad_rows`). The same content imported before answers that import (`repeated`).
    `progress(done, total)` is called as rows pass (total once, at the start)."""
    _ensure_importer(actor)
    kind = _kind(kind)
    path = Path(path)
    table = _file_table(path, filename or path.name, COLUMNS[kind])
    return _run(actor=actor, kind=kind, source=source, table=table,
                skip_bad_rows=skip_bad_rows, progress=progress, job_id=job_id)


def insurance_import_rows(*, actor, kind: str, rows: Sequence[dict[str, Any]],
                          skip_bad_rows: bool = False) -> ImportOutcome:
    """Import one API batch (at most MAX_BATCH_ROWS rows keyed by the columns' field names),
    exactly as a file: a batch sent again (same rows in the same order) answers the earlier
    import, and every row is idempotent on its own (person, employer, month)."""
    _ensure_importer(actor)
    kind = _kind(kind)
    table = _batch_table(rows, COLUMNS[kind])
    return _run(actor=actor, kind=kind, source=ImportSource.API, table=table,
                skip_bad_rows=skip_bad_rows, progress=None)


# --- a page or API upload becomes a background job ------------------------------------------

UPLOAD_DIR = "outcomes-uploads"


def insurance_import_upload(*, actor, kind: str, upload, filename: str,
                            skip_bad_rows: bool = False, ip_address: str | None = None):
    """Keep an uploaded file (in the jobs storage, never served) and start the background job
    that imports it; answers the job (its page shows progress, then links to the import)."""
    _ensure_importer(actor)
    kind = _kind(kind)
    name = (filename or "").lower()
    if not name.endswith((".csv", ".txt", ".xlsx")):
        raise _file_error(_("Upload a .csv or .xlsx file."), "format")
    size = getattr(upload, "size", None)
    if size is not None:
        _check_size(size)
    storage = jobs.result_storage()
    stored = storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}{Path(name).suffix}", File(upload))
    try:
        title = (_("Import of social-insurance records: %(file)s") if kind == ImportKind.RECORDS
                 else _("Import of business registrations: %(file)s")) % {"file": filename}
        return jobs.job_start(actor=actor, task=outcomes_import_job, kind=f"outcomes.import_{kind}",
                              title=title, params={"kind": kind, "path": stored,
                                                   "filename": filename[:200],
                                                   "skip_bad_rows": bool(skip_bad_rows)},
                              ip_address=ip_address)
    except BaseException:
        storage.delete(stored)
        raise


@job_task
def outcomes_import_job(run: JobRun) -> None:
    """The background import of an uploaded file; the stored upload is deleted afterwards."""
    storage = jobs.result_storage()
    stored = run.params["path"]
    try:
        outcome = insurance_import_file(
            actor=run.actor, kind=run.params["kind"], path=storage.path(stored),
            filename=run.params.get("filename", ""),
            skip_bad_rows=bool(run.params.get("skip_bad_rows")),
            progress=lambda done, total=None: run.progress(done, total), job_id=run.job.pk)
    finally:
        storage.delete(stored)
    run.rows = outcome.record.total_rows

"""CSV and Excel exports of the registries, scoped to the actor and audited.

Headers are the Chinese column titles of the import templates, so an exported organization or
site file can be imported elsewhere as it is. Persons are exported with masked ID numbers only:
no whole ID number ever leaves through an export. Rows are read in chunks and written as they
come (CSV is streamed; Excel is built in openpyxl's write-only mode). An export of more than
settings.REGISTRY_EXPORT_INLINE_ROWS rows runs as a background job (`export_request`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.core import audit
from jineng.core.errors import DomainError, NotFound
from jineng.core.models import AuditAction
from jineng.core.tabular import csv_row, write_xlsx
from jineng.jobs import services as jobs
from jineng.jobs.tasks import JobRun, job_task
from jineng.registry import selectors
from jineng.registry.choices import (
    Gender,
    InstitutionType,
    KeyGroup,
    OrganizationKind,
    OrganizationStatus,
)

CHUNK = 2000
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Exporter:
    """One exportable registry: its Chinese headers, the scoped rows, how a row is written."""

    kind: str
    entity_type: str
    sheet_title: str
    headers: Sequence[str]
    queryset: Callable[[Any], QuerySet]
    row: Callable[[Any, dict], list[Any]]  # (record, choice labels) → cells

    def rows(self, actor) -> Iterator[list[Any]]:
        labels = choice_labels()  # once per file: get_FOO_display() is slow on big exports
        for record in self.queryset(actor).iterator(chunk_size=CHUNK):
            yield self.row(record, labels)


def choice_labels() -> dict[str, dict[str, str]]:
    """Labels of the choice fields, in the current language."""
    return {name: {str(v): str(label) for v, label in choices.choices}
            for name, choices in (("kind", OrganizationKind), ("type", InstitutionType),
                                  ("status", OrganizationStatus), ("gender", Gender),
                                  ("group", KeyGroup))}


def _date(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


ORGANIZATIONS = Exporter(
    kind="organizations",
    entity_type="registry.organization",
    sheet_title="机构",
    headers=["统一社会信用代码", "机构名称", "机构类别", "培训机构类型", "所在地区代码",
             "所在地区", "地址", "法定代表人", "联系电话", "所属行业", "校验位例外理由",
             "状态", "状态起始日期"],
    queryset=lambda actor: selectors.organization_list(actor=actor).order_by("pk"),
    row=lambda o, labels: [
        o.credit_code, o.name, labels["kind"].get(o.kind, o.kind),
        labels["type"].get(o.institution_type, ""), o.region.code, o.region.name, o.address,
        o.legal_representative, o.contact_phone, o.sector, o.credit_code_override,
        labels["status"].get(o.status, o.status), o.status_since.isoformat()],
)

SITES = Exporter(
    kind="sites",
    entity_type="registry.trainingsite",
    sheet_title="培训场地",
    headers=["机构统一社会信用代码", "机构名称", "场地名称", "地址", "所在地区代码", "所在地区",
             "经度", "纬度", "容纳人数", "在用"],
    queryset=lambda actor: selectors.site_list(actor=actor).order_by("pk"),
    row=lambda s, labels: [s.organization.credit_code, s.organization.name, s.name, s.address,
                   s.region.code, s.region.name, str(s.longitude), str(s.latitude), s.capacity,
                   "是" if s.is_active else "否"],
)

PERSONS = Exporter(
    kind="persons",
    entity_type="registry.person",
    sheet_title="人员",
    # The whole ID number is never exported: only the masked one (birth date hidden too).
    headers=["身份证号码（脱敏）", "姓名", "性别", "所在地区代码", "所在地区", "联系电话",
             "常住地址", "重点群体", "登记机构", "登记时间"],
    queryset=lambda actor: (selectors.person_list(actor=actor)
                            .select_related("region", "registered_by")
                            .defer("id_encrypted", "id_hash")
                            .prefetch_related("key_groups").order_by("pk")),
    row=lambda p, labels: [
        p.id_masked, p.name, labels["gender"].get(p.gender, p.gender), p.region.code,
        p.region.name, p.phone, p.address,
        ";".join(labels["group"].get(m.group, m.group) for m in p.key_groups.all()),
        p.registered_by.name if p.registered_by_id else "", _date(p.created_at)],
)

EXPORTERS: dict[str, Exporter] = {e.kind: e for e in (ORGANIZATIONS, SITES, PERSONS)}


@dataclass
class ExportFile:
    filename: str
    content_type: str
    chunks: Iterable[bytes]
    count: int


def get_exporter(kind: str, fmt: str) -> Exporter:
    exporter = EXPORTERS.get(kind)
    if exporter is None or fmt not in FORMATS:
        raise NotFound()
    return exporter


def _record_export(*, actor, exporter: Exporter, fmt: str, count: int,
                   ip_address: str | None = None, job_id: int | None = None) -> None:
    after: dict[str, Any] = {"count": count, "format": fmt}
    if job_id is not None:
        after["job"] = job_id
    with transaction.atomic():
        audit.record(
            actor=actor, action=AuditAction.EXPORT, entity_type=exporter.entity_type,
            label=f"{count} × {exporter.entity_type} ({fmt})", after=after,
            region_code=actor.region.code if getattr(actor, "region_id", None) else "",
            organization_id=getattr(actor, "organization_id", None), ip_address=ip_address,
        )


def _filename(kind: str, fmt: str) -> str:
    return f"{kind}-{timezone.localdate().isoformat()}.{fmt}"


def export_table(*, actor, kind: str, fmt: str, ip_address: str | None = None,
                 count: int | None = None) -> ExportFile:
    """The actor's rows of a registry as CSV or xlsx; the export is audited (who, what, how
    many rows) before the first byte is sent."""
    exporter = get_exporter(kind, fmt)
    if count is None:
        count = exporter.queryset(actor).count()
    _record_export(actor=actor, exporter=exporter, fmt=fmt, count=count, ip_address=ip_address)
    filename = _filename(kind, fmt)
    if fmt == "csv":
        chunks: Iterable[bytes] = stream_csv(exporter.headers, exporter.rows(actor))
    else:
        chunks = [write_xlsx(exporter.sheet_title, exporter.headers, exporter.rows(actor))]
    return ExportFile(filename=filename, content_type=FORMATS[fmt], chunks=chunks, count=count)


# --- large exports run as background jobs -------------------------------------------------

JOB_KIND = "registry.export"
KIND_LABELS = {"organizations": gettext_lazy("organizations"),
               "sites": gettext_lazy("training sites"), "persons": gettext_lazy("persons")}


def export_request(*, actor, kind: str, fmt: str,
                   ip_address: str | None = None) -> ExportFile | jobs.Job:
    """What a download link gets: the file itself up to settings.REGISTRY_EXPORT_INLINE_ROWS
    rows, else a background job (the same export, asked again while it is still waiting or
    running, is that same job)."""
    exporter = get_exporter(kind, fmt)
    count = exporter.queryset(actor).count()
    if count <= settings.REGISTRY_EXPORT_INLINE_ROWS:
        return export_table(actor=actor, kind=kind, fmt=fmt, ip_address=ip_address,
                            count=count)
    title = _("Export of %(what)s (%(format)s)") % {
        "what": KIND_LABELS.get(kind, kind), "format": fmt.upper()}
    return jobs.job_start(actor=actor, task=export_job, kind=JOB_KIND, title=title,
                          params={"kind": kind, "format": fmt}, total=count,
                          ip_address=ip_address, reuse_pending=True)


@job_task
def export_job(run: JobRun) -> None:
    """The background export: rows are read in chunks and written to the job's file as they
    come, with progress after every few hundred rows; audited like an inline export."""
    try:
        exporter = get_exporter(run.params.get("kind", ""), run.params.get("format", ""))
    except NotFound:
        raise DomainError(_("This export no longer exists."), field="kind") from None
    fmt = run.params["format"]
    total = exporter.queryset(run.actor).count()
    run.progress(0, total)
    _record_export(actor=run.actor, exporter=exporter, fmt=fmt, count=total, job_id=run.job.pk)
    rows = run.counted(exporter.rows(run.actor))
    with run.result_file(_filename(exporter.kind, fmt), FORMATS[fmt]) as out:
        if fmt == "csv":
            for chunk in stream_csv(exporter.headers, rows):
                out.write(chunk)
        else:
            out.write(write_xlsx(exporter.sheet_title, exporter.headers, rows))


def stream_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]],
               lines_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 with BOM (Excel on Chinese Windows opens it correctly), a chunk every few hundred
    lines."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(csv_row(str(h) for h in headers))
    for n, row in enumerate(rows, start=1):
        writer.writerow(csv_row(row))  # text that looks like a formula stays text
        if n % lines_per_chunk == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")

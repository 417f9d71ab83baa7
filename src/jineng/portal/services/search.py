"""Writes of the public search index (portal.models.SearchDocument).

- `search_index_rebuild(actor=…)`: the whole index again, in one transaction (searches see the
  old index until it commits), audited. Run by `jineng search-index` or as a background job
  (`search_index_rebuild_start`, province staff).
- `search_index_refresh()`: the cheap catch-up — adds what became public, drops what no longer
  is (set differences, no re-reading of what did not change); classes whose status changed
  since they were indexed are indexed again. `jineng search-index --refresh` (e.g. from cron).
- `document_sync(kind, pk)`: one source record after it was saved (signals, on commit).

On SQLite every change of a document is mirrored in the FTS5 table (rowid = document id); on
PostgreSQL the GIN index follows the table by itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.core import audit, ratelimit
from jineng.core.errors import Forbidden
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.jobs import services as jobs
from jineng.jobs.tasks import JobRun, job_task
from jineng.plans.models import Plan
from jineng.portal.models import SearchDocument, SearchKind
from jineng.portal.models.search import FTS_TABLE
from jineng.portal.services import search_documents as docs

log = logging.getLogger("jineng.portal.search")
BATCH = 1000
JOB_KIND = "portal.search_index"


@dataclass
class IndexReport:
    """What a rebuild or refresh did, by kind."""

    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def total_added(self) -> int:
        return sum(self.added.values())

    @property
    def total_removed(self) -> int:
        return sum(self.removed.values())

    def as_dict(self) -> dict:
        return {"added": {str(k): v for k, v in self.added.items()},
                "removed": {str(k): v for k, v in self.removed.items()}}


def _fts() -> bool:
    return connection.vendor == "sqlite"


def _chunks(items: Iterable, size: int = BATCH) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(documents: list[SearchDocument]) -> int:
    if not documents:
        return 0
    created = SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
    if _fts():
        with connection.cursor() as cursor:
            cursor.executemany(
                f'INSERT INTO "{FTS_TABLE}" (rowid, title_tokens, tokens, kind) '
                'VALUES (%s, %s, %s, %s)',
                [(d.pk, d.title_tokens, d.tokens, d.kind) for d in created])
    return len(created)


def _delete(queryset) -> int:
    if _fts():
        ids = list(queryset.values_list("id", flat=True))
        with connection.cursor() as cursor:
            for chunk in _chunks(ids, 500):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f'DELETE FROM "{FTS_TABLE}" WHERE rowid IN ({marks})', chunk)
        deleted, _by_model = SearchDocument.objects.filter(id__in=ids).delete() if ids \
            else (0, {})
        return deleted
    deleted, _by_model = queryset.delete()
    return deleted


def _build(build: Callable, sources: Iterable) -> Iterator[SearchDocument]:
    for source in sources:
        yield docs.in_index_language(build, source)


def ensure_may_rebuild(actor) -> None:
    """Province HRSS staff and administrators rebuild the index; `None` is the system (the
    `jineng search-index` command, run on the server)."""
    if actor is None:
        return
    scope = scope_of(actor)
    if scope.everything or getattr(actor, "role", "") == Role.PROVINCE_STAFF:
        return
    raise Forbidden(_("Only province HRSS staff may rebuild the search index."))


def _sources() -> list[tuple[str, Callable[[], Iterable], Callable]]:
    return [
        (SearchKind.CLASS, lambda: docs.public_classes().order_by("id").iterator(BATCH),
         docs.class_document),
        (SearchKind.INSTITUTION, lambda: docs.public_institutions().order_by("id")
         .iterator(BATCH), docs.institution_document),
        (SearchKind.OCCUPATION, lambda: docs.occupations().order_by("id").iterator(BATCH),
         docs.occupation_document),
    ]


def source_total() -> int:
    """How many documents a rebuild writes (for the job's progress)."""
    from jineng.plans.models import ChecklistItem, Target

    return (docs.public_classes().count() + docs.public_institutions().count()
            + docs.occupations().count() + Target.objects.count()
            + ChecklistItem.objects.count())


def search_index_rebuild(*, actor, progress: Callable[[int], None] | None = None,
                         ip_address: str | None = None) -> IndexReport:
    """Build the whole index again from its sources, in one transaction, audited."""
    ensure_may_rebuild(actor)
    report = IndexReport()
    done = 0
    with transaction.atomic():
        report.removed["all"] = SearchDocument.objects.count()
        if _fts():
            with connection.cursor() as cursor:
                cursor.execute(f'DELETE FROM "{FTS_TABLE}"')
        SearchDocument.objects.all().delete()
        for kind, sources, build in _sources():
            report.added[kind] = 0
            for chunk in _chunks(_build(build, sources())):
                report.added[kind] += _insert(chunk)
                done += len(chunk)
                if progress:
                    progress(done)
        clauses = docs.in_index_language(lambda: list(docs.clause_documents(docs.loaded_plans())))
        report.added[SearchKind.CLAUSE] = _insert(clauses)
        done += len(clauses)
        if progress:
            progress(done)
        audit.record(actor=actor, action=AuditAction.UPDATE, entity_type="portal.search_index",
                     entity_id="all", label=_("Search index rebuilt"), after=report.as_dict(),
                     ip_address=ip_address)
    log.info("search index rebuilt: %s", report.as_dict())
    return report


def _indexed(kind: str):
    return SearchDocument.objects.filter(kind=kind)


def search_index_refresh(*, actor=None) -> IndexReport:
    """Catch up with what changed since the last rebuild, by set differences: documents whose
    source is no longer public go; public sources without a document come in; a class whose
    status changed after it was indexed is indexed again; clauses of plans loaded after their
    clauses were indexed are indexed again. Audited when it changed anything."""
    ensure_may_rebuild(actor)
    report = IndexReport()
    with transaction.atomic():
        # Classes.
        public = docs.public_classes()
        stale = _indexed(SearchKind.CLASS).exclude(training_class__in=public.values("id")) | \
            _indexed(SearchKind.CLASS).filter(
                indexed_at__lt=F("training_class__status_changed_at"))
        report.removed[SearchKind.CLASS] = _delete(stale)
        missing = public.exclude(id__in=_indexed(SearchKind.CLASS).values("training_class_id"))
        report.added[SearchKind.CLASS] = sum(
            _insert(chunk) for chunk in _chunks(_build(docs.class_document,
                                                       missing.iterator(BATCH))))
        # Institutions and occupations.
        for kind, queryset, fk, build in (
                (SearchKind.INSTITUTION, docs.public_institutions(), "organization",
                 docs.institution_document),
                (SearchKind.OCCUPATION, docs.occupations(), "occupation",
                 docs.occupation_document)):
            gone = _indexed(kind).exclude(**{f"{fk}__in": queryset.values("id")})
            report.removed[kind] = _delete(gone)
            new = queryset.exclude(id__in=_indexed(kind).values(f"{fk}_id"))
            report.added[kind] = sum(_insert(chunk) for chunk in _chunks(
                _build(build, new.iterator(BATCH))))
        # Clauses: plans loaded since their clauses were indexed (or never indexed).
        first_indexed = _indexed(SearchKind.CLAUSE).filter(plan=OuterRef("pk")).order_by(
            "indexed_at").values("indexed_at")[:1]
        plans = docs.loaded_plans().annotate(indexed=Subquery(first_indexed))
        renew = [p for p in plans if p.indexed is None or p.indexed < p.loaded_at]
        report.removed[SearchKind.CLAUSE] = _delete(_indexed(SearchKind.CLAUSE).filter(
            plan__in=[p.pk for p in renew]))
        report.added[SearchKind.CLAUSE] = _insert(docs.in_index_language(
            lambda: list(docs.clause_documents(renew))))
        if report.total_added or report.total_removed:
            audit.record(actor=actor, action=AuditAction.UPDATE,
                         entity_type="portal.search_index", entity_id="refresh",
                         label=_("Search index refreshed"), after=report.as_dict())
    return report


# --- one record after it was saved (signals; derived data, not audited) ----------------------

def document_sync(kind: str, pk: int) -> None:
    """Index one class, institution or occupation again (or drop it when it is no longer
    public); for a plan, its clauses."""
    with transaction.atomic():
        if kind == SearchKind.CLAUSE:
            _delete(_indexed(kind).filter(plan_id=pk))
            plans = docs.loaded_plans().filter(pk=pk)
            _insert(docs.in_index_language(lambda: list(docs.clause_documents(plans))))
            return
        fk, queryset, build = {
            SearchKind.CLASS: ("training_class_id", docs.public_classes(), docs.class_document),
            SearchKind.INSTITUTION: ("organization_id", docs.public_institutions(),
                                     docs.institution_document),
            SearchKind.OCCUPATION: ("occupation_id", docs.occupations(),
                                    docs.occupation_document),
        }[kind]
        _delete(_indexed(kind).filter(**{fk: pk}))
        source = queryset.filter(pk=pk).first()
        if source is not None:
            _insert([docs.in_index_language(build, source)])


def _on_saved(kind: str) -> Callable:
    def receiver(sender, instance, raw=False, **kwargs) -> None:
        if raw:  # fixtures
            return
        transaction.on_commit(lambda: document_sync(kind, instance.pk), robust=True)
    return receiver


def connect_signals() -> None:
    """Keep the index in step with saves (called from PortalConfig.ready). Bulk writes (the
    demo, imports) do not send signals: `jineng search-index` after them."""
    from django.db.models.signals import post_save

    from jineng.registry.models import Occupation, Organization
    from jineng.training.models import TrainingClass

    for model, kind in ((TrainingClass, SearchKind.CLASS), (Organization, SearchKind.INSTITUTION),
                        (Occupation, SearchKind.OCCUPATION), (Plan, SearchKind.CLAUSE)):
        post_save.connect(_on_saved(kind), sender=model, weak=False,
                          dispatch_uid=f"portal.search.{kind}")


# --- as a background job ---------------------------------------------------------------------

@job_task
def search_index_rebuild_task(run: JobRun) -> None:
    run.progress(0, source_total(), force=True)
    report = search_index_rebuild(actor=run.actor, progress=lambda done: run.progress(done))
    run.progress(report.total_added, report.total_added, force=True)


def search_index_rebuild_start(*, actor, ip_address: str | None = None):
    """Start a rebuild as a background job (province staff); a second click while it is queued
    or running answers the same job."""
    ensure_may_rebuild(actor)
    if actor is None:
        raise Forbidden(_("Log in to start a background job."))
    return jobs.job_start(actor=actor, task=search_index_rebuild_task, kind=JOB_KIND,
                          title=_("Rebuild the public search index"), total=source_total(),
                          ip_address=ip_address, reuse_pending=True)


# --- the public entry points' rate limit -----------------------------------------------------

RATE_SCOPE = "portal.search"
# Searches per client address and window (page and API count together). Settings may change it:
# JINENG_PORTAL_RATE_LIMITS = {"portal.search": [60, 60]}.
DEFAULT_RATE = (60, 60)


def search_hit(request) -> ratelimit.Decision:
    """Count one search of the client; the answer says whether it may proceed (the first
    refusal of a window is audited by core.ratelimit)."""
    configured = getattr(settings, "JINENG_PORTAL_RATE_LIMITS", {}) or {}
    limit, seconds = configured.get(RATE_SCOPE, DEFAULT_RATE)
    address = ratelimit.request_address(request)
    return ratelimit.hit(RATE_SCOPE, address, limit=int(limit),
                         window=dt.timedelta(seconds=int(seconds)), ip_address=address or None)

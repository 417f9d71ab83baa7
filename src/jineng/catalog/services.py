"""Every write to the catalogs: one transaction, permission-checked, audited.

The filing workflow: a draft version (copied from the version in force) is edited — entries
imported from Excel, added or removed — then submitted for review; the province publishes it
(for a supplement: approves the city's or county's filing), or rejects it with a reason.
Publishing cuts the previous version to end the day before the new one takes effect; nothing
published is ever edited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.catalog import importers
from jineng.catalog.choices import PUBLIC_STATUSES, CatalogKind, VersionStatus
from jineng.catalog.kinds import spec_for
from jineng.catalog.messages import message
from jineng.catalog.models import Catalog, CatalogVersion
from jineng.catalog.rules import permissions
from jineng.catalog.rules.entries import (
    overlap_problems,
    supplement_problems,
    within_version_problems,
)
from jineng.catalog.rules.periods import cut_end, period_problems, successor_problems
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.importing import ImportReport, RowInvalid
from jineng.core.models import AuditAction
from jineng.core.scoping import Scope
from jineng.core.tabular import Row
from jineng.registry.choices import OrganizationStatus, RegionLevel
from jineng.registry.models import Region


class SystemActor:
    """The actor of system jobs (the demo generator, migrations of data): may do anything;
    audited as "system"."""

    is_authenticated = False
    username = "system"
    scope = Scope(everything=True)

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


# --- who may ---------------------------------------------------------------------------------

def actor_facts(actor) -> permissions.ActorFacts:
    if actor is SYSTEM:
        return permissions.ActorFacts(everything=True, system=True)
    if actor is None or not getattr(actor, "is_authenticated", False):
        return permissions.ActorFacts()
    return permissions.ActorFacts(
        everything=actor.scope.everything,
        hrss_staff=bool(getattr(actor, "is_hrss_staff", False)),
        region_code=actor.region.code if getattr(actor, "region_id", None) else None,
    )


def catalog_facts(catalog: Catalog) -> permissions.CatalogFacts:
    return permissions.CatalogFacts(
        region_code=catalog.region.code,
        base_region_code=catalog.base.region.code if catalog.base_id else None,
    )


def ensure(actor, predicate: permissions.Predicate, catalog: Catalog) -> None:
    """Raise Forbidden unless `predicate` (one of permissions.may_*) lets the actor act."""
    if predicate(actor_facts(actor), catalog_facts(catalog)):
        return
    if predicate in permissions.APPROVALS:
        if catalog.is_supplement:
            raise Forbidden(_("Only the province (%(region)s) may approve or reject a "
                              "supplement.") % {"region": catalog.base.region.name})
    elif catalog.is_supplement:
        raise Forbidden(_("Only staff of %(region)s may change this supplement.")
                        % {"region": catalog.region.name})
    raise Forbidden(_("Only staff of %(region)s may change or publish this catalog.")
                    % {"region": catalog.region.name})


def catalog_actions(actor, catalog: Catalog) -> dict[str, bool]:
    """What the catalog page offers this actor (see permissions.catalog_actions)."""
    open_version = CatalogVersion.objects.filter(
        catalog=catalog, status__in=[VersionStatus.DRAFT, VersionStatus.REVIEW]).exists()
    return permissions.catalog_actions(actor_facts(actor), catalog_facts(catalog),
                                       has_open_version=open_version)


def version_actions(actor, version: CatalogVersion) -> dict[str, bool]:
    """The forms and buttons the version page offers this actor."""
    return permissions.version_actions(actor_facts(actor), catalog_facts(version.catalog),
                                       version.status)


def may_create_catalogs(actor) -> bool:
    return permissions.may_create_catalogs(actor_facts(actor))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _transition(actor, version: CatalogVersion, before: str, reason: str = "",
                extra: dict | None = None) -> None:
    audit.record(actor=actor, action=AuditAction.TRANSITION, instance=version,
                 before={"status": before},
                 after={"status": version.status, **(extra or {})}, reason=reason)


# --- catalogs --------------------------------------------------------------------------------

# Default titles are data (the official name the public sees on every page and download), so
# they are stored in Chinese whatever language the clerk's browser uses.
OFFICIAL_TITLES = {
    CatalogKind.SUBSIDY_STANDARD: "职业技能培训补贴标准目录",
    CatalogKind.TRAINING_INSTITUTION: "职业技能培训机构目录",
    CatalogKind.EVALUATION_INSTITUTION: "职业技能评价机构目录",
    CatalogKind.QUALIFICATION: "职业资格目录",
    CatalogKind.URGENT_OCCUPATION: "急需紧缺职业（工种）和需求预测目录",
}


def catalog_create(*, actor, kind: str, region: Region, title: str = "",
                   base: Catalog | None = None) -> Catalog:
    """A province's base catalog of a kind, or a city's or county's supplement to it."""
    if kind not in CatalogKind.values:
        raise DomainError(_("Unknown catalog kind."), field="kind")
    if base is None:
        if region.level != RegionLevel.PROVINCE:
            raise DomainError(_("A base catalog is issued by a province; a city or county "
                                "files a supplement to its province's catalog."), field="base")
        facts = permissions.CatalogFacts(region_code=region.code)
    else:
        if base.base_id is not None:
            raise DomainError(_("A supplement is filed against the province's base catalog, "
                                "not against another supplement."), field="base")
        if base.kind != kind:
            raise DomainError(_("A supplement must be of the same kind as its base catalog."),
                              field="kind")
        if region.level not in (RegionLevel.CITY, RegionLevel.COUNTY) or not base.region.contains(
                region) or region.pk == base.region_id:
            raise DomainError(_("A supplement is filed by a city or county inside %(region)s.")
                              % {"region": base.region.name}, field="region")
        facts = permissions.CatalogFacts(region_code=region.code,
                                         base_region_code=base.region.code)
    if not permissions.may_create_catalog(actor_facts(actor), facts):
        raise Forbidden(_("Only staff of %(region)s may create this catalog.")
                        % {"region": region.name})
    official = OFFICIAL_TITLES[kind]
    title = title.strip() or (f"{region.name}{official}" if base is None
                              else f"{region.name}{official}（补充目录）")
    try:
        with transaction.atomic():
            catalog = Catalog.objects.create(kind=kind, region=region, title=title[:200],
                                             base=base)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=catalog,
                         after=audit.snapshot(catalog))
    except IntegrityError as exc:
        raise Conflict(_("%(region)s already has a catalog of this kind.")
                       % {"region": region.name}, field="region", code="duplicate") from exc
    return catalog


# --- versions --------------------------------------------------------------------------------

def _latest_public(catalog: Catalog) -> CatalogVersion | None:
    return (CatalogVersion.objects.filter(catalog=catalog, status__in=PUBLIC_STATUSES)
            .order_by("-number").first())


def _check_dates(effective_from: dt.date, effective_to: dt.date | None,
                 previous: CatalogVersion | None) -> None:
    for problem in period_problems(effective_from, effective_to, start_field="effective_from",
                                   end_field="effective_to"):
        raise DomainError(message(problem), field=problem.field)
    previous_from = previous.effective_from if previous else None
    for problem in successor_problems(previous_from, effective_from):
        raise DomainError(message(problem), field=problem.field)


def version_create_draft(*, actor, catalog: Catalog, effective_from: dt.date,
                         effective_to: dt.date | None = None, change_note: str = "",
                         copy_entries: bool = True) -> CatalogVersion:
    """A new draft, by default holding a copy of the latest published version's entries."""
    ensure(actor, permissions.may_create_draft, catalog)
    with transaction.atomic():
        Catalog.objects.select_for_update().filter(pk=catalog.pk).first()
        if CatalogVersion.objects.filter(catalog=catalog, status__in=[
                VersionStatus.DRAFT, VersionStatus.REVIEW]).exists():
            raise Conflict(_("This catalog already has a version in preparation; finish or "
                             "discard it first."), field="catalog", code="open_version")
        previous = _latest_public(catalog)
        _check_dates(effective_from, effective_to, previous)
        number = (CatalogVersion.objects.filter(catalog=catalog).aggregate(n=Max("number"))["n"]
                  or 0) + 1
        version = CatalogVersion.objects.create(
            catalog=catalog, number=number, status=VersionStatus.DRAFT,
            effective_from=effective_from, effective_to=effective_to,
            declared_effective_to=effective_to, change_note=change_note.strip(),
            based_on=previous if copy_entries else None, created_by=_user(actor),
        )
        copied = _copy_entries(previous, version) if (copy_entries and previous) else 0
        audit.record(actor=actor, action=AuditAction.CREATE, instance=version,
                     after={**audit.snapshot(version), "copied_entries": copied})
    return version


def _copy_entries(source: CatalogVersion, target: CatalogVersion) -> int:
    spec = spec_for(source.catalog.kind)
    originals = list(spec.model.objects.filter(version=source).order_by("pk"))
    copies = []
    for entry in originals:
        data = {f.attname: getattr(entry, f.attname) for f in entry._meta.concrete_fields
                if f.name not in ("id", "version")}
        copies.append(spec.model(version=target, **data))
    created = spec.model.objects.bulk_create(copies, batch_size=500)
    if hasattr(spec.model, "sites"):
        through = spec.model.sites.through
        by_old = {o.pk: n.pk for o, n in zip(originals, created, strict=True)}
        links = [through(institutioncatalogentry_id=by_old[link.institutioncatalogentry_id],
                         trainingsite_id=link.trainingsite_id)
                 for link in through.objects.filter(institutioncatalogentry__version=source)]
        through.objects.bulk_create(links, batch_size=1000)
    return len(created)


def _locked_draft(version: CatalogVersion, *statuses: str) -> CatalogVersion:
    statuses = statuses or (VersionStatus.DRAFT,)
    locked = (CatalogVersion.objects.select_for_update().select_related("catalog__region")
              .get(pk=version.pk))
    if locked.status not in statuses:
        raise Conflict(_("This version is %(status)s; it cannot be changed in this way.")
                       % {"status": locked.get_status_display()}, field="status",
                       code="wrong_status")
    return locked


def version_update_draft(*, actor, version: CatalogVersion, effective_from: dt.date,
                         effective_to: dt.date | None, change_note: str) -> CatalogVersion:
    ensure(actor, permissions.may_update_draft, version.catalog)
    with transaction.atomic():
        locked = _locked_draft(version)
        _check_dates(effective_from, effective_to, _latest_public(locked.catalog))
        before = audit.snapshot(locked)
        locked.effective_from, locked.effective_to = effective_from, effective_to
        locked.declared_effective_to = effective_to
        locked.change_note = change_note.strip()
        locked.save()
        old, new = audit.changed(before, audit.snapshot(locked))
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=locked, before=old,
                     after=new)
    return locked


def version_discard(*, actor, version: CatalogVersion) -> None:
    """Throw away a draft and its entries (published versions are never deleted)."""
    ensure(actor, permissions.may_discard_draft, version.catalog)
    with transaction.atomic():
        locked = _locked_draft(version)
        spec = spec_for(locked.catalog.kind)
        count = importers.delete_entries(spec, locked)
        audit.record(actor=actor, action=AuditAction.DELETE, instance=locked,
                     before={**audit.snapshot(locked), "entries": count})
        locked.delete()


# --- entries ---------------------------------------------------------------------------------

def entries_import(*, actor, version: CatalogVersion, data: bytes, filename: str,
                   mode: str = importers.REPLACE, skip_bad_rows: bool = False) -> ImportReport:
    """Load entries from an Excel/CSV file into a draft: `replace` its entries, or `append`
    (rows identical to an entry already there count once)."""
    if mode not in importers.MODES:
        raise DomainError(_("Unknown import mode."), field="mode")
    ensure(actor, permissions.may_import_entries, version.catalog)
    with transaction.atomic():
        locked = _locked_draft(version)
        report = importers.import_entries(locked, data=data, filename=filename, mode=mode,
                                          skip_bad_rows=skip_bad_rows)
        if report.written:
            audit.record(actor=actor, action=AuditAction.IMPORT, instance=locked,
                         after={"file": filename[:200], "mode": mode,
                                **{k: v for k, v in report.as_dict().items() if k != "errors"}})
    return report


def entry_add(*, actor, version: CatalogVersion, values: dict[str, Any]):
    """Add one entry to a draft from column values (the same checks as an imported row)."""
    ensure(actor, permissions.may_add_entry, version.catalog)
    with transaction.atomic():
        locked = _locked_draft(version)
        ctx, parse_row = importers.parse_rows(locked, mode=importers.APPEND)
        cells = {k: "" if v is None else str(v).strip() for k, v in values.items()}
        try:
            parsed = parse_row(Row(number=1, values=cells), {})
        except RowInvalid as bad:
            field, _msg = bad.problems[0]
            raise DomainError("; ".join(m for _f, m in bad.problems), field=field) from bad
        if parsed.unchanged:
            raise Conflict(_("This entry is already in the draft."), field="", code="duplicate")
        parsed.fields["source_row"] = None
        importers.save_entries(locked, ctx.spec, [parsed], mode=importers.APPEND)
        entry = ctx.spec.model.objects.filter(version=locked).order_by("-pk").first()
        audit.record(actor=actor, action=AuditAction.CREATE, instance=entry,
                     after=audit.snapshot(entry))
    return entry


def entry_delete(*, actor, version: CatalogVersion, entry_id: int) -> None:
    ensure(actor, permissions.may_delete_entry, version.catalog)
    with transaction.atomic():
        locked = _locked_draft(version)
        spec = spec_for(locked.catalog.kind)
        entry = spec.model.objects.filter(version=locked, pk=entry_id).first()
        if entry is None:
            from jineng.core.errors import NotFound

            raise NotFound()
        snapshot = audit.snapshot(entry)
        label = str(entry)
        importers.delete_entries(spec, locked, [entry_id])
        audit.record(actor=actor, action=AuditAction.DELETE, entity_type=entry._meta.label_lower,
                     entity_id=str(entry_id), label=label, region_code=locked.audit_region_code,
                     before=snapshot)


# --- checking a whole version ----------------------------------------------------------------

@dataclass(frozen=True)
class VersionProblem:
    entry_id: int | None
    row: int | None
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"entry_id": self.entry_id, "row": self.row, "field": self.field,
                "message": self.message}


def version_problems(version: CatalogVersion) -> list[VersionProblem]:
    """Everything that stops a version from being submitted or published: no entries, entries
    outside the version's period, overlapping entries, silent contradictions of the base
    catalog, institutions revoked since they were entered."""
    spec = spec_for(version.catalog.kind)
    entries = list(spec.entries(version.pk).order_by("pk"))
    if not entries:
        return [VersionProblem(None, None, "entries", _("The version has no entries."))]
    period = importers.version_period(version)
    facts = [spec.facts(e, period) for e in entries]
    rows = {e.pk: e.source_row for e in entries}
    found: list[VersionProblem] = []

    def add(entry_id, problem):
        found.append(VersionProblem(entry_id, rows.get(entry_id), problem.field,
                                    message(problem, spec.labels)))

    for fact in facts:
        for problem in within_version_problems(fact, period):
            add(fact.ref, problem)
    for ref, problems in overlap_problems(facts).items():
        for problem in problems:
            add(ref, problem)
    if version.catalog.is_supplement:
        base: dict[tuple, list] = {}
        for fact in importers.base_facts(version):
            base.setdefault(fact.key, []).append(fact)
        for fact in facts:
            for problem in supplement_problems(fact, base.get(fact.key, [])):
                add(fact.ref, problem)
    for entry in entries:
        org = getattr(entry, "organization", None)
        if org is not None and org.status == OrganizationStatus.REVOKED:
            found.append(VersionProblem(entry.pk, entry.source_row, "credit_code",
                                        _("%(name)s has been revoked and cannot be listed.")
                                        % {"name": org.name}))
    return found


def _ensure_valid(version: CatalogVersion) -> None:
    problems = version_problems(version)
    if problems:
        first = problems[0]
        where = (_("row %(row)s") % {"row": first.row}) if first.row else (
            _("entry %(id)s") % {"id": first.entry_id} if first.entry_id else "")
        summary = _("%(count)s problem(s) stop this version; first: %(where)s %(message)s") % {
            "count": len(problems), "where": where, "message": first.message}
        raise DomainError(summary.strip(), field=first.field, code="version_invalid")


# --- the workflow ----------------------------------------------------------------------------

def version_submit(*, actor, version: CatalogVersion) -> CatalogVersion:
    """Draft → review (for a supplement: the filing with the province)."""
    ensure(actor, permissions.may_submit, version.catalog)
    with transaction.atomic():
        locked = _locked_draft(version)
        _ensure_valid(locked)
        locked.status = VersionStatus.REVIEW
        locked.submitted_at, locked.submitted_by = timezone.now(), _user(actor)
        locked.rejection_reason = ""
        locked.save()
        _transition(actor, locked, VersionStatus.DRAFT)
    return locked


def version_publish(*, actor, version: CatalogVersion,
                    now: dt.datetime | None = None) -> CatalogVersion:
    """Review → published (for a supplement: the province approves the filing). The version in
    force before it is cut to end the day before this one takes effect and marked superseded.
    `now` is for data generators that build a past history; people publish at the present."""
    ensure(actor, permissions.may_publish, version.catalog)
    now = now or timezone.now()
    with transaction.atomic():
        Catalog.objects.select_for_update().filter(pk=version.catalog_id).first()
        locked = _locked_draft(version, VersionStatus.REVIEW)
        _ensure_valid(locked)
        previous = _latest_public(locked.catalog)
        _check_dates(locked.effective_from, locked.declared_effective_to, previous)
        if previous is not None and previous.published_at and previous.published_at > now:
            raise DomainError(_("The time of publication is before the previous version's."),
                              field="published_at")
        if previous is not None:
            end = cut_end(previous.effective_to, locked.effective_from)
            CatalogVersion.objects.filter(pk=previous.pk).update(
                status=VersionStatus.SUPERSEDED, effective_to=end, superseded_at=now)
            previous.status = VersionStatus.SUPERSEDED
            _transition(actor, previous, VersionStatus.PUBLISHED,
                        reason=_("Replaced by version %(n)s") % {"n": locked.number},
                        extra={"effective_to": end.isoformat() if end else None})
        locked.status = VersionStatus.PUBLISHED
        locked.published_at, locked.approved_by = now, _user(actor)
        locked.save()
        _transition(actor, locked, VersionStatus.REVIEW,
                    extra={"effective_from": locked.effective_from.isoformat()})
    return locked


def version_reject(*, actor, version: CatalogVersion, reason: str) -> CatalogVersion:
    """Review → rejected, with the reason the filing office will read."""
    ensure(actor, permissions.may_reject, version.catalog)
    if not reason.strip():
        raise DomainError(_("Give the reason for rejecting."), field="reason")
    with transaction.atomic():
        locked = _locked_draft(version, VersionStatus.REVIEW)
        locked.status = VersionStatus.REJECTED
        locked.rejected_at, locked.rejection_reason = timezone.now(), reason.strip()
        locked.save()
        _transition(actor, locked, VersionStatus.REVIEW, reason=reason.strip())
    return locked


def catalogs_purge(*, actor, catalogs: list[Catalog]) -> dict[str, int]:
    """Delete catalogs (and their supplements) with all their versions and entries, published
    ones included. Only for system jobs (removing the demo province); never offered to people:
    published versions are otherwise permanent."""
    if not permissions.may_purge(actor_facts(actor)):
        raise Forbidden(_("Published catalogs are never deleted."))
    ids = {c.pk for c in catalogs}
    ids |= set(Catalog.objects.filter(base_id__in=ids).values_list("pk", flat=True))
    if not ids:
        return {}
    counts: dict[str, int] = {}
    marks = ", ".join(["%s"] * len(ids))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # lets the immutability triggers allow this
            cursor.execute("SELECT set_config('jineng.catalog_purge', 'on', true)")
        for kind in CatalogKind.values:
            model = spec_for(kind).model
            deleted, _detail = model.objects.filter(version__catalog_id__in=ids).delete()
            counts[model._meta.model_name] = deleted
        # Versions point at each other (based_on) and catalogs at their base: one statement
        # each, so the (deferred) foreign keys hold at commit.
        cursor.execute(f"DELETE FROM catalog_catalogversion WHERE catalog_id IN ({marks})",
                       list(ids))
        counts["versions"] = cursor.rowcount
        cursor.execute(f"DELETE FROM catalog_catalog WHERE id IN ({marks})", list(ids))
        counts["catalogs"] = cursor.rowcount
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('jineng.catalog_purge', '', true)")
        audit.record(actor=actor, action=AuditAction.DELETE, entity_type="catalog.catalog",
                     label=f"{len(ids)} catalogs purged", after=counts)
    return counts


def version_reopen(*, actor, version: CatalogVersion) -> CatalogVersion:
    """Rejected → draft again, to correct and resubmit (the rejection stays in the audit)."""
    ensure(actor, permissions.may_reopen, version.catalog)
    with transaction.atomic():
        Catalog.objects.select_for_update().filter(pk=version.catalog_id).first()
        locked = _locked_draft(version, VersionStatus.REJECTED)
        if CatalogVersion.objects.filter(catalog_id=locked.catalog_id, status__in=[
                VersionStatus.DRAFT, VersionStatus.REVIEW]).exists():
            raise Conflict(_("This catalog already has a version in preparation."),
                           field="catalog", code="open_version")
        locked.status = VersionStatus.DRAFT
        locked.save()
        _transition(actor, locked, VersionStatus.REJECTED)
    return locked

"""Linking rows without a valid ID number to registered persons, and staff decisions on them.

`link_pending` runs the probabilistic linker (`analytics.linker`: Splink on DuckDB) over the
links still without a candidate and decides each by the province's thresholds
(IndicatorSettings valid today; 0.99 / 0.5 when the province has none):
  probability ≥ link_auto_probability   → LINKED: the record is written at once;
  probability ≥ link_review_probability → PENDING with the candidate: a person confirms;
  below (or no candidate at all)         → UNMATCHED: kept, run again once new persons register.
Staff (province or city HRSS with person access, in the link's region) confirm the candidate,
pick another person, or reject, under a row lock so two reviewers cannot both decide.

A linked row is written exactly as an import writes a row with a valid ID number: an
InsuranceRecord under the person's keyed hash (the same person × employer × month counts once:
an existing record is kept, not doubled) or a business registration's legal person.

Kept simple on purpose: two rows may link to the same person (one person, two employers in a
month is normal); nothing stops two rows of one import from linking to two namesakes — each row
is decided on its own evidence, the normalised probability already discounts namesakes."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit, pii
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.jobs.tasks import JobRun, job_task
from jineng.outcomes.choices import ImportKind, LinkStatus
from jineng.outcomes.models import (
    BusinessRegistration,
    IndicatorSettings,
    InsuranceImport,
    InsuranceRecord,
    RecordLink,
)
from jineng.registry import selectors as registry_selectors
from jineng.registry.models import Region

__all__ = ["LinkSummary", "link_confirm", "link_pending", "link_reject", "link_reopen",
           "link_run_start", "may_decide_links", "may_run_linkage", "thresholds_for"]

DEFAULT_AUTO, DEFAULT_REVIEW = 0.99, 0.5
JOB_MIN_ROWS = 10_000  # from a page or the API, this many pending rows run as a background job
CHUNK = 2_000  # links decided and written per transaction
DECIDERS = {"province_staff", "city_staff"}
RUNNERS = DECIDERS | {"county_staff"}


@dataclass
class LinkSummary:
    proposed: int = 0  # rows the linker looked at
    linked: int = 0  # linked automatically (record written)
    pending: int = 0  # candidate proposed, awaiting a person
    unmatched: int = 0  # no candidate good enough
    job_id: int | None = None  # set when the run went to the background


def _role(actor) -> str:
    return str(getattr(actor, "role", "") or "")


def may_decide_links(actor) -> bool:
    scope = scope_of(actor)
    return scope.everything or (scope.sees_persons and scope.region_prefix is not None
                                and _role(actor) in DECIDERS)


def may_run_linkage(actor) -> bool:
    scope = scope_of(actor)
    return scope.everything or (scope.sees_persons and scope.region_prefix is not None
                                and _role(actor) in RUNNERS)


def thresholds_for(province_code: str, day: dt.date | None = None) -> tuple[float, float]:
    """(auto, review) probabilities of the province's settings valid on `day` (today)."""
    day = day or timezone.localdate()
    row = (IndicatorSettings.objects.filter(region__code=f"{province_code[:2]}0000",
                                            valid_from__lte=day)
           .order_by("-valid_from").first())
    if row is None:
        return DEFAULT_AUTO, DEFAULT_REVIEW
    return float(row.link_auto_probability), float(row.link_review_probability)


# --- writing the linked row ------------------------------------------------------------------

def _region_by_code(code: str, cache: dict[str, Region]) -> Region:
    if code not in cache:
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise DomainError(_("Unknown region code %(code)s in the linked row.")
                              % {"code": code}, field="region")
        cache[code] = region
    return cache[code]


def _record_for(link: RecordLink, person_id: int, id_hash: str,
                regions: dict[str, Region]) -> InsuranceRecord:
    p = link.payload
    return InsuranceRecord(
        id_hash=id_hash, person_id=person_id, employer_code=p["employer_code"],
        employer_region=_region_by_code(p["employer_region"], regions),
        month=dt.date.fromisoformat(p["month"]), pension=bool(p.get("pension")),
        unemployment=bool(p.get("unemployment")), injury=bool(p.get("injury")),
        wage_base=Decimal(str(p["wage_base"])), source_import_id=link.source_import_id,
        link=link)


def _write_business(link: RecordLink, person_id: int, id_hash: str,
                    regions: dict[str, Region]) -> None:
    p = link.payload
    existing = BusinessRegistration.objects.select_for_update().filter(
        credit_code=p["credit_code"]).first()
    if existing is not None:
        # Already registered (a valid-ID row came first): fill the legal person only if unknown.
        if existing.person_id is None:
            existing.person_id, existing.legal_person_hash, existing.link = person_id, id_hash, link
            existing.save(update_fields=["person", "legal_person_hash", "link", "updated_at"])
        return
    BusinessRegistration.objects.create(
        credit_code=p["credit_code"], kind=p["kind"], name=p["name"],
        legal_person_hash=id_hash, person_id=person_id,
        founded_on=dt.date.fromisoformat(p["founded_on"]),
        closed_on=dt.date.fromisoformat(p["closed_on"]) if p.get("closed_on") else None,
        region=_region_by_code(p["region"], regions), source_import_id=link.source_import_id,
        link=link)


def _write_linked(pairs: list[tuple[RecordLink, int, str]]) -> None:
    """Write the rows of links just linked: (link, person id, person's keyed hash). The same
    person × employer × month already on file is kept as it is (counted once)."""
    regions: dict[str, Region] = {}
    records = [_record_for(link, pid, h, regions) for link, pid, h in pairs
               if link.kind == ImportKind.RECORDS]
    if records:
        InsuranceRecord.objects.bulk_create(records, ignore_conflicts=True, batch_size=1000)
    for link, pid, h in pairs:
        if link.kind == ImportKind.BUSINESSES:
            _write_business(link, pid, h, regions)


def _unwrite(link: RecordLink) -> int:
    """Remove what a link wrote (for reopening it); returns how many rows were removed."""
    removed, _detail = InsuranceRecord.objects.filter(link=link).delete()
    for business in BusinessRegistration.objects.select_for_update().filter(link=link):
        business.person, business.legal_person_hash, business.link = None, "", None
        business.save(update_fields=["person", "legal_person_hash", "link", "updated_at"])
        removed += 1
    return removed


# --- the linker run --------------------------------------------------------------------------

def _pending_links(actor, source_import_id: int | None, retry_unmatched: bool):
    statuses = [LinkStatus.PENDING] + ([LinkStatus.UNMATCHED] if retry_unmatched else [])
    qs = RecordLink.objects.visible_to(actor).filter(status__in=statuses,
                                                     candidate__isnull=True)
    if source_import_id is not None:
        if not InsuranceImport.objects.visible_to(actor).filter(pk=source_import_id).exists():
            raise NotFound()
        qs = qs.filter(source_import_id=source_import_id)
    return qs


def _given_id(link_encrypted: str) -> str | None:
    if not link_encrypted:
        return None
    try:
        return pii.decrypt(link_encrypted)
    except Exception:  # an unreadable value is treated as no number given
        return None


def link_pending(*, actor, source_import_id: int | None = None,
                 retry_unmatched: bool = False) -> LinkSummary:
    """Propose a person for every link still without one (of one import, or all the actor
    sees), and decide it by the province's thresholds. `retry_unmatched` also retries rows left
    unmatched (after new persons registered). Runs inline; see `link_run_start` for pages."""
    import pandas as pd

    from jineng.outcomes.analytics import linker

    if not may_run_linkage(actor):
        raise Forbidden(_("Only HRSS staff with access to persons run record linkage."))
    links = _pending_links(actor, source_import_id, retry_unmatched)
    summary = LinkSummary()
    rows = list(links.values("id", "name", "birth_date", "region__code",
                             "id_given_encrypted"))
    by_province: dict[str, list[dict]] = {}
    for row in rows:
        by_province.setdefault(row["region__code"][:2], []).append(row)
    decided: list[tuple[list[int], dict, dict[int, str], float, float]] = []
    for province, prow in sorted(by_province.items()):
        # The linker runs before any lock is taken: it reads, compares, and answers.
        auto, review = thresholds_for(province)
        persons = registry_selectors.persons_for_linkage(province_code=province)
        hashes = {p["id"]: p["id_hash"] for p in persons}
        frame_rows = pd.DataFrame({
            "row_id": [r["id"] for r in prow], "name": [r["name"] for r in prow],
            "birth_date": [r["birth_date"] for r in prow],
            "region": [r["region__code"] for r in prow],
            "id_given": [_given_id(r["id_given_encrypted"]) for r in prow]})
        frame_persons = pd.DataFrame({
            "person_id": [p["id"] for p in persons], "name": [p["name"] for p in persons],
            "birth_date": [p["birth_date"] for p in persons],
            "region": [p["region__code"] for p in persons],
            "id_masked": [p["id_masked"] for p in persons]},
            columns=["person_id", "name", "birth_date", "region", "id_masked"])
        result = linker.link(frame_rows, frame_persons)
        best = {int(b.row_id): b for b in result.best.itertuples(index=False)}
        decided.append(([r["id"] for r in prow], best, hashes, auto, review))
        summary.proposed += len(prow)
    # The decisions, the records they write and the audit event: one transaction.
    with transaction.atomic():
        for ids, best, hashes, auto, review in decided:
            for start in range(0, len(ids), CHUNK):
                _decide_chunk(ids[start:start + CHUNK], best, hashes, auto, review, summary,
                              retry_unmatched)
        audit.record(actor=actor, action=AuditAction.UPDATE, entity_type="outcomes.recordlink",
                     label=_("Record linkage run: %(n)s rows") % {"n": summary.proposed},
                     after={**asdict(summary), "import": source_import_id},
                     region_code=getattr(getattr(actor, "region", None), "code", "") or "")
    return summary


def _decide_chunk(ids: list[int], best: dict, hashes: dict[int, str], auto: float,
                  review: float, summary: LinkSummary, retry_unmatched: bool) -> None:
    statuses = [LinkStatus.PENDING] + ([LinkStatus.UNMATCHED] if retry_unmatched else [])
    # Called inside link_pending's transaction. Locked and re-checked: a link a reviewer
    # decided meanwhile is left alone.
    locked = list(RecordLink.objects.select_for_update().filter(
        pk__in=ids, status__in=statuses, candidate__isnull=True).order_by("pk"))
    changed, to_write = [], []
    for link in locked:
        b = best.get(link.pk)
        if b is None or float(b.match_probability) < review:
            link.status = LinkStatus.UNMATCHED
            link.candidate_id = None
            summary.unmatched += 1
            if b is not None:  # keep the best figure seen, for the reviewer
                link.match_weight = float(b.match_weight)
                link.match_probability = float(b.match_probability)
                link.comparison = {f: getattr(b, f) for f in FIELDS}
            changed.append(link)
            continue
        link.candidate_id = int(b.person_id)
        link.match_weight = float(b.match_weight)
        link.match_probability = min(1.0, max(0.0, float(b.match_probability)))
        link.comparison = {f: getattr(b, f) for f in FIELDS}
        if link.match_probability >= auto:
            link.status = LinkStatus.LINKED
            link.decided_at = timezone.now()
            to_write.append((link, link.candidate_id, hashes[link.candidate_id]))
            summary.linked += 1
        else:
            link.status = LinkStatus.PENDING
            summary.pending += 1
        changed.append(link)
    RecordLink.objects.bulk_update(changed, ["status", "candidate", "match_weight",
                                             "match_probability", "comparison",
                                             "decided_at"], batch_size=1000)
    _write_linked(to_write)


FIELDS = ("name", "birth_date", "region", "id_digits")


@job_task
def link_pending_task(run: JobRun) -> None:
    """The background form of `link_pending` (started by `link_run_start`)."""
    run.progress(0, run.total or 0)
    summary = link_pending(actor=run.actor, source_import_id=run.params.get("import"),
                           retry_unmatched=bool(run.params.get("retry_unmatched")))
    run.rows = summary.proposed
    run.progress(summary.proposed, summary.proposed, force=True)


def link_run_start(*, actor, source_import_id: int | None = None,
                   retry_unmatched: bool = False) -> LinkSummary:
    """Run linkage for the actor's region from a page or the API: inline below
    `JOB_MIN_ROWS` pending rows, otherwise as a background job (summary.job_id set)."""
    if not may_run_linkage(actor):
        raise Forbidden(_("Only HRSS staff with access to persons run record linkage."))
    n = _pending_links(actor, source_import_id, retry_unmatched).count()
    if n < JOB_MIN_ROWS:
        return link_pending(actor=actor, source_import_id=source_import_id,
                            retry_unmatched=retry_unmatched)
    from jineng.jobs import services as jobs

    job = jobs.job_start(actor=actor, task=link_pending_task, kind="outcomes.link_pending",
                         title=_("Record linkage of %(n)s rows") % {"n": n},
                         params={"import": source_import_id,
                                 "retry_unmatched": retry_unmatched},
                         total=n, reuse_pending=True)
    return LinkSummary(proposed=0, job_id=job.pk)


# --- staff decisions -------------------------------------------------------------------------

def _locked_link(actor, link_id: int) -> RecordLink:
    """The link, locked, if the actor sees it (else NotFound), and may decide (else
    Forbidden). Call inside a transaction."""
    if not RecordLink.objects.visible_to(actor).filter(pk=link_id).exists():
        raise NotFound()
    if not may_decide_links(actor):
        raise Forbidden(_("Only province or city HRSS staff decide record links."))
    return (RecordLink.objects.select_for_update(of=("self",)).select_related("region")
            .get(pk=link_id))


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the decision."), field="reason",
                          code="required")
    return reason


def link_confirm(*, actor, link_id: int, person_id: int | None = None, id_number: str = "",
                 reason: str) -> RecordLink:
    """Confirm the proposed candidate, or name another person (by their ID, or by the ID
    number typed from a document: that lookup is recorded in the audit event). The record is
    then written exactly as an automatic link writes it."""
    reason = _need_reason(reason)
    with transaction.atomic():
        link = _locked_link(actor, link_id)
        if link.status not in (LinkStatus.PENDING, LinkStatus.UNMATCHED):
            raise Conflict(_("This link was already decided (%(status)s).")
                           % {"status": link.get_status_display()}, field="status",
                           code="decided")
        before = audit.snapshot(link)
        found_by = "candidate"
        if id_number.strip():
            person = registry_selectors.person_holding_number(id_number.strip())
            found_by = "id_number"
            if person is None:
                raise DomainError(_("No registered person holds this ID number."),
                                  field="id_number", code="unknown")
        elif person_id is not None:
            person = registry_selectors.person_get(actor=actor, pk=person_id)
            found_by = "person_id"
        elif link.candidate_id is not None:
            person = _candidate(link)
        else:
            raise DomainError(_("This row has no candidate: name the person by their ID "
                                "number."), field="id_number", code="required")
        if person.region.code[:2] != link.region.code[:2]:
            raise DomainError(_("The person is registered in another province."),
                              field="id_number", code="other_province")
        link.candidate_id = person.pk
        link.status = LinkStatus.CONFIRMED
        link.decided_by = actor
        link.decided_at = timezone.now()
        link.decision_reason = reason
        if found_by != "candidate":
            link.comparison = {**link.comparison, "chosen_by": found_by}
        link.save(update_fields=["candidate", "status", "decided_by", "decided_at",
                                 "decision_reason", "comparison"])
        _write_linked([(link, person.pk, person.id_hash)])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=link, before=before,
                     after={**audit.snapshot(link), "person_found_by": found_by,
                            "person_masked_id": person.id_masked},
                     reason=reason)
    return link


def _candidate(link: RecordLink):
    from jineng.registry.models import Person

    return Person.objects.select_related("region").get(pk=link.candidate_id)


def link_reject(*, actor, link_id: int, reason: str) -> RecordLink:
    """Reject the proposed candidate: the row stays unlinked (nothing written)."""
    reason = _need_reason(reason)
    with transaction.atomic():
        link = _locked_link(actor, link_id)
        if link.status not in (LinkStatus.PENDING, LinkStatus.UNMATCHED):
            raise Conflict(_("This link was already decided (%(status)s).")
                           % {"status": link.get_status_display()}, field="status",
                           code="decided")
        before = audit.snapshot(link)
        link.status = LinkStatus.REJECTED
        link.decided_by = actor
        link.decided_at = timezone.now()
        link.decision_reason = reason
        link.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=link, before=before,
                     after=audit.snapshot(link), reason=reason)
    return link


def link_reopen(*, actor, link_id: int, reason: str) -> RecordLink:
    """Undo a decision (automatic link, confirmation or rejection): the record it wrote is
    removed and the row waits again with its candidate, for a person to decide."""
    reason = _need_reason(reason)
    with transaction.atomic():
        link = _locked_link(actor, link_id)
        if link.status not in (LinkStatus.LINKED, LinkStatus.CONFIRMED, LinkStatus.REJECTED):
            raise Conflict(_("Only a decided link can be reopened."), field="status",
                           code="not_decided")
        before = audit.snapshot(link)
        removed = _unwrite(link)
        link.status = LinkStatus.PENDING if link.candidate_id else LinkStatus.UNMATCHED
        link.decided_by = actor
        link.decided_at = timezone.now()
        link.decision_reason = reason
        link.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=link, before=before,
                     after={**audit.snapshot(link), "rows_removed": removed}, reason=reason)
    return link

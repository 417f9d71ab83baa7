"""The risk scan: snapshot → rules → store, as a background job (jobs app) or from the CLI
(`jineng risk-scan`).

`risk_scan_start` (province HRSS staff, an inspector, or a system administrator) records a
queued RiskRun and its job; while one is queued or running a second request answers that run
(a partial unique constraint keeps one active). `risk_scan_compute` runs the three steps and
records in the run what ran (the rule versions with their parameters), on which data (rows
read per table, data through, full or incremental since when), how long each step and rule
took, and how many alert rows it found and how many alerts were new. The store step writes
every alert in one transaction: a rerun finding the same thing (same dedup key) updates its
last-seen run, time, count, measure and evidence, never adds a second alert."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.core import audit, bulk
from jineng.core.errors import DomainError, Forbidden
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.jobs import services as jobs
from jineng.jobs.tasks import JobRun, job_task
from jineng.supervision.choices import RunMode, RunStatus
from jineng.supervision.models import RiskAlert, RiskRule, RiskRun
from jineng.supervision.rules import catalog
from jineng.supervision.services import snapshot as snap

__all__ = ["QUALITY_KEY", "STEPS", "data_quality", "may_start_scan", "risk_scan_compute",
           "risk_scan_start", "rules_sync"]

STEPS = ("snapshot", "rules", "store")
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)
BATCH = 2_000
# DuckDB's buffers in a scan (issue 13: the whole process within 6 GB; the rest is Python,
# Django and the Arrow batches in flight).
SCAN_MEMORY_LIMIT = "4GB"


def may_start_scan(actor) -> bool:
    scope = scope_of(actor)
    role = str(getattr(actor, "role", "") or "")
    return scope.everything or (scope.region_prefix is not None
                                and role in (Role.PROVINCE_STAFF, Role.INSPECTOR))


def rules_sync() -> int:
    """Create the catalog's rules missing from the RiskRule table (a system step of every
    scan; versions already stored are kept). Answers how many were created."""
    have = set(RiskRule.objects.values_list("code", flat=True))
    new = [RiskRule(code=s.code, severity=s.severity, subject_kind=s.subject_kind,
                    description=s.description,
                    versions=[{"valid_from": catalog.DEFAULT_VALID_FROM,
                               "parameters": dict(s.parameters)}])
           for s in catalog.RULES.values() if s.code not in have]
    RiskRule.objects.bulk_create(new)
    return len(new)


def _last_data_through() -> dt.datetime | None:
    last = (RiskRun.objects.filter(status=RunStatus.SUCCEEDED)
            .exclude(data_through__isnull=True).order_by("-data_through").first())
    return last.data_through if last else None


def risk_scan_start(*, actor, mode: str = RunMode.FULL,
                    since: dt.datetime | None = None) -> RiskRun:
    """Queue a scan (and its job); the scan already queued or running if there is one. An
    incremental scan without `since` reads the events since the last successful scan's data."""
    if not may_start_scan(actor):
        raise Forbidden(_("Only the province HRSS office and inspectors start risk scans."))
    if mode not in RunMode.values:
        raise DomainError(_("Unknown scan mode: %(mode)s.") % {"mode": mode})
    if mode == RunMode.INCREMENTAL and since is None:
        since = _last_data_through()
        if since is None:
            raise DomainError(_("An incremental scan needs a previous successful scan or a "
                                "start time (since)."))
    if mode == RunMode.FULL:
        since = None
    active = RiskRun.objects.filter(status__in=ACTIVE).first()
    if active is not None:
        return active
    try:
        with transaction.atomic():
            run = RiskRun.objects.create(requested_by=actor, mode=mode, since=since)
            job = jobs.job_start(actor=actor, task=risk_scan_task, kind="supervision.scan",
                                 title=_("Risk scan (%(mode)s)") % {"mode": run.get_mode_display()},
                                 params={"run": run.pk}, total=len(STEPS))
            run.job_id = job.pk
            run.save(update_fields=["job_id"])
            audit.record(actor=actor, action=AuditAction.CREATE, instance=run,
                         after=audit.snapshot(run))
    except IntegrityError:
        active = RiskRun.objects.filter(status__in=ACTIVE).first()
        if active is None:
            raise
        return active
    return run


@job_task
def risk_scan_task(run: JobRun) -> None:
    def progress(step: str) -> None:
        run.progress(STEPS.index(step) + 1, len(STEPS), force=True)

    result = risk_scan_compute(RiskRun.objects.get(pk=run.params["run"]), by_user=run.actor,
                               progress=progress)
    if result.status == RunStatus.FAILED:
        raise DomainError(_("The risk scan failed: %(error)s") % {"error": result.error[:300]})


def _rule_versions(day: dt.date) -> dict[str, dict]:
    out = {}
    for rule in RiskRule.objects.filter(is_active=True):
        if rule.code not in catalog.RULES:
            continue
        params = catalog.parameters_in_force(rule.code, rule.versions, day)
        valid = [v.get("valid_from") for v in rule.versions or ()
                 if str(v.get("valid_from") or "") <= day.isoformat()]
        out[rule.code] = {"valid_from": max(valid) if valid else catalog.DEFAULT_VALID_FROM,
                          "parameters": params}
    return out


def risk_scan_compute(run: RiskRun, *, by_user=None,
                      progress: Callable[[str], None] | None = None,
                      engine: str = "duckdb") -> RiskRun:
    """Run the steps for `run` synchronously and record the outcome in it (the body of the job
    and of the CLI; `risk_scan_start` is the checked entry). `by_user` is who the audit events
    name (None: the system)."""
    from jineng.supervision.services.engine import duckdb_connect, run_rules

    now = timezone.now()
    RiskRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, started_at=now,
                                             error="", engine=engine)
    run.refresh_from_db()
    timings: dict = {}
    con = scratch = None
    try:
        rules_sync()
        versions = _rule_versions(timezone.localdate())
        if run.since is not None:  # new attendance: the rules that read it (snapshot docs)
            versions = {c: v for c, v in versions.items() if c in snap.INCREMENTAL_RULES}
        if engine != "duckdb":
            raise DomainError(_("Unknown engine: %(engine)s") % {"engine": engine})
        # DuckDB in a scratch database file: the loaded tables stay compressed and evictable
        # within the memory limit (tier L: ~50 M events), removed after the scan.
        scratch = tempfile.TemporaryDirectory(prefix="jineng-risk-scan-")
        con = duckdb_connect(Path(scratch.name) / "scan.duckdb",
                             memory_limit=SCAN_MEMORY_LIMIT,
                             temp_directory=Path(scratch.name) / "spill")
        t0 = time.perf_counter()
        loaded, regions, counts, per_table = snap.load_snapshot_into(con, run.since)
        timings["snapshot"] = round(time.perf_counter() - t0, 3)
        timings["snapshot_tables"] = per_table
        for kept in ("events_cache", "contacts_cache"):  # how the kept tables were read
            if kept in per_table:
                timings[kept] = per_table.pop(kept)
        if run.since is None:  # deleted rows an event cache no longer needs (kept 30 days)
            from jineng.training.services import deleted_rows_prune

            timings["deleted_rows_pruned"] = deleted_rows_prune()
        if progress:
            progress("snapshot")
        t0 = time.perf_counter()
        alerts, per_rule = run_rules(loaded, {c: v["parameters"] for c, v in versions.items()})
        timings["rules"] = round(time.perf_counter() - t0, 3)
        timings["per_rule"] = per_rule
        t0 = time.perf_counter()
        quality = data_quality(loaded)
        timings["quality"] = round(time.perf_counter() - t0, 3)
        if progress:
            progress("rules")
        t0 = time.perf_counter()
        with transaction.atomic():
            new = _store(run, alerts, regions, now)
            timings["store"] = round(time.perf_counter() - t0, 3)
            run.status = RunStatus.SUCCEEDED
            run.finished_at = timezone.now()
            run.data_through = now
            run.rule_versions = versions
            run.timings = timings
            run.counts = dict(counts)
            run.counts[QUALITY_KEY] = quality
            run.alerts_found = alerts.num_rows
            run.alerts_new = new
            run.save()
            audit.record(actor=by_user, action=AuditAction.TRANSITION, instance=run,
                         after={"status": run.status, "alerts_found": run.alerts_found,
                                "alerts_new": run.alerts_new, "timings": timings})
        if progress:
            progress("store")
    except Exception as error:  # any failure is recorded in the run
        RiskRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), timings=timings,
            error=f"{type(error).__name__}: {error}"[:4000])
        run.refresh_from_db()
        audit.record(actor=by_user, action=AuditAction.TRANSITION, instance=run,
                     after={"status": run.status}, reason=run.error[:500])
    finally:
        if con is not None:
            con.disconnect()
        if scratch is not None:
            scratch.cleanup()
    return run


QUALITY_KEY = "data_quality"  # the data-quality report, stored beside the rows read


def data_quality(loaded: dict) -> dict:
    """The data-quality report of the loaded snapshot (analytics.quality), apart from the
    alerts; a failure of the report is recorded in it and never fails the scan."""
    from jineng.supervision.analytics import quality

    try:
        return quality.report(loaded)
    except Exception as error:  # the report is advisory: the alerts stand without it
        return {"error": f"{type(error).__name__}: {error}"[:1000]}


def _evidence(row: dict) -> dict:
    spec = catalog.RULES[row["rule"]]
    ev = {"rule": spec.code, "subject": {"kind": row["subject_kind"], "ref": row["subject_ref"]}}
    if row["class_id"] is not None:
        ev["class_id"] = row["class_id"]
    if row["institution_id"] is not None:
        ev["institution_id"] = row["institution_id"]
    for label, key in ((spec.ref_a, "ref_a"), (spec.ref_b, "ref_b"), (spec.measure, "measure")):
        if label and row[key] is not None:
            ev[label] = row[key]
    return ev


def _update_seen(seen: list[tuple[int, float | None, dict]], run: RiskRun, now) -> None:
    """Write back the alerts seen again, (id, measure, evidence) each: seen once more in this
    run. PostgreSQL: one UPDATE … FROM unnest(arrays) per chunk — bulk_update's CASE WHEN per
    field made re-seeing 50,000 alerts cost ~70 s at tier L (each row compared against every
    WHEN of its batch); elsewhere bulk_update."""
    if not seen:
        return
    if connection.vendor != "postgresql":
        RiskAlert.objects.bulk_update(
            [RiskAlert(pk=pk, measure=measure, evidence=evidence, last_run=run,
                       last_seen_at=now, times_seen=F("times_seen") + 1)
             for pk, measure, evidence in seen],
            ["last_run", "last_seen_at", "times_seen", "measure", "evidence"], batch_size=BATCH)
        return
    import psycopg

    table = RiskAlert._meta.db_table
    sql = (f"UPDATE {table} AS a SET last_run_id = %s, last_seen_at = %s, "
           "times_seen = a.times_seen + 1, measure = v.measure, evidence = v.evidence "
           "FROM unnest(%b::bigint[], %b::float8[], %b::text[]::jsonb[]) "
           "AS v(id, measure, evidence) WHERE a.id = v.id")
    connection.ensure_connection()
    # The arrays as parameters in the binary format (%b), bound by the server: Django's
    # cursor merges parameters into the SQL text on the client, and quoting 50,000 evidences
    # there took 3.6 s of a 7.6 s update at tier L.
    with psycopg.Cursor(connection.connection) as cur:
        for i in range(0, len(seen), 20_000):
            part = seen[i:i + 20_000]
            cur.execute(sql, [run.pk, now, [pk for pk, _m, _e in part],
                              [m for _pk, m, _e in part],
                              [json.dumps(e, ensure_ascii=False) for _pk, _m, e in part]])


NEW_ALERT_FIELDS = ["rule_code", "severity", "subject_kind", "subject_ref", "training_class_id",
                    "institution_id", "region_id", "evidence", "measure", "dedup_key",
                    "first_run_id", "last_run_id", "first_seen_at", "last_seen_at"]


def _store(run: RiskRun, alerts, class_regions: dict[int, int], now) -> int:
    """Upsert the alert rows by dedup key (caller's transaction); answers how many are new."""
    from jineng.registry.models import Organization

    rows = alerts.to_pylist()
    by_key: dict[str, dict] = {}
    for r in rows:
        key = catalog.dedup_key(r["rule"], r["subject_kind"], r["subject_ref"], r["ref_a"],
                                r["ref_b"])
        by_key[key] = r
    inst_ids = {r["institution_id"] for r in rows if r["institution_id"] is not None}
    inst_regions = dict(Organization.objects.filter(pk__in=inst_ids)
                        .values_list("pk", "region_id"))
    keys = list(by_key)
    existing: dict[str, int] = {}  # dedup key → alert id (the alerts themselves are not read)
    for i in range(0, len(keys), BATCH):
        existing.update(RiskAlert.objects.filter(dedup_key__in=keys[i:i + BATCH])
                        .values_list("dedup_key", "pk"))
    new, seen = [], []
    for key, r in by_key.items():
        evidence = _evidence(r)
        if key in existing:
            seen.append((existing[key], r["measure"], evidence))
            continue
        region = (class_regions.get(r["class_id"]) if r["class_id"] is not None else None) \
            or inst_regions.get(r["institution_id"])
        new.append((r["rule"], catalog.RULES[r["rule"]].severity, r["subject_kind"],
                    r["subject_ref"][:100], r["class_id"], r["institution_id"], region, evidence,
                    r["measure"], key, run.pk, run.pk, now, now))
    _update_seen(seen, run, now)
    # The new alerts by COPY on PostgreSQL (core.bulk): bulk_create's INSERTs took 4.0 of the
    # store's 7.1 s for the 50,257 alerts of a first scan at tier L, COPY 0.7 s. The other
    # columns (status, times seen, findings) take their model defaults.
    bulk.insert_rows(RiskAlert, NEW_ALERT_FIELDS, new)
    return len(new)

"""The outcomes job: snapshot → measures → indicators → store, off the request path.

`outcomes_run_start` (province HRSS staff, or a system administrator) records a queued
OutcomeRun and a background job (jobs app); a second request while a run is queued or running
answers that run (a partial unique constraint keeps one active run). The job, or
`outcomes_compute` called directly (the CLI `jineng outcomes-compute`), runs four steps and
times them into the run:

  snapshot  exits, records, businesses read set-based into DuckDB in memory (services.snapshot)
  measures  analytics.measures.outcome_measures (Ibis on DuckDB)
  indicators analytics.indicators.indicator_values with the province's weights in force
  store     every OutcomeMeasure row replaced, the run's IndicatorValue rows written, in one
            transaction (bulk_create in batches)

Success or failure is recorded in the run (the error text on failure) and audited."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Forbidden
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.jobs import services as jobs
from jineng.jobs.tasks import JobRun, job_task
from jineng.outcomes.choices import RunStatus
from jineng.outcomes.models import IndicatorValue, InsuranceRecord, OutcomeMeasure, OutcomeRun
from jineng.outcomes.rules import indicators as rules
from jineng.outcomes.services import snapshot as snap

__all__ = ["STEPS", "default_data_through", "may_start_run", "outcomes_compute",
           "outcomes_run_start"]

PROVINCE_STAFF = "province_staff"
BATCH = 5_000  # rows per bulk_create
STEPS = ("snapshot", "measures", "indicators", "store")
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING)


def may_start_run(actor) -> bool:
    scope = scope_of(actor)
    return scope.everything or (str(getattr(actor, "role", "") or "") == PROVINCE_STAFF
                                and scope.region_prefix is not None)


def default_data_through(today: dt.date | None = None) -> dt.date:
    """The last month with records, capped at the month before today's (first day)."""
    today = today or timezone.localdate()
    cap = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    last = InsuranceRecord.objects.aggregate(m=Max("month"))["m"]
    return min(last, cap) if last else cap


def _province_code(actor) -> str:
    region = getattr(actor, "region", None)
    return f"{region.code[:2]}0000" if region is not None else ""


def outcomes_run_start(*, actor, data_through: dt.date | None = None) -> OutcomeRun:
    """Queue a run (and its job); the run already queued or running if there is one."""
    if not may_start_run(actor):
        raise Forbidden(_("Only the province HRSS office computes the outcomes."))
    active = OutcomeRun.objects.filter(status__in=ACTIVE).first()
    if active is not None:
        return active
    through = (data_through or default_data_through()).replace(day=1)
    try:
        with transaction.atomic():
            run = OutcomeRun.objects.create(requested_by=actor, data_through=through,
                                            parameters={"province": _province_code(actor)})
            job = jobs.job_start(actor=actor, task=outcomes_run_task, kind="outcomes.run",
                                 title=_("Outcomes computation through %(month)s")
                                 % {"month": through.strftime("%Y-%m")},
                                 params={"run": run.pk}, total=len(STEPS))
            run.job_id = job.pk
            run.save(update_fields=["job_id"])
            audit.record(actor=actor, action=AuditAction.CREATE, instance=run,
                         after=audit.snapshot(run))
    except IntegrityError:
        # Another request queued one between our check and our insert: that run answers.
        active = OutcomeRun.objects.filter(status__in=ACTIVE).first()
        if active is None:
            raise
        return active
    return run


@job_task
def outcomes_run_task(run: JobRun) -> None:
    def progress(step: str) -> None:
        run.progress(STEPS.index(step) + 1, len(STEPS), force=True)

    result = outcomes_compute(OutcomeRun.objects.get(pk=run.params["run"]), by_user=run.actor,
                              progress=progress)
    if result.status == RunStatus.FAILED:
        from jineng.core.errors import DomainError
        raise DomainError(_("The outcomes computation failed: %(error)s")
                          % {"error": result.error[:300]})


def _weights(province: str, day: dt.date) -> dict[str, float]:
    from jineng.outcomes.selectors.quality import indicator_settings_in_force

    return rules.composite_weights(
        indicator_settings_in_force(region_code=province, day=day).weights)


def outcomes_compute(run: OutcomeRun, *, by_user=None,
                     progress: Callable[[str], None] | None = None) -> OutcomeRun:
    """Run the four steps for `run` (synchronously) and record the outcome in it. The body of
    the job (and of the CLI), not a user's call: `outcomes_run_start` is the checked entry;
    `by_user` is who the audit events name (None: the system)."""
    actor = by_user
    import ibis

    from jineng.outcomes.analytics.indicators import indicator_values
    from jineng.outcomes.analytics.measures import outcome_measures

    OutcomeRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING,
                                                started_at=timezone.now(), error="")
    run.refresh_from_db()
    through = snap.month_index(run.data_through or default_data_through())
    con = ibis.duckdb.connect()
    try:
        t0 = time.perf_counter()
        counts = snap.build_snapshot(con, data_through=through)
        run.snapshot_seconds = time.perf_counter() - t0
        if progress:
            progress("snapshot")
        t0 = time.perf_counter()
        measures = outcome_measures(con.table("exits"), con.table("records"),
                                    con.table("businesses"), data_through=through).to_pyarrow()
        if progress:
            progress("measures")
        province = run.parameters.get("province") or ""
        snap.load_arrow(con, "measures", measures)
        weights = _weights(province, timezone.localdate())
        cells = indicator_values(con.table("measures"), weights=weights).to_pyarrow()
        run.compute_seconds = time.perf_counter() - t0
        if progress:
            progress("indicators")
        t0 = time.perf_counter()
        with transaction.atomic():
            previously = set(OutcomeMeasure.objects.filter(employed_6m=True).values_list(
                "enrollment_id", flat=True))
            _store(run, measures, cells, counts.classes or {})
            run.store_seconds = time.perf_counter() - t0
            run.status = RunStatus.SUCCEEDED
            run.finished_at = timezone.now()
            run.trainees = measures.num_rows
            run.records = counts.records
            run.indicator_values = cells.num_rows
            run.parameters = {**run.parameters, "weights": weights}
            run.save()
            audit.record(actor=actor, action=AuditAction.TRANSITION, instance=run,
                         after={"status": run.status, "trainees": run.trainees,
                                "records": run.records, "indicator_values": run.indicator_values,
                                "seconds": [run.snapshot_seconds, run.compute_seconds,
                                            run.store_seconds]})
        if progress:
            progress("store")
        # Plans facts follow a successful run (their own transaction); a failure there is
        # recorded in the run's parameters, the stored figures stand.
        try:
            fed = _feed_plans(run=run, actor=actor, previously_employed=previously)
            run.parameters = {**run.parameters, "plans_facts": fed}
        except Exception as error:  # recorded, the run stands
            run.parameters = {**run.parameters, "plans_error": f"{error}"[:500]}
        OutcomeRun.objects.filter(pk=run.pk).update(parameters=run.parameters)
    except Exception as error:  # any failure is recorded in the run
        OutcomeRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:4000],
            snapshot_seconds=run.snapshot_seconds, compute_seconds=run.compute_seconds)
        run.refresh_from_db()
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=run,
                     after={"status": run.status}, reason=run.error[:500])
    finally:
        con.disconnect()
    return run


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(str(round(float(value), 2)))


def _labels(cells) -> dict[tuple[str, str], str]:
    from jineng.registry.models import Occupation, Organization, Region, SkillLevel

    keys: dict[str, set] = {}
    for d, k in zip(cells.column("dimension").to_pylist(), cells.column("key").to_pylist(),
                    strict=True):
        keys.setdefault(d, set()).add(k)
    out: dict[tuple[str, str], str] = {("all", ""): _("whole province")}
    ids = [int(k) for k in keys.get("institution", ()) if k and k.isdigit()]
    for pk, name in Organization.objects.filter(pk__in=ids).values_list("pk", "name"):
        out[("institution", str(pk))] = name
    for code, name in Occupation.objects.filter(
            code__in=keys.get("occupation", ())).values_list("code", "name"):
        out[("occupation", code)] = name
    for code, name in SkillLevel.objects.filter(
            code__in=keys.get("level", ())).values_list("code", "name"):
        out[("level", code)] = name
    for code, name in Region.objects.filter(
            code__in=keys.get("region", ())).values_list("code", "name"):
        out[("region", code)] = name
    return out


def _store(run: OutcomeRun, measures, cells, classes: dict) -> None:
    """Replace every OutcomeMeasure row and write the run's indicator cells (in the caller's
    transaction)."""
    OutcomeMeasure.objects.all().delete()
    columns = measures.column_names
    batch: list[OutcomeMeasure] = []
    for rows in measures.to_batches(max_chunksize=BATCH):
        data = dict(zip(columns, (c.to_pylist() for c in rows.columns), strict=True))
        for i in range(rows.num_rows):
            cid = data["class_id"][i]
            region_id, end = classes[cid]
            batch.append(OutcomeMeasure(
                run=run, enrollment_id=data["enrollment_id"][i],
                person_id=data["person_id"][i], training_class_id=cid,
                institution_id=data["institution_id"][i], region_id=region_id, exit_date=end,
                completed=data["completed"][i], certified=data["certified"][i],
                level_up=data["level_up"][i], demand_matched=data["demand_matched"][i],
                employed_q2=data["employed_q2"][i], employed_q4=data["employed_q4"][i],
                employed_3m=data["employed_3m"][i], employed_6m=data["employed_6m"][i],
                employed_12m=data["employed_12m"][i],
                self_employed_12m=data["self_employed_12m"][i],
                stable_employment=data["stable_employment"][i],
                wage_before=_money(data["wage_before"][i]),
                wage_after=_money(data["wage_after"][i]), wage_growth=data["wage_growth"][i],
                same_employer=data["same_employer"][i],
                order_employer=data["order_employer"][i]))
        OutcomeMeasure.objects.bulk_create(batch, batch_size=BATCH)
        batch = []
    labels = _labels(cells)
    values = [IndicatorValue(run=run, indicator=r["indicator"], dimension=r["dimension"],
                             key=r["key"], label=labels.get((r["dimension"], r["key"]), "")[:200],
                             period=r["period"], numerator=r["numerator"],
                             denominator=r["denominator"], value=r["value"],
                             trainees=r["trainees"])
              for r in cells.to_pylist()]
    IndicatorValue.objects.bulk_create(values, batch_size=BATCH)


PLANS_SOURCE = "outcomes.employment"
METRIC = "employed_after_training"
OBSERVED_METRIC = "employment_observed"


def _six_months_after(day: dt.date) -> dt.date:
    m = day.month - 1 + 6
    year, month = day.year + m // 12, m % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _feed_plans(*, run: OutcomeRun, actor, previously_employed: set[int]) -> int:
    """Plans facts `employed_after_training` (plans.services.facts): one +1 fact per trainee
    counted employed (employed_6m TRUE), and `employment_observed` (the rate's denominator)
    per trainee whose six months have passed (employed_6m not NULL); both dated exit + 6
    months, in the class's county, for the
    institution, training type and sector; source_ref `outcomes.employed:<enrollment>` so a
    rerun adds nothing. A trainee counted by the previous run and no longer employed (records
    corrected) gets a -1 correction `outcomes.employed:<enrollment>:undo:<run>`. Classes
    registered above county level are skipped (facts are per county). Answers facts offered."""
    from jineng.plans.choices import FACT_SECTORS
    from jineng.plans.services import facts
    from jineng.training import selectors as training

    rows = (OutcomeMeasure.objects.filter(run=run).order_by()
            .values_list("enrollment_id", "employed_6m", "exit_date", "region__code",
                         "institution_id", "training_class__training_type",
                         "training_class__sector"))

    def offered():
        for enr, employed, exit_date, region, inst, ttype, sector in rows.iterator(
                chunk_size=BATCH):
            if len(region) < 6 or region[:6].endswith("00"):
                continue
            common = {"metric": METRIC, "day": _six_months_after(exit_date),
                      "region_code": region, "organization_id": inst,
                      "training_type": training.plans_training_type_of(ttype or ""),
                      "sector": sector if sector in FACT_SECTORS else ""}
            if employed is not None:  # the six months have passed: the rate's denominator
                yield facts.FactInput(**{**common, "metric": OBSERVED_METRIC}, value=1,
                                      source_ref=f"outcomes.observed:{enr}")
            if employed is True:
                yield facts.FactInput(**common, value=1, source_ref=f"outcomes.employed:{enr}")
            elif enr in previously_employed:
                yield facts.FactInput(**common, value=-1,
                                      source_ref=f"outcomes.employed:{enr}:undo:{run.pk}")

    return facts.actual_facts_add_many(actor=actor, source=PLANS_SOURCE, facts=offered())

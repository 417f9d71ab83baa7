"""Coverage runs and placement proposals as background jobs (docs/jobs.md): started from the
staff pages and the API, run by the worker with progress, the stored run or proposal named in
the job's parameters and linked from its page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jineng.core.errors import DomainError, NotFound
from jineng.jobs import services as jobs
from jineng.jobs.tasks import JobRun, job_task
from jineng.portal.models.coverage import CoverageRun
from jineng.portal.rules import travel
from jineng.portal.services import coverage_runs
from jineng.portal.services.coverage import ensure_may_manage


@job_task
def coverage_job(run: JobRun) -> None:
    p = run.params
    result = coverage_runs.coverage_run(
        actor=run.actor, region_code=p["region"], year=p.get("year"),
        threshold_minutes=p["threshold_minutes"], mode=p["mode"], job_id=run.job.pk,
        progress=lambda done, total: run.progress(done, total))
    run.rows = result.areas


@job_task
def placement_job(run: JobRun) -> None:
    p = run.params
    cov_run = CoverageRun.objects.visible_to(run.actor).filter(pk=p["run"]).first()
    if cov_run is None:
        raise NotFound()
    run.progress(0, 1, force=True)
    proposal = coverage_runs.placement_propose(actor=run.actor, run=cov_run, k=p["k"],
                                               candidates=p.get("candidates"),
                                               job_id=run.job.pk)
    run.progress(1, 1, force=True)
    run.rows = len(proposal.choices)


def coverage_run_start(*, actor, region_code: str, year: int | None = None,
                       threshold_minutes: int = travel.THRESHOLD_MINUTES,
                       mode: str = travel.DEFAULT_MODE, ip_address: str | None = None):
    """Start a coverage run as a background job (the same run asked twice while it is
    pending is that job). The inputs are checked now, so a bad one is answered at once."""
    coverage_runs.check_run_input(threshold_minutes=threshold_minutes, mode=mode, year=year)
    region = coverage_runs.region_for(actor, region_code)
    if coverage_runs.latest_year(region.scope_prefix) is None:
        raise DomainError(_("No population for %(region)s: import it first.")
                          % {"region": region.name}, field="year")
    return jobs.job_start(
        actor=actor, task=coverage_job, kind="portal.coverage",
        title=_("30-minute circle coverage of %(region)s") % {"region": region.name},
        params={"region": region.code, "year": year, "threshold_minutes": threshold_minutes,
                "mode": mode}, ip_address=ip_address, reuse_pending=True)


def placement_start(*, actor, run: CoverageRun, k: int, candidates: list[dict] | None = None,
                    ip_address: str | None = None):
    """Start a placement proposal as a background job (inputs checked now)."""
    ensure_may_manage(actor)
    if not isinstance(k, int) or not (1 <= k <= 500):
        raise DomainError(_("The number of new sites must be from 1 to %(n)s.") % {"n": 500},
                          field="k")
    coverage_runs.candidate_sites(actor, run, candidates)  # refuse unknown places now
    return jobs.job_start(
        actor=actor, task=placement_job, kind="portal.placement",
        title=_("Placement of %(k)s new sites (coverage run %(run)s)") % {"k": k, "run": run.pk},
        params={"run": run.pk, "k": k, "candidates": candidates}, ip_address=ip_address,
        reuse_pending=True)

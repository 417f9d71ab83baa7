"""The background job of matching: every open wish of a region (wish_match_region_start)."""

from __future__ import annotations

from jineng.jobs.tasks import JobRun, job_task

__all__: list[str] = []


@job_task
def match_region_wishes(run: JobRun) -> None:
    """Match the wishes of the job's region, reporting progress after each chunk."""
    from jineng.demand.services.matching import wishes_match

    result = wishes_match(actor=run.actor, region_code=run.params["region_code"],
                          progress=lambda done, total: run.progress(done, total, force=True))
    run.rows = result.new_matches

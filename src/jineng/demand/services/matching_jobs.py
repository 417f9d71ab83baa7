"""The background job of matching: every open wish of a region (wish_match_region_start)."""

from __future__ import annotations

from django_tasks import task

from jineng.jobs.tasks import JobRun, job_task

__all__: list[str] = []


@job_task
def match_region_wishes(run: JobRun) -> None:
    """Match the wishes of the job's region, reporting progress after each chunk."""
    from jineng.demand.services.matching import wishes_match

    result = wishes_match(actor=run.actor, region_code=run.params["region_code"],
                          progress=lambda done, total: run.progress(done, total, force=True))
    run.rows = result.new_matches


# Plain tasks (no Job row: no user asked), queued in the transaction of a class change or of a
# repeated wish (services.matching_refresh); keyword arguments only, so the worker's job
# report does not take a class or wish id for a job's.
@task()
def refresh_class_matches(*, class_id: int) -> None:
    from jineng.demand.services.matching_refresh import class_matches_refresh

    class_matches_refresh(class_id)


@task()
def refresh_wish_matches(*, wish_id: int) -> None:
    from jineng.demand.services.matching_refresh import wish_matches_refresh

    wish_matches_refresh(wish_id)

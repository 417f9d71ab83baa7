"""What the catalog app lets higher apps plug in (published: other apps may import this module).

`institution_quality`: what the staff reviewing an institution catalog (培训机构目录) or a
city's supplement to it should know of a listed institution's training quality. The outcomes
app (a higher app) answers from its latest run. Each provider is called as

    def quality(*, actor, organization_id) -> dict | None

and returns None when it knows nothing the actor may read (no run, no value for the
institution, an actor who is not HRSS staff, an institution out of the actor's scope), else a
dict with:

    composite        float | None   the composite score (0–1)
    rank             int | None     its rank by composite among the run's institutions
    ranked           int | None     how many institutions the run ranks
    trainees         int            the cell size: trainees behind the figures
    computed_at      datetime       when the run finished
    url              str            where the figures are explained (may be "")

With no provider registered the review page simply shows no quality panel. Higher apps
register in their `AppConfig.ready()` (see core.hooks).
"""

from __future__ import annotations

from collections.abc import Callable

from jineng.core.hooks import Providers

institution_quality: Providers[Callable[..., dict | None]] = Providers(
    "catalog.institution_quality")


def quality_of(*, actor, organization_ids) -> dict[int, dict]:
    """The first provider's answer for each institution that has one, by organization id."""
    found: dict[int, dict] = {}
    if not len(institution_quality):
        return found
    for organization_id in dict.fromkeys(organization_ids):
        answer = institution_quality.first(actor=actor, organization_id=organization_id)
        if answer is not None:
            found[organization_id] = answer
    return found

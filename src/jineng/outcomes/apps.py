from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "jineng.outcomes"
    label = "outcomes"
    verbose_name = _("Outcomes and quality")

    def ready(self) -> None:
        from jineng.catalog.hooks import institution_quality

        institution_quality.register("outcomes.quality", quality_for_catalog_review)


def quality_for_catalog_review(*, actor, organization_id: int) -> dict | None:
    """catalog.hooks.institution_quality: an institution's composite score, its rank among the
    institutions of the latest run and the cell size behind it (outcomes.selectors.ranking.
    institution_quality). None when there is no run or no value for it, for an actor who is not
    HRSS staff, and for an institution outside the actor's scope: the review page then shows
    nothing of it."""
    from django.urls import reverse

    from jineng.core.errors import Forbidden, NotFound
    from jineng.outcomes.selectors import ranking

    try:
        summary = ranking.institution_quality(actor=actor, organization_id=organization_id)
    except (Forbidden, NotFound):
        return None
    if summary is None:
        return None
    return {
        "composite": summary["composite"],
        "rank": summary["composite_rank"],
        "ranked": summary["institutions_ranked"],
        "trainees": summary["trainees"],
        "computed_at": summary["computed_at"],
        "url": reverse("outcomes:quality_scorecard", args=[organization_id]),
    }

"""Reads of the demand app: wages. Scoped to the actor: everyone reads published cells (a
suppressed cell has a count and no figures); HRSS staff also their region's computed ones."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.demand.models import WageGuidance

__all__ = ["wage_guidance_list", "wage_guidance_years"]


def wage_guidance_list(*, actor, year: int | None = None, city_code: str | None = None,
                       occupation_code: str | None = None, published_only: bool = False,
                       ) -> QuerySet[WageGuidance]:
    qs = (WageGuidance.objects.visible_to(actor)
          .select_related("city", "occupation", "level"))
    if year:
        qs = qs.filter(year=year)
    if city_code:
        qs = qs.filter(city__code=city_code)
    if occupation_code:
        qs = qs.filter(occupation__code=occupation_code)
    if published_only:
        qs = qs.filter(published_at__isnull=False)
    return qs.order_by("-year", "city__code", "occupation__code", "level__rank", "id")


def wage_guidance_years(*, actor) -> list[int]:
    return sorted(set(WageGuidance.objects.visible_to(actor).values_list("year", flat=True)),
                  reverse=True)

"""The evaluation catalog as the demo checks it (who may evaluate what, when)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from jineng.assessment.demo.params import Listing
from jineng.catalog.choices import PUBLIC_STATUSES, CatalogKind
from jineng.catalog.models import EvaluationCatalogEntry
from jineng.registry.choices import OrganizationKind, OrganizationStatus
from jineng.registry.models import (
    Organization,
    SkillLevel,
)


class _Catalog:
    """The evaluation catalog's entries (published versions), checked in Python the way
    `catalog.selectors.evaluator_listed_as_of` checks them (the demo's tests confirm every
    sitting with that selector)."""

    def __init__(self) -> None:
        self.ranks = dict(SkillLevel.objects.values_list("code", "rank"))
        listed = set(Organization.objects.filter(status=OrganizationStatus.LISTED)
                     .values_list("pk", flat=True))
        self.by_occupation: dict[int, list[Listing]] = defaultdict(list)
        self.by_organization: dict[int, list[Listing]] = defaultdict(list)
        rows = (EvaluationCatalogEntry.objects
                .filter(version__catalog__kind=CatalogKind.EVALUATION_INSTITUTION,
                        version__catalog__base__isnull=True,
                        version__status__in=PUBLIC_STATUSES, occupation__isnull=False)
                .order_by("pk")
                .values_list("organization_id", "organization__kind", "occupation_id",
                             "min_level__rank", "max_level__rank", "version_id",
                             "version__effective_from", "version__effective_to", "valid_from",
                             "valid_to", "self_evaluation", "top_filing_number", "pk"))
        self.items: dict[tuple[int, str], list[tuple]] = defaultdict(list)
        for org, item, v_from, v_to, e_from, e_to in (EvaluationCatalogEntry.objects.filter(
                version__catalog__kind=CatalogKind.EVALUATION_INSTITUTION,
                version__catalog__base__isnull=True, version__status__in=PUBLIC_STATUSES,
                occupation__isnull=True).exclude(special_ability_item="").values_list(
                "organization_id", "special_ability_item", "version__effective_from",
                "version__effective_to", "valid_from", "valid_to")):
            ends = [d for d in (v_to, e_to) if d is not None]
            self.items[(org, item)].append((max(v_from, e_from) if e_from else v_from,
                                            min(ends) if ends else None))
        for (org, kind, occ, low, high, version, v_from, v_to, e_from, e_to, own, top,
             entry) in rows:
            if org not in listed:
                continue
            start = max(v_from, e_from) if e_from else v_from
            ends = [d for d in (v_to, e_to) if d is not None]
            item = Listing(org, kind, occ, low or 0, high or 99, version, start,
                           min(ends) if ends else None, own, top, entry)
            self.by_occupation[occ].append(item)
            self.by_organization[org].append(item)

    def lists_item(self, organization: int, item: str, day: dt.date) -> bool:
        return any(start <= day and (end is None or day <= end)
                   for start, end in self.items.get((organization, item), ()))

    def evaluators(self, occupation: int, level: str, day: dt.date, *,
                   kind: str = OrganizationKind.EVALUATION) -> list[Listing]:
        rank = self.ranks[level]
        return [e for e in self.by_occupation.get(occupation, ())
                if e.kind == kind and e.low <= rank <= e.high and e.start <= day
                and (e.end is None or day <= e.end)]

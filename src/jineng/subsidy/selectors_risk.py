"""Set-based, unscoped reads of subsidy claims and imported history for the supervision risk
scan (issue 13): the limits and shared bases of R14, the repeat training of R12 and the payee
accounts of the ring rule R08. Streamed by the caller; only keyed hashes leave, never an
account number or an ID number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery

from jineng.registry.models import Person
from jineng.subsidy.choices import ClaimStatus, PayeeKind
from jineng.subsidy.models import HistoricSubsidy, SubsidyClaim

# Claims that never counted: not filed, withdrawn, refused, or paid back.
NOT_COUNTED = (ClaimStatus.DRAFT, ClaimStatus.WITHDRAWN, ClaimStatus.REFUSED,
               ClaimStatus.RECOVERED)

ClaimRow = tuple[int, int | None, str, str, int | None, str | None, int | None, int | None,
                 dt.date]


def claims_for_risk() -> Iterator[ClaimRow]:
    """(claim id, person id, person key, kind, class id, certificate key, occupation id,
    level id, claim date) of every claim that counts — claims here with positive ids, subsidies
    imported from the previous system with the negated id of their row. The person key is the
    keyed ID hash (the imported person is matched to a registered one by it); the certificate
    key is `id:<certificate id>` here, `no:<certificate number>` in the history (the two are
    not matched to each other)."""
    claims = (SubsidyClaim.objects.exclude(status__in=NOT_COUNTED)
              .filter(person__isnull=False).order_by()
              .values_list("pk", "person_id", "person__id_hash", "kind", "training_class_id",
                           "certificate_id", "occupation_id", "level_id", "claim_date"))
    for pk, person, key, kind, cls, cert, occ, lvl, day in claims.iterator(chunk_size=10_000):
        yield (pk, person, key, kind, cls, f"id:{cert}" if cert is not None else None, occ, lvl,
               day)
    registered = Person.objects.filter(id_hash=OuterRef("id_hash")).values("pk")[:1]
    history = (HistoricSubsidy.objects.exclude(status__in=NOT_COUNTED)
               .annotate(person_pk=Subquery(registered)).order_by()
               .values_list("pk", "person_pk", "id_hash", "kind", "certificate_number",
                            "occupation_id", "level_id", "claim_date"))
    for pk, person, key, kind, cert, occ, lvl, day in history.iterator(chunk_size=10_000):
        yield (-pk, person, key, kind, None, f"no:{cert}" if cert else None, occ, lvl, day)


def payee_accounts_for_risk() -> QuerySet:
    """(person id, keyed hash of the bank account) of the claims paid to persons that
    count."""
    return (SubsidyClaim.objects.exclude(status__in=NOT_COUNTED)
            .filter(payee_kind=PayeeKind.PERSON, person__isnull=False).exclude(account_hash="")
            .order_by().values_list("person_id", "account_hash").distinct())

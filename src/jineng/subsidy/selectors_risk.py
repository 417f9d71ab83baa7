"""Set-based, unscoped reads of subsidy claims and imported history for the supervision risk
scan (issue 13): the limits and shared bases of R14, the repeat training of R12 and the payee
accounts of the ring rule R08. Streamed by the caller; only keyed hashes leave, never an
account number or an ID number."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from jineng.registry.models import Person
from jineng.subsidy.choices import ClaimStatus, PayeeKind
from jineng.subsidy.models import HistoricSubsidy, SubsidyClaim

# Claims that never counted: not filed, withdrawn, refused, or paid back.
NOT_COUNTED = (ClaimStatus.DRAFT, ClaimStatus.WITHDRAWN, ClaimStatus.REFUSED,
               ClaimStatus.RECOVERED)

ClaimRow = tuple[int, int | None, str, str, int | None, str | None, int | None, int | None,
                 dt.date]


def claim_querysets_for_risk() -> tuple[QuerySet, QuerySet]:
    """The two querysets behind `claims_for_risk`, as values_list rows of its columns (the
    risk scan's snapshot compiles them into one COPY each on PostgreSQL)."""
    cert_key = Case(When(certificate_id__isnull=False,
                         then=Concat(Value("id:"), Cast("certificate_id", CharField()))),
                    default=None, output_field=CharField())
    claims = (SubsidyClaim.objects.exclude(status__in=NOT_COUNTED)
              .filter(person__isnull=False).annotate(cert_key=cert_key).order_by()
              .values_list("pk", "person_id", "person__id_hash", "kind", "training_class_id",
                           "cert_key", "occupation_id", "level_id", "claim_date"))
    registered = Person.objects.filter(id_hash=OuterRef("id_hash")).values("pk")[:1]
    history = (HistoricSubsidy.objects.exclude(status__in=NOT_COUNTED)
               .annotate(neg_pk=ExpressionWrapper(-F("pk"), output_field=BigIntegerField()),
                         person_pk=Subquery(registered),
                         no_class=Value(None, output_field=BigIntegerField()),
                         cert_key=Case(When(certificate_number__gt="",
                                            then=Concat(Value("no:"), "certificate_number")),
                                       default=None, output_field=CharField()))
               .order_by()
               .values_list("neg_pk", "person_pk", "id_hash", "kind", "no_class", "cert_key",
                            "occupation_id", "level_id", "claim_date"))
    return claims, history


def claims_for_risk() -> Iterator[ClaimRow]:
    """(claim id, person id, person key, kind, class id, certificate key, occupation id,
    level id, claim date) of every claim that counts — claims here with positive ids, subsidies
    imported from the previous system with the negated id of their row. The person key is the
    keyed ID hash (the imported person is matched to a registered one by it); the certificate
    key is `id:<certificate id>` here, `no:<certificate number>` in the history (the two are
    not matched to each other)."""
    for qs in claim_querysets_for_risk():
        yield from qs.iterator(chunk_size=10_000)


def payee_accounts_for_risk() -> QuerySet:
    """(person id, keyed hash of the bank account) of the claims paid to persons that
    count."""
    return (SubsidyClaim.objects.exclude(status__in=NOT_COUNTED)
            .filter(payee_kind=PayeeKind.PERSON, person__isnull=False).exclude(account_hash="")
            .order_by().values_list("person_id", "account_hash").distinct())

"""Reads of filed claims and attachments: a claim's attachments for those who see the claim
(HRSS staff of its region, the claimant organization; the worker their own claims after the
identity check). Out of scope answers like missing."""

from __future__ import annotations

from django.db.models import QuerySet

from jineng.core.errors import NotFound
from jineng.subsidy.models import ClaimAttachment, SubsidyClaim

__all__ = ["attachment_get", "attachment_list", "claim_evidence", "own_claim_get", "own_claims"]


def claim_evidence(claim: SubsidyClaim) -> dict | None:
    """What a living allowance's or an employment uplift's facts were read from when it was
    filed (the creation's history note: days attended; outcomes run, counts, the class's
    training subsidies), for the claim's page and the filing's answer. The caller has the
    claim in scope."""
    from jineng.subsidy.models import ClaimStatusChange

    if claim.kind not in ("living_allowance", "employment_uplift"):
        return None
    entry = (ClaimStatusChange.objects.filter(claim=claim, action="create")
             .order_by("pk").first())
    return ((entry.note or {}).get("evidence") if entry is not None else None) or None


def _claim(actor, claim_id: int, verified_person_id: int | None) -> SubsidyClaim:
    if verified_person_id is not None:
        found = own_claims(verified_person_id).filter(pk=claim_id).first()
    else:
        found = SubsidyClaim.objects.visible_to(actor).filter(pk=claim_id).first()
    if found is None:
        raise NotFound()
    return found


def attachment_list(*, actor, claim_id: int, verified_person_id: int | None = None
                    ) -> QuerySet[ClaimAttachment]:
    claim = _claim(actor, claim_id, verified_person_id)
    return ClaimAttachment.objects.filter(claim=claim).order_by("uploaded_at", "id")


def attachment_get(*, actor, claim_id: int, attachment_id: int,
                   verified_person_id: int | None = None) -> ClaimAttachment:
    found = attachment_list(actor=actor, claim_id=claim_id,
                            verified_person_id=verified_person_id) \
        .filter(pk=attachment_id).first()
    if found is None:
        raise NotFound()
    return found


def own_claims(verified_person_id: int) -> QuerySet[SubsidyClaim]:
    """The claims paid to the person (the worker's own, after the identity check)."""
    return (SubsidyClaim.objects.filter(person_id=verified_person_id,
                                        organization__isnull=True)
            .select_related("region", "occupation", "level").order_by("-created_at", "-id"))


def own_claim_get(verified_person_id: int, claim_id: int) -> SubsidyClaim:
    found = own_claims(verified_person_id).filter(pk=claim_id).first()
    if found is None:
        raise NotFound()
    return found

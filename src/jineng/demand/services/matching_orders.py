"""Order classes (订单班) from enterprises' demand lines: listed institutions near the
enterprise are proposed (each with its reasons), the enterprise and the institution each agree
or decline, and once both agreed the institution declares the class through the training app
(order form "order", the enterprise as employer). Zhejiang 二(一); Lianyungang 三(二)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.accounts.models import Role
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.demand.choices import ProposalStatus
from jineng.demand.models import DemandLine, OrderClassProposal
from jineng.demand.rules import matching as rules
from jineng.demand.selectors import matching as selectors
from jineng.registry.models import SkillLevel, TrainingSite
from jineng.training import services as training_services
from jineng.training.choices import OrderForm

__all__ = ["OrderClassInput", "order_class_propose", "order_proposal_answer",
           "order_proposal_declare", "proposal_party"]

PROPOSALS_PER_LINE = 3
REASON_MAX = 500


def proposal_party(actor, proposal: OrderClassProposal) -> str | None:
    """ENTERPRISE for the line's enterprise, INSTITUTION for the proposed institution's
    operators, None for anyone else."""
    org = getattr(actor, "organization_id", None)
    role = getattr(actor, "role", "")
    if role == Role.ENTERPRISE and org == proposal.demand_line.demand_list.organization_id:
        return rules.ENTERPRISE
    if role == Role.TRAINING_OPERATOR and org == proposal.institution_id:
        return rules.INSTITUTION
    return None


def _may_propose(actor, line: DemandLine) -> bool:
    scope = scope_of(actor)
    if getattr(actor, "is_hrss_staff", False) and (scope.everything or scope.sees_persons):
        return True
    return (getattr(actor, "role", "") == Role.ENTERPRISE
            and getattr(actor, "organization_id", None) == line.demand_list.organization_id)


def order_class_propose(*, actor, demand_line: DemandLine, today: dt.date | None = None,
                        ) -> list[OrderClassProposal]:
    """Propose order classes for a demand line that would take one: up to PROPOSALS_PER_LINE
    listed institutions near the enterprise (selectors.institution_candidates), each stored
    with its reasons; an institution proposed before is not proposed again. HRSS staff of the
    line's region or the enterprise itself ask."""
    line = selectors.demand_line_get(actor=actor, pk=demand_line.pk)
    if not _may_propose(actor, line):
        raise Forbidden(_("Only HRSS staff or the enterprise propose order classes."))
    today = today or timezone.localdate()
    if not line.order_class_wanted:
        raise DomainError(_("The enterprise did not ask for an order class on this line."),
                          field="order_class_wanted", code="no_order_class")
    if not selectors.line_is_open(line, today):
        raise DomainError(_("This demand is not open (its list is not accepted, it is filled "
                            "or its date has passed)."), field="demand_line",
                          code="demand_closed")
    candidates = selectors.institution_candidates(line, today=today)
    with transaction.atomic():
        DemandLine.objects.select_for_update().filter(pk=line.pk).first()
        taken = set(OrderClassProposal.objects.filter(demand_line=line)
                    .values_list("institution_id", flat=True))
        fresh = [c for c in candidates if c.organization.pk not in taken][:PROPOSALS_PER_LINE]
        if not fresh:
            raise DomainError(
                _("No other training institution listed for %(occ)s has a site within "
                  "%(km)s km of the enterprise.")
                % {"occ": line.occupation.name, "km": rules.ORDER_CLASS_MAX_KM},
                field="demand_line", code="no_institution")
        created = []
        for c in fresh:
            proposal = OrderClassProposal.objects.create(
                demand_line=line, institution=c.organization,
                distance_km=Decimal(str(c.verdict.distance_km)), reasons=c.verdict.reasons,
                planned_size=max(line.headcount - line.filled, 1))
            audit.record(actor=actor, action=AuditAction.CREATE, instance=proposal,
                         region_code=line.demand_list.region.code,
                         after={"demand_line": line.pk, "institution": c.organization.pk,
                                "score": c.verdict.score, "reasons": c.verdict.reasons})
            created.append(proposal)
    return created


def _locked(proposal: OrderClassProposal) -> OrderClassProposal:
    return (OrderClassProposal.objects.select_for_update(of=("self",))
            .select_related("demand_line__demand_list__organization",
                            "demand_line__demand_list__region", "demand_line__occupation",
                            "demand_line__level", "institution")
            .get(pk=proposal.pk))


def order_proposal_answer(*, actor, proposal: OrderClassProposal, agree: bool,
                          reason: str = "") -> OrderClassProposal:
    """The enterprise or the institution agrees to (or declines) an order-class proposal.
    Both agreeing makes it agreed; either declining ends it. Under a lock on the proposal, so
    two answers at once are both counted."""
    proposal = selectors.order_proposal_get(actor=actor, pk=proposal.pk)
    if proposal_party(actor, proposal) is None:
        raise Forbidden(_("Only the enterprise and the institution answer a proposal."))
    if not isinstance(agree, bool):
        raise DomainError(_("Say yes or no."), field="agree")
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise DomainError(_("The reason has at most %(n)s characters.") % {"n": REASON_MAX},
                          field="reason")
    if not agree and not reason:
        raise DomainError(_("Give the reason for declining."), field="reason")
    with transaction.atomic():
        p = _locked(proposal)
        party = proposal_party(actor, p)
        try:
            status, ent, inst = rules.proposal_after_answer(
                p.status, enterprise_agreed=p.enterprise_agreed_at is not None,
                institution_agreed=p.institution_agreed_at is not None, party=party,
                agree=agree)
        except ValueError as error:
            if str(error) == "answered":
                raise Conflict(_("You have already agreed to this proposal."),
                               field="agree", code="already_answered") from None
            raise DomainError(_("This proposal is %(status)s: it takes no more answers.")
                              % {"status": p.get_status_display()}, field="status",
                              code="proposal_closed") from None
        before = audit.snapshot(p)
        now = timezone.now()
        if ent and p.enterprise_agreed_at is None:
            p.enterprise_agreed_at = now
        if inst and p.institution_agreed_at is None:
            p.institution_agreed_at = now
        p.status = status
        p.save(update_fields=["status", "enterprise_agreed_at", "institution_agreed_at"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=p,
                     region_code=p.demand_line.demand_list.region.code, before=before,
                     after={**audit.snapshot(p), "party": party, "agree": agree},
                     reason=reason)
    return p


@dataclass(frozen=True)
class OrderClassInput:
    """What the institution adds to an agreed proposal to declare its class; the occupation,
    the employer and the order form come from the proposal, the level from the demand line
    unless given."""

    name: str
    site: TrainingSite
    training_type: str
    sector: str
    funding_source: str
    sessions: tuple[training_services.SessionInput, ...]
    planned_size: int | None = None
    level: SkillLevel | None = None
    teachers: tuple = ()
    online_share: Decimal = Decimal(0)
    target_group: str = ""
    late_reason: str = ""
    extra: dict = field(default_factory=dict)


def order_proposal_declare(*, actor, proposal: OrderClassProposal,
                           data: OrderClassInput) -> OrderClassProposal:
    """The institution declares the agreed order class (training's class_declare_once, under
    the reference "order-proposal-<id>", order form 订单班, the enterprise as employer) and
    the proposal links it (status declared). The proposal is locked first: two declarations at
    once make one class; the second is refused."""
    proposal = selectors.order_proposal_get(actor=actor, pk=proposal.pk)
    if proposal_party(actor, proposal) != rules.INSTITUTION:
        raise Forbidden(_("Only the proposed institution declares the order class."))
    with transaction.atomic():
        p = _locked(proposal)
        if p.training_class_id is not None or p.status == ProposalStatus.DECLARED:
            raise Conflict(_("The order class of this proposal is already declared."),
                           field="status", code="already_declared")
        if p.status != ProposalStatus.AGREED:
            raise DomainError(_("Both the enterprise and the institution must agree before "
                                "the class is declared."), field="status", code="not_agreed")
        line = p.demand_line
        level = data.level or line.level
        if level is None:
            raise DomainError(_("Choose the level of the class."), field="level")
        size = data.planned_size if data.planned_size is not None else p.planned_size
        cls, _created = training_services.class_declare_once(
            actor=actor, data=training_services.ClassInput(
                name=data.name, site=data.site, occupation=line.occupation, level=level,
                training_type=data.training_type, sector=data.sector,
                planned_size=size or 0, funding_source=data.funding_source,
                sessions=tuple(data.sessions), teachers=tuple(data.teachers),
                target_group=data.target_group, order_form=OrderForm.ORDER,
                employer=line.demand_list.organization, online_share=data.online_share,
                client_ref=f"order-proposal-{p.pk}", late_reason=data.late_reason))
        before = audit.snapshot(p)
        p.training_class = cls
        p.status = ProposalStatus.DECLARED
        p.save(update_fields=["training_class", "status"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=p,
                     region_code=line.demand_list.region.code, before=before,
                     after={**audit.snapshot(p), "training_class": cls.pk})
    return p

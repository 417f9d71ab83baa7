"""Packs → plans: loading a checked policy pack as a plan, and its checklist."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError
from jineng.core.models import AuditAction
from jineng.plans import actuals
from jineng.plans.choices import (
    ChecklistStatus,
)
from jineng.plans.models import (
    ActualFact,
    ChecklistItem,
    Plan,
    Target,
)
from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.packs import CheckResult, PackIssue, check_pack
from jineng.plans.services.access import ensure_governs, ensure_staff_of
from jineng.plans.services.facts import rollup_rebuild
from jineng.registry.models import Region

# --- messages built from rule codes ----------------------------------------------------------


def issue_message(issue: PackIssue) -> str:
    """A pack issue in the reader's language (templates are msgids of i18n/plans.po)."""
    from jineng.plans.rules.packs import MESSAGES

    text = _(MESSAGES[issue.code]).format(**issue.params)
    return _("line %(line)s: %(message)s") % {"line": issue.line, "message": text} \
        if issue.line else text


class PackInvalid(DomainError):
    """A pack was refused; `issues` holds every problem with its line."""

    def __init__(self, result: CheckResult) -> None:
        self.issues = result.issues
        first = issue_message(result.issues[0]) if result.issues else ""
        super().__init__(
            _("The pack has %(count)s problem(s); the first: %(first)s")
            % {"count": len(result.issues), "first": first}, field="pack", code="invalid_pack")


# --- packs → plans ---------------------------------------------------------------------------

def plan_load_pack(*, actor, text: str, key: str = "", region: Region | None = None,
                   short_title: str = "", is_demo: bool = False) -> Plan:
    """Load a checked pack as a plan (staff governing the plan's region). Sending the same pack
    again returns the plan already loaded; a different pack under the same key is refused.
    `region` (with `key` and `short_title`) re-targets a pack, as the demo does."""
    result = check_pack(text)
    if not result.ok:
        raise PackInvalid(result)
    home = region or Region.objects.filter(code=result.pack.region).first()
    if home is None:
        raise DomainError(_("Unknown region %(code)s.") % {"code": result.pack.region},
                          field="region")
    ensure_governs(actor, home)
    return _create_plan(actor=actor, text=text, result=result, home=home, key=key,
                        short_title=short_title, is_demo=is_demo)


def _create_plan(*, actor, text: str, result: CheckResult, home: Region, key: str,
                 short_title: str, is_demo: bool) -> Plan:
    pack = result.pack
    assert pack is not None
    if home.code != pack.region and any(t.region for t in pack.targets):
        raise DomainError(_("This pack names regions of its own and cannot be moved."),
                          field="region")
    key = key or pack.key
    digest = hashlib.sha256(text.encode()).hexdigest()
    with transaction.atomic():
        existing = Plan.objects.select_for_update().filter(key=key).first()
        if existing is not None:
            if existing.pack_sha256 == digest and existing.region_id == home.pk:
                return existing
            raise Conflict(_("A plan with the key %(key)s is already loaded from a different "
                             "pack.") % {"key": key})
        plan = Plan.objects.create(
            key=key, pack_key=pack.key, title=pack.title,
            short_title=short_title or pack.short_title, issuer=pack.issuer,
            document_number=pack.document_number, issued_on=pack.issued_on,
            source=pack.source, status_note=pack.status_note,
            decomposition_note=pack.decomposition_note, region=home,
            period_start=pack.period_start, period_end=pack.period_end,
            programs={p.key: {"name": p.name, "parent": p.parent, "clause": p.clause}
                      for p in pack.programs},
            reporting_frequency=pack.reporting_frequency, pack_text=text,
            pack_sha256=digest, is_demo=is_demo,
            loaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        regions = {r.code: r for r in Region.objects.filter(
            code__in=[t.region for t in pack.targets if t.region])}
        Target.objects.bulk_create([
            Target(plan=plan, key=t.key, position=i, title=t.title, metric=t.metric,
                   kind=t.kind, value=t.value, comparator=t.comparator,
                   period_start=t.period_start, period_end=t.period_end,
                   region=regions.get(t.region), each=t.each, sector=t.sector,
                   key_group=t.key_group, training_type=t.training_type, program=t.program,
                   carrier=t.carrier, part_of=t.part_of, of_which=t.of_which, parts=t.parts,
                   clause=t.clause, quote=t.quote, departments=list(t.departments),
                   brands=list(t.brands), note=t.note, line=t.line)
            for i, t in enumerate(pack.targets)])
        ChecklistItem.objects.bulk_create([
            ChecklistItem(plan=plan, key=c.key, position=i, title=c.title, clause=c.clause,
                          quote=c.quote, value=c.value, unit=c.unit,
                          departments=list(c.departments), brands=list(c.brands), note=c.note)
            for i, c in enumerate(pack.checklist)])
        audit.record(actor=actor, action=AuditAction.CREATE, instance=plan,
                     after={"pack": pack.key, "sha256": digest, "targets": len(pack.targets),
                            "checklist": len(pack.checklist)})
        _rollup_new_cuts(plan)
    return plan


def _rollup_new_cuts(plan: Plan) -> None:
    """A plan whose targets combine cuts (e.g. a program and a training type) gets those
    combinations into the rollup for its period, from the facts already recorded."""
    mine = {}
    for target in plan.targets.all():
        cuts = actuals.query_for_target(plan, target, "", target.period_start,
                                        target.period_end).cuts
        if len(cuts) > 1 and v.METRICS[target.metric].source == "facts":
            mine[actuals.cut_key(cuts)] = cuts
    first = ActualFact.objects.order_by("day").values_list("day", flat=True).first()
    if mine and first is not None:
        last = ActualFact.objects.order_by("-day").values_list("day", flat=True).first()
        rollup_rebuild(start=max(first, plan.period_start),
                       end=min(last, plan.period_end or last), only_cuts=mine)


def checklist_item_update(*, actor, item: ChecklistItem, status: str,
                          note: str = "") -> ChecklistItem:
    if status not in ChecklistStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    ensure_staff_of(actor, item.plan.region)
    with transaction.atomic():
        before = audit.snapshot(item)
        item.status = status
        item.status_note = note
        item.save(update_fields=["status", "status_note", "updated_at"])
        b, a = audit.changed(before, audit.snapshot(item))
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=item, before=b, after=a)
    return item



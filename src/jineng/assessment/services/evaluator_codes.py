"""Recording an evaluator's certificate codes (EvaluatorCode): the letter, where it is filed and
the codes the Ministry and the province assigned (人社鉴发〔2019〕2号; rules.evaluator_codes).
Skill-level certificate numbers are made from them (services.issuance).

Only province HRSS staff (of the evaluator's province) or a system administrator set them: the
province assigns the 6-digit code. The 6-digit code is unique in the province: the check and the
write happen with the province's region row locked (select_for_update), so two staff giving the
same code at once cannot both succeed. One transaction, audited; a refused call changes
nothing."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jineng.assessment.choices import EvaluatorFiledWith
from jineng.assessment.models import EvaluatorCode
from jineng.assessment.rules import evaluator_codes as rules
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.registry import selectors as registry_selectors
from jineng.registry.models import Organization, Region

__all__ = ["evaluator_code_set", "may_set_evaluator_codes"]

PROVINCE_STAFF = "province_staff"
MESSAGES = {
    ("letter", "invalid"): lambda: _("The letter is Y (an employer) or S (a social evaluation "
                                     "body)."),
    ("letter", "letter_mismatch"): lambda: _("The letter is Y for an enterprise assessing its "
                                             "own workers and S for an evaluation or training "
                                             "institution."),
    ("filed_with", "invalid"): lambda: _("Filed with the Ministry or with the province."),
    ("ministry_code", "required"): lambda: _("An evaluator filed with the Ministry has the "
                                             "4-digit code the Ministry assigned."),
    ("ministry_code", "invalid"): lambda: _("The Ministry's code is 4 digits, 0001 to 9999."),
    ("ministry_code", "not_for_province"): lambda: _("An evaluator filed with the province has "
                                                     "no Ministry code."),
    ("site_code", "invalid"): lambda: _("The province-assigned code is 6 digits, 000001 to "
                                        "999999."),
}


def may_set_evaluator_codes(actor) -> bool:
    scope = scope_of(actor)
    return scope.everything or (getattr(actor, "role", "") == PROVINCE_STAFF
                                and scope.region_prefix is not None)


def evaluator_code_set(*, actor, organization: Organization | int, letter: str,
                       filed_with: str, ministry_code: str = "",
                       site_code: str) -> EvaluatorCode:
    """Record (or correct) the codes of an evaluator the actor may see; returns the row."""
    org = registry_selectors.organization_get(actor=actor,
                                              pk=getattr(organization, "pk", organization))
    # An evaluator outside the actor's region (or, for an organization's user, another
    # organization) answers like a missing one; in scope, only province staff may write.
    scope = scope_of(actor)
    if not (scope.everything or scope.organization_id == org.pk
            or (scope.region_prefix is not None
                and org.region.code.startswith(scope.region_prefix))):
        raise NotFound()
    if not may_set_evaluator_codes(actor):
        raise Forbidden(_("Only the province HRSS office records evaluator codes."))
    letter, filed_with = (letter or "").strip().upper(), (filed_with or "").strip()
    ministry_code, site_code = (ministry_code or "").strip(), (site_code or "").strip()
    found = rules.problems(organization_kind=org.kind, letter=letter, filed_with=filed_with,
                           ministry_code=ministry_code, site_code=site_code)
    if found:
        fld, code = found[0]
        raise DomainError(str(MESSAGES[(fld, code)]()), field=fld, code=code)
    province = org.region.code[:2]
    with transaction.atomic():
        # The province's row is the lock every code of the province is checked under.
        Region.objects.select_for_update().filter(code=f"{province}0000").first()
        clash = (EvaluatorCode.objects.select_for_update()
                 .filter(site_code=site_code, organization__region__code__startswith=province)
                 .exclude(organization=org).select_related("organization").first())
        if clash is not None:
            raise Conflict(_("The code %(code)s is already assigned to %(other)s in this "
                             "province.") % {"code": site_code,
                                             "other": clash.organization.name},
                           field="site_code", code="site_code_taken")
        row = EvaluatorCode.objects.select_for_update().filter(organization=org).first()
        before = audit.snapshot(row) if row is not None else None
        values = {"letter": letter, "filed_with": EvaluatorFiledWith(filed_with),
                  "ministry_code": ministry_code if filed_with == rules.MINISTRY else "",
                  "site_code": site_code}
        if row is None:
            row = EvaluatorCode.objects.create(organization=org, **values)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                         after=audit.snapshot(row), region_code=org.region.code,
                         organization_id=org.pk)
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.save(update_fields=list(values))
            audit.record(actor=actor, action=AuditAction.UPDATE, instance=row, before=before,
                         after=audit.snapshot(row), region_code=org.region.code,
                         organization_id=org.pk)
    return row

"""What issuing certificates adds to the plans' progress (the fact contract of `docs/plans.md`).

Called by `services.certificates_issue_for_sitting` inside the issuing transaction, with the
certificates just issued (saved, numbered, signed):

- `certificates`: one fact per vocational skill-level certificate (职业技能等级证书) issued here.
  Special-ability, training and entrepreneurship certificates are not skill-level certificates
  and add nothing; a 一试双证 sitting adds its skill-level certificate once.
- `new_skilled_workers`: a person's first skill certificate — no other skill-level or
  vocational qualification certificate of the person is known (issued here, recorded from
  another province, the national platform or a previous system; revoked ones do not count).
  Counted once per person (`source_ref` names the person).
- `new_high_skilled`: a person's first certificate at 高级工 or above (the registry's
  `is_high_skilled`), once per person.
- `new_technicians`: each certificate at 技师 or 高级技师; `new_top_technicians`: each at
  特级技师 or 首席技师 (a 首席技师 is appointed without a numbered certificate: one fact per
  candidate appointed).
- `level_ups`: each certificate above the highest level the person held before (a person's first
  certificate is not a level-up: there was no level to rise from).
- `self_evaluations`: one per candidate assessed (a result, not absent) by enterprise
  self-evaluation (企业自主评价: the sitting's route, or the candidate's), passed or not.

Every fact is dated the day of issue (Asia/Shanghai); its region is the sitting's (a county or
below, else nothing is counted, as for training), its organization the evaluator, its sector
and key group the class's when the sitting assessed a class. `source_ref` names the certificate
(or person, or candidate), so a replay counts once. The facts are written with
`plans.actual_facts_add_many` (set-based inserts, one audit event), which a 10,000-candidate
sitting needs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from jineng.assessment.choices import (
    AssessmentRoute,
    CertificateKind,
    CertificateStatus,
)
from jineng.assessment.models import AssessmentSitting, Candidate, Certificate
from jineng.plans import services as plans
from jineng.plans.choices import FACT_KEY_GROUPS, FACT_SECTORS
from jineng.registry.models import SkillLevel

logger = logging.getLogger(__name__)

SOURCE = "assessment"

# Kinds that are a person's skill certificate (a level): issued here or recorded.
LEVEL_KINDS = (CertificateKind.SKILL_LEVEL, CertificateKind.QUALIFICATION)
TECHNICIAN_LEVELS = frozenset({"grade2", "grade1"})  # 技师, 高级技师
TOP_LEVELS = frozenset({"principal", "chief"})  # 特级技师, 首席技师

CERTIFICATE_REF = "assessment.certificate:"
NEW_SKILLED_REF = "assessment.new_skilled:"
NEW_HIGH_SKILLED_REF = "assessment.new_high_skilled:"
TECHNICIAN_REF = "assessment.technician:"
TOP_TECHNICIAN_REF = "assessment.top_technician:"
LEVEL_UP_REF = "assessment.level_up:"
SELF_EVALUATION_REF = "assessment.self_evaluation:"
TOP_APPOINTMENT_REF = "assessment.top_appointment:"

CHUNK = 2000


def fact_region_code(code: str) -> str:
    """A region code if facts can be recorded there (a county or below), else ""."""
    return "" if len(code) < 6 or code[:6].endswith("00") else code


def _earlier_levels(person_ids: Sequence[int], exclude: set[int]) -> dict[int, list[int]]:
    """The ranks of every other valid level-bearing certificate of each person (rank -1 for a
    certificate without a known level), by person."""
    out: dict[int, list[int]] = {}
    for start in range(0, len(person_ids), CHUNK):
        rows = (Certificate.objects
                .filter(person_id__in=person_ids[start:start + CHUNK], kind__in=LEVEL_KINDS,
                        status=CertificateStatus.VALID)
                .values_list("pk", "person_id", "level__rank"))
        for pk, person_id, rank in rows:
            if pk not in exclude:
                out.setdefault(person_id, []).append(-1 if rank is None else rank)
    return out


def issued_facts(sitting: AssessmentSitting, certificates: Iterable[Certificate],
                 *, sector: str = "", key_group: str = "") -> list[plans.FactInput]:
    """The facts of certificates just issued for a sitting (pure of writes: reads the
    persons' other certificates)."""
    region_code = fact_region_code(sitting.region.code)
    if not region_code:
        logger.warning("sitting %s at region %s (above a county): its certificates are not "
                       "counted in the plans' progress", sitting.pk, sitting.region.code)
        return []
    sector = sector if sector in FACT_SECTORS else ""
    key_group = key_group if key_group in FACT_KEY_GROUPS else ""
    skill = [c for c in certificates if c.kind == CertificateKind.SKILL_LEVEL]
    levels = {lv.pk: lv for lv in SkillLevel.objects.all()}
    high_ranks = {lv.rank for lv in levels.values() if lv.is_high_skilled}
    earlier = _earlier_levels(sorted({c.person_id for c in skill}), {c.pk for c in skill})

    def fact(metric: str, ref: str, day) -> plans.FactInput:
        return plans.FactInput(metric=metric, day=day, region_code=region_code, value=1,
                               organization_id=sitting.evaluator_id, sector=sector,
                               key_group=key_group, source_ref=ref)

    out: list[plans.FactInput] = []
    for c in skill:
        day = c.issued_on
        out.append(fact("certificates", f"{CERTIFICATE_REF}{c.pk}", day))
        level = levels.get(c.level_id)
        before = earlier.get(c.person_id, [])
        if not before:
            out.append(fact("new_skilled_workers", f"{NEW_SKILLED_REF}{c.person_id}", day))
        if level is None:
            continue
        high_before = any(r in high_ranks for r in before)
        if level.is_high_skilled and not high_before:
            out.append(fact("new_high_skilled", f"{NEW_HIGH_SKILLED_REF}{c.person_id}", day))
        if level.code in TECHNICIAN_LEVELS:
            out.append(fact("new_technicians", f"{TECHNICIAN_REF}{c.pk}", day))
        if level.code in TOP_LEVELS:
            out.append(fact("new_top_technicians", f"{TOP_TECHNICIAN_REF}{c.pk}", day))
        if before and level.rank > max(before):
            out.append(fact("level_ups", f"{LEVEL_UP_REF}{c.pk}", day))
    return out


def self_evaluation_facts(sitting: AssessmentSitting, day, *, sector: str = "",
                          key_group: str = "") -> list[plans.FactInput]:
    """One fact per candidate assessed (passed or not) by enterprise self-evaluation: every
    candidate of a sitting of that route, or a candidate admitted by it."""
    region_code = fact_region_code(sitting.region.code)
    if not region_code:
        return []
    sector = sector if sector in FACT_SECTORS else ""
    key_group = key_group if key_group in FACT_KEY_GROUPS else ""
    assessed = Candidate.objects.filter(sitting=sitting, absent=False, passed__isnull=False)
    if sitting.route != AssessmentRoute.SELF_EVALUATION:
        assessed = assessed.filter(route=AssessmentRoute.SELF_EVALUATION)
    assessed = assessed.order_by("pk").values_list("pk", flat=True)
    return [plans.FactInput(metric="self_evaluations", day=day, region_code=region_code,
                            value=1, organization_id=sitting.evaluator_id, sector=sector,
                            key_group=key_group, source_ref=f"{SELF_EVALUATION_REF}{pk}")
            for pk in assessed.iterator(chunk_size=CHUNK)]


def appointment_facts(sitting: AssessmentSitting, appointed: Iterable[Candidate], day, *,
                      sector: str = "", key_group: str = "") -> list[plans.FactInput]:
    """`new_top_technicians`: one per 首席技师 appointed (recorded without a numbered
    certificate: services.issuance.appointment_only)."""
    region_code = fact_region_code(sitting.region.code)
    if not region_code:
        return []
    sector = sector if sector in FACT_SECTORS else ""
    key_group = key_group if key_group in FACT_KEY_GROUPS else ""
    return [plans.FactInput(metric="new_top_technicians", day=day, region_code=region_code,
                            value=1, organization_id=sitting.evaluator_id, sector=sector,
                            key_group=key_group, source_ref=f"{TOP_APPOINTMENT_REF}{c.pk}")
            for c in appointed]


def record_issued(*, actor, sitting: AssessmentSitting, certificates: list[Certificate],
                  day, sector: str = "", key_group: str = "",
                  appointed: Iterable[Candidate] = ()) -> int:
    """Write the facts of a sitting's issued certificates (or 首席技师 appointments) and of its
    self-evaluations, in the caller's transaction (idempotent by source_ref). Returns the facts
    offered."""
    facts = issued_facts(sitting, certificates, sector=sector, key_group=key_group)
    facts += appointment_facts(sitting, appointed, day, sector=sector, key_group=key_group)
    facts += self_evaluation_facts(sitting, day, sector=sector, key_group=key_group)
    if not facts:
        return 0
    return plans.actual_facts_add_many(actor=actor, source=SOURCE, facts=facts)

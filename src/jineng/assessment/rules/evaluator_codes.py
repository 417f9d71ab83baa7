"""An evaluator's certificate codes (人社鉴发〔2019〕2号《职业技能等级证书编码规则(试行)》): which
combinations are well formed. Pure (no Django); the answer is a list of (field, code) problems,
the first naming the field at fault.

- letter: Y for an employer (用人单位: an enterprise assessing its own workers), S for a social
  evaluation body (社会培训评价组织: an evaluation or training institution);
- filed_with ministry: the 4-digit code the Ministry assigned, 0001–9999; filed with a province:
  no ministry code (the number carries the fixed value, numbering.PROVINCE_FILED_EVALUATOR_CODE);
- site_code: the 6-digit code the province assigns, 000001–999999, unique in the province
  (checked by the service under a lock: it reads the database).
"""

from __future__ import annotations

import re

from jineng.assessment.rules.numbering import EMPLOYER, SOCIAL_BODY

MINISTRY = "ministry"
PROVINCE = "province"
FILED_WITH = (MINISTRY, PROVINCE)
ENTERPRISE_KIND = "enterprise"  # registry OrganizationKind of an employer

_FOUR = re.compile(r"[0-9]{4}")
_SIX = re.compile(r"[0-9]{6}")


def expected_letter(organization_kind: str) -> str:
    return EMPLOYER if organization_kind == ENTERPRISE_KIND else SOCIAL_BODY


def problems(*, organization_kind: str, letter: str, filed_with: str, ministry_code: str,
             site_code: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if letter not in (EMPLOYER, SOCIAL_BODY):
        out.append(("letter", "invalid"))
    elif letter != expected_letter(organization_kind):
        out.append(("letter", "letter_mismatch"))
    if filed_with not in FILED_WITH:
        out.append(("filed_with", "invalid"))
    elif filed_with == MINISTRY:
        if not ministry_code:
            out.append(("ministry_code", "required"))
        elif not _FOUR.fullmatch(ministry_code) or ministry_code == "0000":
            out.append(("ministry_code", "invalid"))
    elif ministry_code:
        out.append(("ministry_code", "not_for_province"))
    if not _SIX.fullmatch(site_code or "") or site_code == "000000":
        out.append(("site_code", "invalid"))
    return out

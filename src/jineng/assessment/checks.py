"""Start-up checks of the assessment app's configuration (Django's system check framework,
registered in apps.py): a malformed certificate number pattern is reported when the server or
any management command starts, not first when a certificate is issued.

`JINENG_CERTIFICATE_NUMBER_PATTERNS` (JSON from the environment, settings.py) is
{province code: {kind: pattern}}: a GB/T 2260 province code (two digits), a kind with a
per-province pattern (special_ability, training, entrepreneurship) and a pattern that
rules.numbering.compile_pattern accepts. Messages are for the administrator (English, like
Django's own checks)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from jineng.assessment.rules import numbering

SETTING = "JINENG_CERTIFICATE_NUMBER_PATTERNS"
HINT = ('Set it as JSON, e.g. {"52": {"special_ability": "ZX{province}{year4}{seq:6}"}}; '
        "placeholders: {province} {region} {year} {year4} {site:N} and exactly one {seq:N}; "
        "literal capitals, digits and '-'; at most "
        + str(numbering.MAX_PATTERN_LENGTH) + " characters in all.")


def _error(message: str, code: int) -> checks.Error:
    return checks.Error(message, hint=HINT, obj=SETTING, id=f"assessment.E{code:03d}")


def check_number_patterns(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    configured = getattr(settings, SETTING, {})
    if configured in (None, ""):
        return []
    if not isinstance(configured, dict):
        return [_error(f"{SETTING} must be an object {{province: {{kind: pattern}}}}, not "
                       f"{type(configured).__name__}.", 1)]
    errors = []
    for province, kinds in configured.items():
        where = f"{SETTING}[{province!r}]"
        if not isinstance(province, str) or province not in numbering.PROVINCE_CODES:
            errors.append(_error(f"{where}: {province!r} is not a two-digit GB/T 2260 "
                                 "province code.", 2))
        if not isinstance(kinds, dict):
            errors.append(_error(f"{where} must be an object {{kind: pattern}}.", 1))
            continue
        for kind, pattern in kinds.items():
            here = f"{where}[{kind!r}]"
            if kind not in numbering.PATTERN_KINDS:
                errors.append(_error(
                    f"{here}: unknown kind; patterns are configured for "
                    f"{', '.join(numbering.PATTERN_KINDS)}.", 3))
                continue
            if not isinstance(pattern, str):
                errors.append(_error(f"{here}: the pattern must be a string.", 4))
                continue
            compiled = numbering.compile_pattern(pattern)
            if isinstance(compiled, numbering.NumberProblem):
                errors.append(_error(f"{here}: the pattern {pattern!r} is malformed "
                                     f"({compiled.code}).", 4))
    return errors

"""What both file imports share: column value parsing, look-ups, reading and capping a file."""

from __future__ import annotations

import datetime as dt

from django.utils import translation
from django.utils.translation import gettext as _

from jineng.assessment.choices import (
    CertificateKind,
    CertificateOrigin,
)
from jineng.assessment.services.outside.records import (
    MAX_ROWS,
)
from jineng.core.errors import DomainError
from jineng.core.importing import RowInvalid
from jineng.core.tabular import Row, check_file_size
from jineng.registry import selectors as registry_selectors
from jineng.registry.models import Occupation, Person, SkillLevel

# --- files: shared -------------------------------------------------------------------------

# The names printed on certificates and used by other systems (whatever the catalog says).
KIND_NAMES = {
    "职业技能等级证书": CertificateKind.SKILL_LEVEL, "技能等级证书": CertificateKind.SKILL_LEVEL,
    "专项职业能力证书": CertificateKind.SPECIAL_ABILITY,
    "培训合格证书": CertificateKind.TRAINING, "培训证书": CertificateKind.TRAINING,
    "创业培训合格证书": CertificateKind.ENTREPRENEURSHIP,
    "特种作业操作证": CertificateKind.SPECIAL_OPERATION,
    "职业资格证书": CertificateKind.QUALIFICATION,
}
ORIGIN_NAMES = {
    "外省": CertificateOrigin.OTHER_PROVINCE, "外省颁发": CertificateOrigin.OTHER_PROVINCE,
    "全国平台": CertificateOrigin.NATIONAL, "国家平台": CertificateOrigin.NATIONAL,
    "其他部门": CertificateOrigin.OTHER_AUTHORITY, "原系统": CertificateOrigin.LEGACY,
}


def _choice(raw: str, choices, names: dict[str, str] | None = None) -> str:
    """A choice written as its code, its label (Chinese or English) or a name in `names`; an
    unknown value passes through to the checks, which name the field."""
    text = (raw or "").strip()
    if names and text in names:
        return str(names[text])
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for value, label in choices.choices:
                if text in (str(value), str(label)):
                    return str(value)
    return text


def _file_date(raw: str, name: str) -> dt.date | None:
    text = (raw or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    raise RowInvalid((name, _("Not a date (write it as 2024-07-01).")))


YES = {"是", "yes", "y", "true", "1", "已核验", "verified"}
NO = {"否", "no", "n", "false", "0", "未核验", "unverified", ""}


def _yes_no(raw: str, name: str) -> bool:
    text = (raw or "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise RowInvalid((name, _("Write 是 or 否.")))


class _Lookups:
    """Occupations, levels and persons a file names, looked up once each through the
    registry's selectors (a record the actor may not see is unknown)."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self.occupations: dict[str, Occupation | None] = {}
        self.levels = list(registry_selectors.skill_level_list(actor=actor))
        self.persons: dict[str, Person] = {}

    def occupation(self, raw: str, name: str = "occupation") -> Occupation | None:
        text = (raw or "").strip()
        if not text:
            return None
        if text not in self.occupations:
            qs = registry_selectors.occupation_list(actor=self.actor).filter(
                rank__in=("occupation", "work_type"))
            self.occupations[text] = (qs.filter(code=text).first()
                                      or qs.filter(name=text).order_by("pk").first())
        found = self.occupations[text]
        if found is None:
            raise RowInvalid((name, _("Unknown occupation or work type “%(value)s”.")
                              % {"value": text}))
        return found

    def level(self, raw: str, name: str = "level") -> SkillLevel | None:
        text = (raw or "").strip()
        if not text:
            return None
        for level in self.levels:
            if text in (level.code, level.name, level.national_grade, str(level)):
                return level
        raise RowInvalid((name, _("Unknown skill level “%(value)s”.") % {"value": text}))

    def load_persons(self, numbers: list[str]) -> None:
        """The registered persons of these (whole, 18-character) ID numbers, in one query."""
        from jineng.core import pii

        by_hash = {pii.keyed_hash(n): n for n in numbers}
        for chunk in [list(by_hash)[i:i + 1000] for i in range(0, len(by_hash), 1000)]:
            for person in registry_selectors.person_list(actor=self.actor).filter(
                    id_hash__in=chunk).select_related("region"):
                self.persons[by_hash[person.id_hash]] = person


def _whole_numbers(rows: list[Row], column: str) -> list[str]:
    found = []
    for row in rows:
        number = registry_selectors.whole_id_number((row.values.get(column) or "").strip())
        if number:
            found.append(number)
    return found


def _read(file) -> tuple[bytes, str]:
    """The file's bytes, its size checked before a byte is read."""
    if file is None:
        raise DomainError(_("Choose a file to upload."), field="file", code="required")
    check_file_size(getattr(file, "size", None))
    if hasattr(file, "seek"):
        file.seek(0)  # a file read before (a retried call) is read whole
    data = file.read()
    check_file_size(len(data))
    return data, getattr(file, "name", "") or "upload.csv"


def _cap(rows: list[Row], context: dict) -> None:
    if len(rows) > MAX_ROWS:
        raise DomainError(_("At most %(n)s rows per file; split it into several files.")
                          % {"n": MAX_ROWS}, field="file", code="too_many_rows")

"""Values typed in a sheet: the policies' terms for organization kinds, institution types and key
groups, choices, dates, decimals and whole numbers read from cells (a bad cell is a row error
naming the field), and the row error of a record already registered with other values."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import nullcontext
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.translation import gettext as _

from jineng.core.importing import RowInvalid
from jineng.registry.choices import InstitutionType, KeyGroup, OrganizationKind

# Domain terms as the policies write them, accepted besides the codes and the (translated)
# labels of the choices.
ORGANIZATION_KIND_TERMS = {
    "培训机构": OrganizationKind.TRAINING,
    "职业技能培训机构": OrganizationKind.TRAINING,
    "评价机构": OrganizationKind.EVALUATION,
    "技能评价机构": OrganizationKind.EVALUATION,
    "职业技能等级认定机构": OrganizationKind.EVALUATION,
    "企业": OrganizationKind.ENTERPRISE,
}
INSTITUTION_TYPE_TERMS = {
    "技工院校": InstitutionType.TECHNICIAN_COLLEGE,
    "技工学校": InstitutionType.TECHNICIAN_COLLEGE,
    "职业院校": InstitutionType.VOCATIONAL_SCHOOL,
    "民办培训机构": InstitutionType.PRIVATE_TRAINING,
    "民办职业培训机构": InstitutionType.PRIVATE_TRAINING,
    "企业培训中心": InstitutionType.ENTERPRISE_CENTER,
    "公共实训基地": InstitutionType.PUBLIC_BASE,
}
KEY_GROUP_TERMS = {
    "高校毕业生": KeyGroup.GRADUATE,
    "农民工": KeyGroup.MIGRANT_WORKER,
    "失业人员": KeyGroup.UNEMPLOYED,
    "就业困难人员": KeyGroup.HARD_TO_EMPLOY,
    "退役军人": KeyGroup.VETERAN,
    "残疾人": KeyGroup.DISABLED,
    "防止返贫监测对象": KeyGroup.POVERTY_MONITORED,
    "易地搬迁人员": KeyGroup.RELOCATED,
    "易地扶贫搬迁人员": KeyGroup.RELOCATED,
    "留守妇女": KeyGroup.LEFT_BEHIND_WOMAN,
    "企业职工": KeyGroup.ENTERPRISE_EMPLOYEE,
}
LIST_SEPARATORS = re.compile(r"[;；,，、|\s]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")


def choice_lookup(choices, terms: dict[str, str]) -> dict[str, str]:
    """Every way a choice may be written → its value: the value, its label in English, in
    Chinese and in the current language, and the policy terms."""
    lookup = {str(v).lower(): str(v) for v in choices.values}
    for language in ("en", "zh-hans", None):
        with translation.override(language) if language else nullcontext():
            lookup.update({str(label).strip().lower(): str(v) for v, label in choices.choices})
    lookup.update({k.lower(): str(v) for k, v in terms.items()})
    return lookup


def parse_choice(raw: str, lookup: dict[str, str], field: str, accepted: str = "") -> str:
    """The choice a cell names; an unknown one is a row error that lists what is accepted."""
    value = lookup.get(raw.strip().lower())
    if value is None:
        if accepted:
            raise RowInvalid((field, _("Unknown value “%(value)s”; accepted: %(accepted)s.")
                              % {"value": raw, "accepted": accepted}))
        raise RowInvalid((field, _("Unknown value “%(value)s”.") % {"value": raw}))
    return value


def accepted_labels(choices) -> str:
    """The choices' labels (current language) and codes, for an error message."""
    return "、".join(f"{label}（{value}）" for value, label in choices.choices)


def parse_date(raw: str, field: str) -> dt.date:
    text = raw.strip()[:10] if re.match(r"\d{4}-\d{2}-\d{2}T", raw.strip()) else raw.strip()
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowInvalid((field, _("Not a date (write it as 2024-07-01).")))


def parse_decimal(raw: str, field: str, low: int, high: int) -> Decimal:
    try:
        value = Decimal(raw.strip())
    except InvalidOperation:
        raise RowInvalid((field, _("Not a number."))) from None
    if not value.is_finite() or not low <= value <= high:
        raise RowInvalid((field, _("Must be between %(low)s and %(high)s.")
                          % {"low": low, "high": high}))
    return value.quantize(Decimal("0.000001"))


MAX_POSITIVE_INT = 2_147_483_647  # PositiveIntegerField on PostgreSQL


def parse_positive_int(raw: str, field: str, high: int = MAX_POSITIVE_INT) -> int:
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise RowInvalid((field, _("Must be a positive whole number.")))
    if int(text) > high:
        raise RowInvalid((field, _("Must be between %(low)s and %(high)s.")
                          % {"low": 1, "high": high}))
    return int(text)


def max_length(model, field: str) -> int:
    """A model field's max_length, so imports enforce what the forms enforce."""
    return model._meta.get_field(field).max_length


def _differs(field: str, label: str) -> tuple[str, str]:
    return (field, _("Already registered with a different %(what)s; change it on the record's "
                     "own page, imports only add records.") % {"what": label})

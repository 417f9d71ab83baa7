"""一试双证 / 一培双考: may one assessment issue a second certificate? (Zhejiang
(十九): 扩大一次评价同时颁发企业证书和职业技能等级证书的"一试双证"制度试点范围.)

A sitting assesses an occupation at a level (its first certificate: a skill-level certificate)
or a special-ability item alone (a special-ability certificate). A dual sitting of an
occupation and level also names the special-ability item of its second certificate: it then
carries both `occupation`/`level` and `special_ability_item`. The evaluation catalog must list
the evaluator for that second certificate on the sitting date — checked when the sitting is
declared, approved and resubmitted (so the evaluator learns it before the candidates sit) and
once more when the certificates are issued.

The catalog listing a sitting is checked against (its "primary" subject) is the occupation and
level when there is one, the special-ability item only for a sitting of an item alone
(`primary_item`).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jineng.assessment.choices import CertificateKind
from jineng.catalog import selectors as catalog_selectors
from jineng.core.errors import DomainError

__all__ = ["SECOND_CERTIFICATE_KINDS", "check_second_certificate", "primary_item",
           "primary_kind"]

# The kinds a sitting may issue as its second certificate (一试双证). A special-operation
# certificate is issued by the emergency-management authorities, never here (it is recorded).
SECOND_CERTIFICATE_KINDS = (CertificateKind.SKILL_LEVEL, CertificateKind.SPECIAL_ABILITY)
FIELD = "second_certificate_kind"


def primary_item(occupation, item: str) -> str:
    """The special-ability item a sitting's first certificate is for: its item when it assesses
    no occupation; "" for an occupation's sitting (whose item, if any, is the second
    certificate's)."""
    return "" if occupation is not None else (item or "")


def primary_kind(occupation, level) -> str:
    if occupation is not None and level is not None:
        return CertificateKind.SKILL_LEVEL
    return CertificateKind.SPECIAL_ABILITY


def check_second_certificate(*, evaluator, occupation, level, item: str, day: dt.date,
                             kind: str) -> str | None:
    """The second certificate's kind when the sitting may issue it, None when it asks for none;
    a DomainError naming the field otherwise (codes second_kind, second_item, second_level,
    second_not_listed)."""
    if not kind:
        return None
    if kind not in SECOND_CERTIFICATE_KINDS or kind == primary_kind(occupation, level):
        raise DomainError(_("A sitting's second certificate is a skill-level or "
                            "special-ability certificate other than its first."),
                          field=FIELD, code="second_kind")
    if kind == CertificateKind.SPECIAL_ABILITY:
        if not item:
            raise DomainError(_("Name the special-ability item of the second certificate."),
                              field="special_ability_item", code="second_item")
        listing = catalog_selectors.evaluator_listed_as_of(evaluator, None, None, day,
                                                           special_ability_item=item)
    else:
        if occupation is None or level is None:
            raise DomainError(_("A second skill-level certificate needs the sitting's "
                                "occupation and level."), field=FIELD, code="second_level")
        listing = catalog_selectors.evaluator_listed_as_of(evaluator, occupation, level, day)
    if not listing:
        raise DomainError(
            _("On %(day)s the evaluation catalog does not list %(evaluator)s for the second "
              "certificate (%(kind)s): one assessment issues two certificates only where the "
              "catalog allows it.")
            % {"day": day, "evaluator": evaluator.name, "kind": CertificateKind(kind).label},
            field=FIELD, code="second_not_listed")
    return kind

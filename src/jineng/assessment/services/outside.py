"""Certificates from outside: recorded, marked verified, imported; and the migration import
of a previous system's assessments and certificates.

- `certificate_record_outside`: one certificate issued by another province, the national
  platform or another authority (special-operation certificates), or by a previous system,
  for 证书直补 and for the holder's level history. The holder must be a registered person in
  the actor's jurisdiction (found by the keyed hash of the ID number). Idempotent by number:
  the same content again answers the same record; another content under the same number is a
  Conflict naming the first field that differs. Numbers are checked by `rules.numbering`
  (legacy 职业资格证书 numbers accepted).
- `certificate_mark_verified`: checked (or found wanting) against its issuer, with a note.
- `certificates_import`: the same from a CSV or .xlsx file, every bad row reported, nothing
  written from a file with errors unless skipping them; a file imported twice counts once.
- `history_import`: a province moving to jineng brings its past assessments (legacy sittings,
  closed, origin "legacy") with candidates, results and certificates. Idempotent by
  certificate number (and by the old system's reference of each assessment); persons not yet
  registered are registered from the file, as the training migration does.

Recorded and migrated certificates are not signed here (they were not issued here) and
feed no plan facts (the plans count what happens here). Files are imported inline, capped at
MAX_ROWS rows (the training migration import is inline too); their certificates are inserted
in batches with one import event per file in the audit trail (a migrated assessment has its
own event, a newly registered person theirs), each certificate keeping who recorded it. A
single record is audited on its own."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.assessment.choices import (
    AssessmentRoute,
    CertificateKind,
    CertificateOrigin,
    SittingOrigin,
    SittingStatus,
)
from jineng.assessment.models import (
    AssessmentSitting,
    Candidate,
    Certificate,
    SittingStatusChange,
)
from jineng.assessment.rules import numbering
from jineng.assessment.rules import scores as score_rules
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.history import record_transition
from jineng.core.importing import Column, ImportReport, RowError, RowInvalid, run_import
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.core.tabular import Row, check_file_size
from jineng.registry import selectors as registry_selectors
from jineng.registry import services as registry_services
from jineng.registry.models import Occupation, Organization, Person, Region, SkillLevel

OUTSIDE_ORIGINS = (CertificateOrigin.OTHER_PROVINCE, CertificateOrigin.NATIONAL,
                   CertificateOrigin.OTHER_AUTHORITY, CertificateOrigin.LEGACY)
MAX_ROWS = 20_000
EARLIEST = dt.date(1950, 1, 1)
MIGRATE_ACTION = "migrate"


@dataclass(frozen=True)
class OutsideCertificateInput:
    """One certificate issued elsewhere, as printed on it."""

    kind: str  # choices.CertificateKind
    number: str
    origin: str  # one of OUTSIDE_ORIGINS
    id_number: str
    holder_name: str
    issuer_name: str
    issued_on: dt.date
    occupation: Occupation | None = None
    work_type: str = ""
    level: SkillLevel | None = None
    special_ability_item: str = ""
    title: str = ""  # training project; a special-operation certificate's operation type
    training_start: dt.date | None = None
    training_end: dt.date | None = None
    verified: bool = False
    note: str = ""  # how it was verified (when verified)


# The content a repeat must match (model field -> input field named in a Conflict).
CONTENT_FIELDS = {
    "kind": "kind", "origin": "origin", "person_id": "id_number", "holder_name": "holder_name",
    "occupation_id": "occupation", "work_type": "work_type", "level_id": "level",
    "special_ability_item": "special_ability_item", "title": "title",
    "issuer_name": "issuer_name", "issued_on": "issued_on",
    "training_start": "training_start", "training_end": "training_end",
}


# --- who may ---------------------------------------------------------------------------------

def may_record_outside(actor) -> bool:
    """HRSS staff (province, city or county) and the system administrator."""
    scope = scope_of(actor)
    return scope.everything or (bool(getattr(actor, "is_hrss_staff", False))
                                and scope.region_prefix is not None)


def may_import_history(actor) -> bool:
    """The province's or a city's HRSS office (a migration is not a county's job)."""
    scope = scope_of(actor)
    return scope.everything or (bool(getattr(actor, "is_hrss_staff", False))
                                and scope.region_prefix is not None
                                and len(scope.region_prefix) <= 4)


def _ensure_may_record(actor) -> None:
    if not may_record_outside(actor):
        raise Forbidden(_("Certificates from outside are recorded by HRSS staff."))


def _ensure_governs(actor, region: Region) -> None:
    try:
        registry_services.ensure_governs(actor, region)
    except Forbidden:
        raise Forbidden(_("This region is outside your jurisdiction.")) from None


def _username(actor) -> str:
    return getattr(actor, "username", "") or "system"


def _zh(message) -> str:
    """Texts stored for the record (audit reasons, history) are Chinese."""
    with translation.override("zh-hans"):
        return str(message)


# --- checking one certificate ----------------------------------------------------------------

def number_message(problem: numbering.NumberProblem) -> str:
    """A numbering problem in the reader's language."""
    part = {
        numbering.CATEGORY: _("the first letter (Y an employer, S a social evaluation body)"),
        numbering.EVALUATOR: _("the evaluator code"),
        numbering.PROVINCE: _("the province code"),
        numbering.SITE: _("the evaluator (site) code"),
        numbering.YEAR: _("the year"),
        numbering.LEVEL: _("the level digit (1 高级技师 … 5 初级工)"),
        numbering.SEQUENCE: _("the sequence"),
        numbering.PATTERN: _("the province's pattern"),
    }.get(problem.part)
    if problem.code == numbering.EMPTY:
        return _("This field is required.")
    if problem.code == numbering.BAD_LENGTH:
        return _("A skill-level certificate number has a capital letter and 21 digits (22 "
                 "characters); a legacy qualification certificate number 16 or 13 digits.")
    if problem.code == numbering.LEGACY_NOT_ALLOWED:
        return _("A legacy qualification certificate number is accepted only for a "
                 "certificate recorded from elsewhere.")
    if problem.code == numbering.UNKNOWN_KIND:
        return _("Unknown certificate kind.")
    if problem.code == numbering.NO_MATCH:
        return _("The number does not follow the province's pattern.")
    if part is None:
        return _("The number breaks the certificate number layout.")
    return _("The number breaks the certificate number layout at %(part)s.") % {"part": part}


def _text(value: str, model_field: str, name: str, *, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), field=name, code="required")
    limit = Certificate._meta.get_field(model_field).max_length
    if limit and len(text) > limit:
        raise DomainError(_("At most %(max)d characters.") % {"max": limit}, field=name)
    return text


def _date(value: dt.date | None, name: str, *, required: bool = False) -> dt.date | None:
    if value is None:
        if required:
            raise DomainError(_("This field is required."), field=name, code="required")
        return None
    if value > timezone.localdate():
        raise DomainError(_("The date is in the future."), field=name, code="future")
    if value < EARLIEST:
        raise DomainError(_("The date is out of range."), field=name)
    return value


def _check_number(kind: str, number: str, level: SkillLevel | None, issued_on: dt.date) -> None:
    problem = numbering.validate_number(kind, number, legacy_ok=True)
    if problem is not None:
        raise DomainError(number_message(problem), field="number", code="number_layout")
    if kind == CertificateKind.SKILL_LEVEL:
        parts = numbering.parse_skill_level_number(number)
        if isinstance(parts, numbering.SkillLevelNumber):
            if level is not None and parts.level_code != level.code:
                raise DomainError(_("The number is of another level than the one given."),
                                  field="level", code="level_mismatch")
            if parts.year != issued_on.year:
                raise DomainError(_("The number's year is %(year)s, not the year of issue.")
                                  % {"year": parts.year}, field="issued_on",
                                  code="year_mismatch")
            return
    if kind in (CertificateKind.SKILL_LEVEL, CertificateKind.QUALIFICATION):
        legacy = numbering.parse_legacy_number(number)
        if isinstance(legacy, numbering.LegacyNumber) and legacy.level_code \
                and level is not None and legacy.level_code != level.code:
            raise DomainError(_("The number is of another level than the one given."),
                              field="level", code="level_mismatch")


def _check_kind_fields(kind: str, values: dict[str, Any]) -> None:
    if kind in (CertificateKind.SKILL_LEVEL, CertificateKind.QUALIFICATION):
        if values["occupation"] is None:
            raise DomainError(_("Choose an occupation or work type."), field="occupation",
                              code="required")
        if values["level"] is None:
            raise DomainError(_("Choose the skill level."), field="level", code="required")
        if values["level"].code not in (*numbering.LEVEL_DIGITS.values(),
                                        numbering.TOP_LEVEL_CODE):
            raise DomainError(_("A certificate carries a level from 初级工 to 特级技师."),
                              field="level")
    elif kind == CertificateKind.SPECIAL_ABILITY:
        if values["occupation"] is None and not values["special_ability_item"]:
            raise DomainError(_("Give the special ability item."),
                              field="special_ability_item", code="required")
    elif kind in (CertificateKind.TRAINING, CertificateKind.ENTREPRENEURSHIP):
        if not values["title"]:
            raise DomainError(_("Give the training project."), field="title", code="required")
    elif kind == CertificateKind.SPECIAL_OPERATION and not values["title"] \
            and not values["work_type"]:
        raise DomainError(_("Give the operation type."), field="title", code="required")


def _holder(actor, id_number: str, name: str, persons: dict[str, Person] | None = None,
            ) -> Person:
    ident = registry_services.parse_id_number((id_number or "").strip())
    person = persons.get(ident.number) if persons is not None else None
    if person is None:
        person = registry_selectors.person_list(actor=actor, id_number=ident.number).first()
    if person is None:
        raise DomainError(_("No person with this ID number is registered in your "
                            "jurisdiction; register the person first."), field="id_number",
                          code="unregistered")
    if person.name != name:
        raise DomainError(_("The name does not match the name registered for this ID "
                            "number."), field="holder_name", code="name_mismatch")
    return person


def _validated(actor, data: OutsideCertificateInput, *, origins=OUTSIDE_ORIGINS,
               persons: dict[str, Person] | None = None,
               person: Person | None = None) -> dict[str, Any]:
    """The model values of an outside certificate, every input checked (DomainError naming
    the field)."""
    if data.kind not in CertificateKind.values:
        raise DomainError(_("Unknown certificate kind."), field="kind")
    if data.origin not in origins:
        raise DomainError(_("Choose where the certificate comes from: %(accepted)s.")
                          % {"accepted": ", ".join(str(CertificateOrigin(o).label)
                                                   for o in origins)}, field="origin")
    number = numbering.normalize(data.number)
    if not number:
        raise DomainError(_("This field is required."), field="number", code="required")
    holder_name = _text(data.holder_name, "holder_name", "holder_name", required=True)
    issued_on = _date(data.issued_on, "issued_on", required=True)
    values: dict[str, Any] = {
        "kind": data.kind, "number": number, "origin": data.origin,
        "holder_name": holder_name,
        "occupation": data.occupation, "level": data.level,
        "work_type": _text(data.work_type, "work_type", "work_type"),
        "special_ability_item": _text(data.special_ability_item, "special_ability_item",
                                      "special_ability_item"),
        "title": _text(data.title, "title", "title"),
        "issuer_name": _text(data.issuer_name, "issuer_name", "issuer_name", required=True),
        "issued_on": issued_on,
        "training_start": _date(data.training_start, "training_start"),
        "training_end": _date(data.training_end, "training_end"),
    }
    if values["training_start"] and values["training_end"] \
            and values["training_end"] < values["training_start"]:
        raise DomainError(_("The end date is before the start date."), field="training_end")
    if values["training_end"] and values["training_end"] > issued_on:
        raise DomainError(_("The training ends after the certificate's date."),
                          field="training_end")
    _check_kind_fields(data.kind, values)
    _check_number(data.kind, number, data.level, issued_on)
    note = _text(data.note, "verified_note", "note")
    values["person"] = person or _holder(actor, data.id_number, holder_name, persons)
    values["verified"] = bool(data.verified)
    values["verified_note"] = note if data.verified else ""
    return values


def content_fingerprint(values: dict[str, Any]) -> str:
    """SHA-256 of a certificate's content (CONTENT_FIELDS): equal content, equal print."""
    canonical = {name: _plain(values, name) for name in CONTENT_FIELDS}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()
                          ).hexdigest()


def _plain(values: dict[str, Any], name: str) -> Any:
    if name.endswith("_id"):
        obj = values.get(name[:-3])
        return obj.pk if obj is not None else values.get(name)
    value = values.get(name)
    return value.isoformat() if isinstance(value, dt.date) else value


def _same_or_conflict(existing: Certificate, values: dict[str, Any]) -> Certificate:
    """The recorded certificate if `values` is the same content, else a Conflict naming the
    first field that differs."""
    if existing.origin == CertificateOrigin.ISSUED:
        raise Conflict(_("A certificate with this number was issued here."), field="number",
                       code="number_issued_here")
    if existing.fingerprint == content_fingerprint(values):
        return existing
    stored = {name: getattr(existing, name) for name in CONTENT_FIELDS}
    for name, input_name in CONTENT_FIELDS.items():
        if stored[name] != _plain(values, name) and not (
                isinstance(stored[name], dt.date) and stored[name].isoformat()
                == _plain(values, name)):
            label = str(Certificate._meta.get_field(name.removesuffix("_id")).verbose_name)
            raise Conflict(_("A certificate with this number is already recorded with another "
                             "%(field)s.") % {"field": label}, field=input_name,
                           code="number_reused")
    return existing  # same content, an older print


def _new(actor, values: dict[str, Any], *, issuer: Organization | None = None,
         candidate: Candidate | None = None, now: dt.datetime | None = None) -> Certificate:
    """An unsaved certificate of these (checked) values."""
    now = now or timezone.now()
    verified = values["verified"]
    return Certificate(
        kind=values["kind"], number=values["number"], origin=values["origin"],
        verified=verified, verified_note=values["verified_note"],
        verified_by=_username(actor) if verified else "", verified_at=now if verified else None,
        person=values["person"], holder_name=values["holder_name"],
        occupation=values["occupation"], work_type=values["work_type"], level=values["level"],
        special_ability_item=values["special_ability_item"], title=values["title"],
        training_start=values["training_start"], training_end=values["training_end"],
        issuer=issuer, issuer_name=values["issuer_name"], region=values["person"].region,
        issued_on=values["issued_on"], candidate=candidate,
        fingerprint=content_fingerprint(values), recorded_by=_username(actor))


def _create(actor, values: dict[str, Any]) -> Certificate:
    cert = _new(actor, values)
    cert.save(force_insert=True)
    audit.record(actor=actor, action=AuditAction.CREATE, instance=cert,
                 after=audit.snapshot(cert))
    return cert


BULK_BATCH = 1000


def _bulk_save(actor, certs: list[Certificate], source: str) -> None:
    """Certificates of a file, inserted in batches, with one import event in the trail
    (the rows themselves are the import report's; each certificate keeps who recorded it)."""
    if not certs:
        return
    Certificate.objects.bulk_create(certs, batch_size=BULK_BATCH)
    region = getattr(actor, "region", None)
    audit.record_bulk_import(actor=actor, entity_type="assessment.certificate",
                             count=len(certs), source=source[:200],
                             region_code=getattr(region, "code", "") or "",
                             organization_id=scope_of(actor).organization_id)


def certificate_record_outside(*, actor, data: OutsideCertificateInput,
                               ) -> tuple[Certificate, bool]:
    """Record one certificate issued elsewhere (see the module's docstring). Returns the
    certificate and whether it is new (False: recorded before with the same content)."""
    _ensure_may_record(actor)
    values = _validated(actor, data)
    _ensure_governs(actor, values["person"].region)
    with transaction.atomic():
        existing = Certificate.objects.select_for_update().filter(
            number=values["number"]).first()
        if existing is not None:
            return _same_or_conflict(existing, values), False
        try:
            with transaction.atomic():
                return _create(actor, values), True
        except IntegrityError:  # recorded at the same moment by another request
            existing = Certificate.objects.filter(number=values["number"]).first()
            if existing is None:
                raise
            return _same_or_conflict(existing, values), False


def certificate_mark_verified(*, actor, certificate: Certificate, verified: bool,
                              note: str = "") -> Certificate:
    """Mark a certificate recorded from outside as verified against its issuer (or not), with a
    note saying how (required when withdrawing the mark)."""
    _ensure_may_record(actor)
    with transaction.atomic():
        cert = (Certificate.objects.visible_to(actor).select_for_update()
                .filter(pk=certificate.pk).first())
        if cert is None:
            raise NotFound()
        _ensure_governs(actor, cert.region)
        if cert.origin == CertificateOrigin.ISSUED:
            raise DomainError(_("A certificate issued here is verified by its signature."),
                              field="verified", code="issued_here")
        verified = bool(verified)
        if cert.verified == verified:
            raise DomainError(_("The certificate is already marked so."), field="verified",
                              code="no_change")
        text = _text(note, "verified_note", "note", required=not verified)
        before = {"verified": cert.verified, "verified_note": cert.verified_note}
        cert.verified, cert.verified_note = verified, text
        cert.verified_by, cert.verified_at = _username(actor), timezone.now()
        cert.save(update_fields=["verified", "verified_note", "verified_by", "verified_at"])
        audit.record(actor=actor, action=AuditAction.UPDATE, instance=cert, before=before,
                     after={"verified": verified, "verified_note": text}, reason=text)
    return cert


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


# --- certificates_import -------------------------------------------------------------------

C = Column
CERTIFICATE_COLUMNS = (
    C("kind", "证书类型", required=True, max_length=40,
      help=gettext_lazy("skill_level, special_ability, training, entrepreneurship, "
                        "special_operation or qualification (or the kind's name).")),
    C("number", "证书编号", required=True, max_length=40),
    C("origin", "证书来源", required=True, max_length=40,
      help=gettext_lazy("other_province, national, other_authority or legacy (or the "
                        "origin's name).")),
    C("id_number", "身份证号", required=True, max_length=18),
    C("holder_name", "姓名", required=True, max_length=50),
    C("occupation", "职业（工种）", max_length=100,
      help=gettext_lazy("The occupation's or work type's code or name.")),
    C("work_type", "工种/职业方向", max_length=100),
    C("level", "技能等级", max_length=30),
    C("special_ability_item", "专项能力项目", max_length=100),
    C("title", "培训项目/作业类别", max_length=200),
    C("issuer_name", "发证机构", required=True, max_length=200),
    C("issued_on", "发证日期", required=True, max_length=12),
    C("training_start", "培训开始日期", max_length=12),
    C("training_end", "培训结束日期", max_length=12),
    C("verified", "已核验", max_length=8, help=gettext_lazy("是 or 否 (empty: 否).")),
    C("note", "核验说明", max_length=500),
)
CERTIFICATE_EXAMPLE = {
    "kind": "职业技能等级证书", "number": "S000052000001255000001", "origin": "other_province",
    "id_number": "520102199001011234", "holder_name": "张三", "occupation": "4-03-02-01",
    "level": "初级工", "issuer_name": "某职业技能等级认定机构", "issued_on": "2025-06-30",
    "verified": "否",
}


def _certificate_input(row: Row, lookups: _Lookups) -> OutsideCertificateInput:
    v = row.values
    problems: list[tuple[str, str]] = []
    found: dict[str, Any] = {}
    for name, get in (("occupation", lambda: lookups.occupation(v.get("occupation", ""))),
                      ("level", lambda: lookups.level(v.get("level", ""))),
                      ("issued_on", lambda: _file_date(v.get("issued_on", ""), "issued_on")),
                      ("training_start",
                       lambda: _file_date(v.get("training_start", ""), "training_start")),
                      ("training_end",
                       lambda: _file_date(v.get("training_end", ""), "training_end")),
                      ("verified", lambda: _yes_no(v.get("verified", ""), "verified"))):
        try:
            found[name] = get()
        except RowInvalid as bad:
            problems.extend(bad.problems)
    if problems:
        raise RowInvalid(*problems)
    return OutsideCertificateInput(
        kind=_choice(v.get("kind", ""), CertificateKind, KIND_NAMES),
        number=v.get("number", ""),
        origin=_choice(v.get("origin", ""), CertificateOrigin, ORIGIN_NAMES),
        id_number=v.get("id_number", ""), holder_name=v.get("holder_name", ""),
        issuer_name=v.get("issuer_name", ""), issued_on=found["issued_on"],
        occupation=found["occupation"], work_type=v.get("work_type", ""), level=found["level"],
        special_ability_item=v.get("special_ability_item", ""), title=v.get("title", ""),
        training_start=found["training_start"], training_end=found["training_end"],
        verified=found["verified"], note=v.get("note", ""))


@dataclass
class _Seen:
    """Numbers met earlier in the same file: the row and the content's fingerprint."""

    rows: dict[str, tuple[int, str, dict]] = field(default_factory=dict)


def _repeat_in_file(seen: _Seen, row: int, values: dict[str, Any]) -> bool:
    """True if an earlier row of the file has this number with the same content; an earlier
    row with another content is a row error naming the field."""
    number, fingerprint = values["number"], content_fingerprint(values)
    earlier = seen.rows.get(number)
    if earlier is None:
        seen.rows[number] = (row, fingerprint, values)
        return False
    first_row, first_print, first_values = earlier
    if first_print == fingerprint:
        return True
    for name, input_name in CONTENT_FIELDS.items():
        if _plain(first_values, name) != _plain(values, name):
            raise DomainError(_("Row %(row)d has this number with another %(field)s.")
                              % {"row": first_row, "field": str(Certificate._meta.get_field(
                                  name.removesuffix("_id")).verbose_name)},
                              field=input_name, code="duplicate_number")
    return True


def certificates_import(*, actor, file, skip_bad_rows: bool = False) -> ImportReport:
    """Record the certificates of a CSV or .xlsx file (CERTIFICATE_COLUMNS); see the module's
    docstring. created: recorded now; unchanged: recorded before (or repeated in the file)
    with the same content."""
    _ensure_may_record(actor)
    data, filename = _read(file)
    lookups = _Lookups(actor)
    seen = _Seen()

    def prepare(rows: list[Row], context: dict) -> None:
        _cap(rows, context)
        lookups.load_persons(_whole_numbers(rows, "id_number"))
        numbers = [numbering.normalize(r.values.get("number", "")) for r in rows]
        context["existing"] = {c.number: c for c in Certificate.objects.filter(
            number__in=[n for n in numbers if n])}

    def parse_row(row: Row, context: dict):
        values = _validated(actor, _certificate_input(row, lookups), persons=lookups.persons)
        _ensure_governs(actor, values["person"].region)
        existing = context["existing"].get(values["number"])
        if existing is not None:
            _same_or_conflict(existing, values)
            return None
        if _repeat_in_file(seen, row.number, values):
            return None
        return values

    def save(parsed: list) -> tuple[int, int, int]:
        now = timezone.now()
        new = [_new(actor, values, now=now) for values in parsed if values is not None]
        _bulk_save(actor, new, filename)
        return len(new), 0, len(parsed) - len(new)

    return run_import(data=data, filename=filename, columns=CERTIFICATE_COLUMNS,
                      parse_row=parse_row, save=save, skip_bad_rows=skip_bad_rows,
                      prepare=prepare)


# Columns kept as text in the templates: Excel turns a long number typed into a General cell
# into a float (a 16- or 18-digit number loses its last digits) and a date into its own form.
TEXT_COLUMNS = {"number", "id_number", "evaluator_credit_code", "issued_on", "sitting_date",
                "training_start", "training_end", "occupation", "sitting_ref"}
TEMPLATE_ROWS = 1000


def _template(title: str, columns, example: dict[str, str]) -> bytes:
    """The header row, one example row, and the text columns formatted as text."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for index, column in enumerate(columns, start=1):
        head = sheet.cell(row=1, column=index, value=str(column.label))
        head.font = Font(bold=True)
        sheet.column_dimensions[head.column_letter].width = max(
            12, 2 * len(str(column.label)) + 4)
        sheet.cell(row=2, column=index, value=example.get(column.name, "") or None)
        if column.name in TEXT_COLUMNS:
            for r in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=r, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def certificates_template() -> bytes:
    """The import template: the header row and one example row."""
    return _template("certificates", CERTIFICATE_COLUMNS, CERTIFICATE_EXAMPLE)


# --- history_import ------------------------------------------------------------------------

HISTORY_COLUMNS = (
    C("sitting_ref", "原系统考试编号", required=True, max_length=100,
      help=gettext_lazy("The previous system's reference of the assessment: the rows of one "
                        "assessment share it, and an assessment imported twice counts once.")),
    C("evaluator_credit_code", "评价机构统一社会信用代码", required=True, max_length=18),
    C("occupation", "职业（工种）", max_length=100),
    C("work_type", "工种/职业方向", max_length=100),
    C("level", "技能等级", max_length=30),
    C("special_ability_item", "专项能力项目", max_length=100),
    C("sitting_date", "考试日期", required=True, max_length=12),
    C("place", "考试地点", required=True, max_length=200),
    C("id_number", "身份证号", required=True, max_length=18),
    C("holder_name", "姓名", required=True, max_length=50),
    C("theory_score", "理论成绩", max_length=8),
    C("practical_score", "实操成绩", max_length=8),
    C("result", "评价结果", required=True, max_length=10,
      help=gettext_lazy("合格, 不合格 or 缺考.")),
    C("kind", "证书类型", max_length=40,
      help=gettext_lazy("Empty: a skill-level certificate (a special-ability one for an "
                        "item).")),
    C("number", "证书编号", max_length=40),
    C("issued_on", "发证日期", max_length=12),
)
SITTING_FIELDS = ("evaluator_credit_code", "occupation", "work_type", "level",
                  "special_ability_item", "sitting_date", "place")
HISTORY_EXAMPLE = {
    "sitting_ref": "KS2021-0001", "evaluator_credit_code": "52010200000000001X",
    "occupation": "4-03-02-01", "level": "初级工", "sitting_date": "2021-06-20",
    "place": "贵阳市某考点", "id_number": "520102199001011234", "holder_name": "张三",
    "theory_score": "78", "practical_score": "82", "result": "合格",
    "number": "S000052000001215000001", "issued_on": "2021-06-30",
}
RESULTS = {"合格": "passed", "通过": "passed", "passed": "passed", "pass": "passed",
           "不合格": "failed", "未通过": "failed", "failed": "failed", "fail": "failed",
           "缺考": "absent", "absent": "absent"}


@dataclass
class _Sitting:
    ref: str
    first_row: int
    values: dict[str, str]
    rows: list[tuple[int, dict]] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("refused")
        self.errors = errors


def _history_row(row: Row, lookups: _Lookups) -> dict:
    v = row.values
    problems: list[tuple[str, str]] = []
    out: dict[str, Any] = {"row": row.number, "values": v}
    checks: list[tuple[str, Callable[[], Any]]] = [
        ("occupation", lambda: lookups.occupation(v.get("occupation", ""))),
        ("level", lambda: lookups.level(v.get("level", ""))),
        ("sitting_date", lambda: _file_date(v.get("sitting_date", ""), "sitting_date")),
        ("issued_on", lambda: _file_date(v.get("issued_on", ""), "issued_on")),
    ]
    for name, get in checks:
        try:
            out[name] = get()
        except RowInvalid as bad:
            problems.extend(bad.problems)
    for part in score_rules.PARTS:
        raw = v.get(f"{part}_score", "")
        try:
            out[f"{part}_score"] = score_rules.parse_score(raw)
        except score_rules.ScoreInvalid:
            problems.append((f"{part}_score", _("A score is a number from 0 to 100 with at "
                                                "most two decimals.")))
    result = RESULTS.get((v.get("result") or "").strip().lower())
    if result is None:
        problems.append(("result", _("Write 合格, 不合格 or 缺考.")))
    out["result"] = result
    try:
        out["id_number"] = registry_services.parse_id_number(v.get("id_number", "")).number
    except DomainError as bad:
        problems.append(("id_number", bad.message))
    if problems:
        raise RowInvalid(*problems)
    if out["sitting_date"] and out["sitting_date"] > timezone.localdate():
        problems.append(("sitting_date", _("The date is in the future.")))
    if not out["occupation"] and not (v.get("special_ability_item") or "").strip():
        problems.append(("occupation", _("Choose an occupation or work type.")))
    number = numbering.normalize(v.get("number", ""))
    if number:
        kind = _choice(v.get("kind", ""), CertificateKind, KIND_NAMES) or (
            CertificateKind.SKILL_LEVEL if out["occupation"] else CertificateKind.SPECIAL_ABILITY)
        problem = numbering.validate_number(kind, number, legacy_ok=True)
        if kind not in CertificateKind.values:
            problems.append(("kind", _("Unknown certificate kind.")))
        elif problem is not None:
            problems.append(("number", number_message(problem)))
        if result != "passed":
            problems.append(("number", _("Only a candidate who passed holds a certificate.")))
        if out["issued_on"] is None:
            problems.append(("issued_on", _("This field is required.")))
    elif out["issued_on"] is not None:
        problems.append(("number", _("This field is required.")))
    if result == "absent" and (out["theory_score"] is not None
                               or out["practical_score"] is not None):
        problems.append(("result", _("An absent candidate has no scores.")))
    if problems:
        raise RowInvalid(*problems)
    out["number"] = number
    return out


def _sitting_fingerprint(values: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps({f: (values.get(f) or "").strip() for f in SITTING_FIELDS},
                                     sort_keys=True).encode()).hexdigest()


def _history_person(actor, number: str, name: str, region: Region,
                    lookups: _Lookups) -> Person:
    person = lookups.persons.get(number) or registry_selectors.person_holding_number(number)
    if person is None:
        person = registry_services.person_register(
            actor=actor, data=registry_services.PersonInput(id_number=number, name=name,
                                                            region=region))
        lookups.persons[number] = person
        return person
    if person.name != name:
        raise DomainError(_("The name does not match the name registered for this ID "
                            "number."), field="holder_name", code="name_mismatch")
    return person


def _legacy_sitting(actor, s: _Sitting, first: dict, lookups: _Lookups,
                    source: str) -> tuple[AssessmentSitting, bool]:
    v = s.values
    code = (v.get("evaluator_credit_code") or "").strip().upper()
    evaluator = registry_selectors.organization_list(actor=actor).filter(
        credit_code=code).select_related("region").first()
    if evaluator is None:
        raise DomainError(_("No evaluator with this credit code in your jurisdiction."),
                          field="evaluator_credit_code", code="unknown")
    _ensure_governs(actor, evaluator.region)
    fingerprint = _sitting_fingerprint(v)
    existing = AssessmentSitting.objects.filter(evaluator=evaluator, client_ref=s.ref).first()
    if existing is not None:
        if existing.origin != SittingOrigin.LEGACY:
            raise Conflict(_("The evaluator has an assessment run here under this reference."),
                           field="sitting_ref", code="client_ref_reused")
        if existing.client_fingerprint != fingerprint:
            raise Conflict(_("This assessment was imported before with other details: a "
                             "repeated import must be identical."), field="sitting_ref",
                           code="client_ref_reused")
        return existing, False
    theory = any(r["theory_score"] is not None for _n, r in s.rows)
    practical = any(r["practical_score"] is not None for _n, r in s.rows)
    sitting = AssessmentSitting.objects.create(
        evaluator=evaluator, occupation=first["occupation"],
        work_type=(v.get("work_type") or "").strip(), level=first["level"],
        special_ability_item=(v.get("special_ability_item") or "").strip(),
        route=AssessmentRoute.SOCIAL, region=evaluator.region,
        place=(v.get("place") or "").strip(), sitting_date=first["sitting_date"],
        theory_pass_mark=Decimal("60") if theory or not practical else None,
        practical_pass_mark=Decimal("60") if practical else None,
        status=SittingStatus.CLOSED, origin=SittingOrigin.LEGACY,
        declared_by=_username(actor), client_ref=s.ref, client_fingerprint=fingerprint)
    reason = _zh(_("Migrated from the records of %(source)s") % {
        "source": source[:200] or _("the previous system")})
    record_transition(SittingStatusChange, subject_field="sitting", subject=sitting,
                      actor=actor, action=MIGRATE_ACTION, from_status="",
                      to_status=SittingStatus.CLOSED, reason=reason,
                      effective_date=first["sitting_date"])
    audit.record(actor=actor, action=AuditAction.IMPORT, instance=sitting,
                 after={**audit.snapshot(sitting), "migrated": True, "source": source[:200]},
                 reason=reason)
    return sitting, True


def _legacy_candidate(sitting: AssessmentSitting, person: Person, r: dict,
                      source: str, before: dict[int, Candidate]) -> Candidate:
    """The row's candidate; `before`: the sitting's candidates imported before, by person."""
    passed = {"passed": True, "failed": False, "absent": False}[r["result"]]
    wanted = {"theory_score": r["theory_score"], "practical_score": r["practical_score"],
              "absent": r["result"] == "absent", "passed": passed}
    existing = before.get(person.pk)
    if existing is not None:
        for name, value in wanted.items():
            if getattr(existing, name) != value:
                raise Conflict(_("This candidate was imported before with another %(field)s.")
                               % {"field": Candidate._meta.get_field(name).verbose_name},
                               field="result" if name in ("absent", "passed") else name,
                               code="candidate_changed")
        return existing
    return Candidate(  # saved with the sitting's other new candidates (bulk)
        sitting=sitting, person=person, route=AssessmentRoute.SOCIAL,
        route_basis={"migrated": True, "source": source[:200]},
        result_entered_at=timezone.now(), result_entered_by="migration", **wanted)


def _history_certificate(actor, sitting: AssessmentSitting, candidate: Candidate,
                         person: Person, r: dict, seen: _Seen,
                         pending: list[Certificate],
                         existing_numbers: dict[str, Certificate]) -> bool:
    """The row's certificate, checked and added to `pending` if new; True if new."""
    v = r["values"]
    kind = _choice(v.get("kind", ""), CertificateKind, KIND_NAMES) or (
        CertificateKind.SKILL_LEVEL if sitting.occupation_id else CertificateKind.SPECIAL_ABILITY)
    data = OutsideCertificateInput(
        kind=kind, number=r["number"], origin=CertificateOrigin.LEGACY,
        id_number=r["id_number"], holder_name=(v.get("holder_name") or "").strip(),
        issuer_name=sitting.evaluator.name, issued_on=r["issued_on"],
        occupation=sitting.occupation, work_type=sitting.work_type, level=sitting.level,
        special_ability_item=sitting.special_ability_item, verified=True,
        note=_zh(_("Migrated from the previous system's records")))
    if r["issued_on"] < sitting.sitting_date:
        raise DomainError(_("The certificate is dated before the assessment."),
                          field="issued_on")
    values = _validated(actor, data, origins=(CertificateOrigin.LEGACY,), person=person)
    if _repeat_in_file(seen, r["row"], values):
        return False
    existing = existing_numbers.get(values["number"])
    if existing is not None:
        _same_or_conflict(existing, values)
        return False
    pending.append(_new(actor, values, issuer=sitting.evaluator, candidate=candidate))
    return True


def _group_sittings(parsed: list[dict]) -> tuple[dict[str, _Sitting], list[RowError]]:
    sittings: dict[str, _Sitting] = {}
    errors: list[RowError] = []
    for r in parsed:
        v = r["values"]
        ref = v["sitting_ref"].strip()
        s = sittings.get(ref)
        if s is None:
            s = sittings[ref] = _Sitting(ref=ref, first_row=r["row"], values=v)
        else:
            differs = [f for f in SITTING_FIELDS
                       if (v.get(f) or "").strip() != (s.values.get(f) or "").strip()]
            if differs:
                errors.extend(RowError(r["row"], f, _("Differs from row %(row)d of the same "
                                                      "assessment.") % {"row": s.first_row})
                              for f in differs)
                continue
        s.rows.append((r["row"], r))
    return sittings, errors


def history_import(*, actor, file) -> ImportReport:
    """Import a previous system's assessments and certificates (HISTORY_COLUMNS; one row per
    candidate): see the module's docstring. Every assessment of the file in one transaction;
    any bad row (checked or refused by the rules) is reported and nothing is written.
    created: certificates recorded now; unchanged: certificates imported before."""
    if not may_import_history(actor):
        raise Forbidden(_("Past assessments are imported by the province's or a city's HRSS "
                          "office."))
    data, filename = _read(file)
    lookups = _Lookups(actor)
    outcome: dict[str, Any] = {}

    existing: dict[str, Certificate] = {}

    def prepare(rows: list[Row], context: dict) -> None:
        _cap(rows, context)
        lookups.load_persons(_whole_numbers(rows, "id_number"))
        numbers = [numbering.normalize(r.values.get("number", "")) for r in rows]
        existing.update((c.number, c) for c in Certificate.objects.filter(
            number__in=[n for n in numbers if n]))

    def parse_row(row: Row, context: dict) -> dict:
        return _history_row(row, lookups)

    def save(parsed: list) -> tuple[int, int, int]:
        outcome["rows"] = len(parsed)
        sittings, errors = _group_sittings(parsed)
        created = unchanged = 0
        seen = _Seen()
        pending: list[Certificate] = []
        for s in sittings.values():
            first = s.rows[0][1]
            try:
                sitting, new_sitting = _legacy_sitting(actor, s, first, lookups, filename)
            except DomainError as bad:
                errors.append(RowError(s.first_row, bad.field, bad.message))
                continue
            before = {} if new_sitting else {
                c.person_id: c for c in Candidate.objects.filter(sitting=sitting)}
            persons_seen: dict[str, int] = {}
            new_candidates: list[Candidate] = []
            for row_number, r in s.rows:
                try:
                    if r["id_number"] in persons_seen:
                        raise DomainError(_("The same person appears twice in this assessment "
                                            "(row %(row)d).") % {"row": persons_seen[
                                                r["id_number"]]}, field="id_number",
                                          code="duplicate")
                    persons_seen[r["id_number"]] = row_number
                    name = (r["values"].get("holder_name") or "").strip()
                    person = _history_person(actor, r["id_number"], name, sitting.region,
                                             lookups)
                    candidate = _legacy_candidate(sitting, person, r, filename, before)
                    if candidate.pk is None:
                        new_candidates.append(candidate)
                    if r["number"]:
                        new = _history_certificate(actor, sitting, candidate, person, r,
                                                   seen, pending, existing)
                        created += new
                        unchanged += not new
                except DomainError as bad:
                    errors.append(RowError(row_number, _history_column(bad.field),
                                           bad.message))
            if not errors:  # their certificates refer to them: saved first
                Candidate.objects.bulk_create(new_candidates, batch_size=BULK_BATCH)
        if errors:
            raise _Refused(sorted(errors, key=lambda e: (e.row, e.field)))
        _bulk_save(actor, pending, filename)
        return created, 0, unchanged

    try:
        return run_import(data=data, filename=filename, columns=HISTORY_COLUMNS,
                          parse_row=parse_row, save=save, prepare=prepare)
    except _Refused as refused:
        return ImportReport(total_rows=outcome.get("rows", 0), errors=refused.errors)


def _history_column(name: str) -> str:
    return {"person": "id_number", "name": "holder_name", "region": "id_number",
            "origin": "number", "kind": "kind"}.get(name or "", name or "number")


def history_template() -> bytes:
    return _template("history", HISTORY_COLUMNS, HISTORY_EXAMPLE)


__all__ = [
    "CERTIFICATE_COLUMNS", "HISTORY_COLUMNS", "OUTSIDE_ORIGINS", "OutsideCertificateInput",
    "certificate_mark_verified", "certificate_record_outside", "certificates_import",
    "certificates_template", "history_import", "history_template", "may_import_history",
    "may_record_outside", "number_message",
]

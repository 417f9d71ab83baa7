"""`history_import`: a previous system's assessments (legacy sittings, candidates, results,
certificates), idempotent by certificate number and the old system's reference."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
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
from jineng.assessment.services.outside.certificates_file import (
    C,
    _repeat_in_file,
    _Seen,
    _template,
)
from jineng.assessment.services.outside.files import (
    KIND_NAMES,
    _cap,
    _choice,
    _file_date,
    _Lookups,
    _read,
    _whole_numbers,
)
from jineng.assessment.services.outside.records import (
    BULK_BATCH,
    MIGRATE_ACTION,
    OutsideCertificateInput,
    _bulk_save,
    _ensure_governs,
    _new,
    _same_or_conflict,
    _username,
    _validated,
    _zh,
    may_import_history,
    number_message,
)
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.core.history import record_transition
from jineng.core.importing import ImportReport, RowError, RowInvalid, run_import
from jineng.core.models import AuditAction
from jineng.core.tabular import Row
from jineng.registry import selectors as registry_selectors
from jineng.registry import services as registry_services
from jineng.registry.models import Person, Region

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

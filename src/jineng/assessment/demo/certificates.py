"""Scores and certificates: skill-level, 一试双证 pairs, training certificates, revocations,
certificates from outside; numbered, signed and written."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from jineng.assessment.choices import (
    CertificateKind,
    CertificateOrigin,
    CertificateStatus,
    RevocationReason,
)
from jineng.assessment.demo.params import (
    DEMO_USER,
    ERROR_REASONS,
    ERROR_SHARE,
    FRAUD_REASONS,
    FRAUD_SHARE,
    OTHER_PROVINCES,
    SPECIAL_OPERATIONS,
    VERIFIED_NOTE,
    _at,
)
from jineng.assessment.demo.storage import _occupations, _unsaved
from jineng.assessment.models import (
    Certificate,
    CertificateSequence,
    CertificateStatusChange,
)
from jineng.assessment.rules import numbering
from jineng.assessment.services import issuance, signing
from jineng.core.bulk import insert_rows as _insert
from jineng.core.bulk import next_pk as _next_pk
from jineng.core.bulk import reset_sequences as _reset_sequences
from jineng.registry.models import (
    Organization,
    Person,
    Region,
    SkillLevel,
)


def _scores(rng: random.Random, passed: bool) -> tuple[Decimal, Decimal]:
    """Theory and practical scores (百分制, in half points) that pass both parts or fail at
    least one (SYNTHETIC distributions)."""

    def good() -> Decimal:
        return Decimal(min(200, max(120, round(rng.gauss(78, 9) * 2)))) / 2

    def bad() -> Decimal:
        return Decimal(rng.randint(50, 119)) / 2

    if passed:
        return good(), good()
    roll = rng.random()
    if roll < 0.45:
        return bad(), good()
    if roll < 0.8:
        return good(), bad()
    return bad(), bad()


@dataclass
class _Cert:
    """One certificate to issue or record (numbered, then signed, then written)."""

    kind: str
    person: int
    name: str
    region: int
    day: dt.date
    issuer: int | None
    issuer_name: str
    occupation: int | None = None
    level: int | None = None
    level_code: str = ""
    candidate: int | None = None
    title: str = ""
    training_class: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    work_type: str = ""
    origin: str = CertificateOrigin.ISSUED
    verified: bool = True
    number: str = ""
    prefix: tuple = ()  # how to number it: ("skill", prefix) or ("pattern", kind, region code)
    site: int | str = 0  # a pattern's {site}: the evaluator's site code, the institution
    special_ability_item: str = ""
    sitting: int | None = None
    pair: _Cert | None = None
    revoked: tuple[str, str, dt.date] | None = None  # (reason, note, day)
    pk: int = 0


class _Issuer:
    """Certificates of the demo: numbered by `rules.numbering` (sequences per prefix, in order
    of issue), signed by `services.signing.certificates_sign_bulk`, written in bulk."""

    def __init__(self, *, rng: random.Random, codes: dict, region_codes: dict[int, str],
                 evaluator_regions: dict[int, str], now: dt.datetime) -> None:
        self.rng, self.codes, self.region_codes, self.now = rng, codes, region_codes, now
        self.evaluator_regions = evaluator_regions
        self.items: list[_Cert] = []

    def skill_level(self, *, person: int, name: str, occupation: int, level: str,
                    level_pk: int, evaluator: int, evaluator_name: str, region: int,
                    day: dt.date, candidate: int, sitting: int,
                    training_class: int | None) -> _Cert:
        letter, _filed, ministry_code, site_code = self.codes[evaluator]
        prefix = numbering.skill_level_prefix(
            category=letter, evaluator_code=ministry_code or None,
            province=self.evaluator_regions[evaluator][:2], site_code=site_code,
            year=day.year, level_code=level)
        cert = _Cert(CertificateKind.SKILL_LEVEL, person, name, region, day, evaluator,
                     evaluator_name, occupation=occupation, level=level_pk, level_code=level,
                     candidate=candidate, prefix=("skill", prefix), sitting=sitting,
                     training_class=training_class)
        self.items.append(cert)
        return cert

    def second(self, *, paired: _Cert, item: str) -> None:
        """一试双证: the special-ability certificate of the same assessment, paired."""
        cert = _Cert(CertificateKind.SPECIAL_ABILITY, paired.person, paired.name,
                     paired.region, paired.day, paired.issuer, paired.issuer_name,
                     occupation=paired.occupation, candidate=paired.candidate,
                     special_ability_item=item, sitting=paired.sitting,
                     training_class=paired.training_class,
                     site=self.codes[paired.issuer][3],
                     prefix=("pattern", CertificateKind.SPECIAL_ABILITY,
                             self.region_codes[paired.region]))
        cert.pair, paired.pair = paired, cert
        self.items.append(cert)

    def training(self, *, person: int, name: str, occupation: int, institution: int,
                 institution_name: str, region: int, day: dt.date,
                 title: str, start: dt.date, end: dt.date, training_class: int,
                 entrepreneurship: bool) -> None:
        kind = CertificateKind.ENTREPRENEURSHIP if entrepreneurship else CertificateKind.TRAINING
        self.items.append(_Cert(kind, person, name, region, day, institution,
                                institution_name, occupation=occupation, title=title,
                                training_class=training_class, start=start, end=end,
                                site=institution,
                                prefix=("pattern", kind, self.region_codes[region])))

    def revoke_some(self, today: dt.date) -> None:
        """A few skill-level certificates revoked for fraud or error (at least one of each,
        when there are any), some training certificates for error."""
        skill = [c for c in self.items if c.kind == CertificateKind.SKILL_LEVEL
                 and c.day < today - dt.timedelta(days=10)]
        training = [c for c in self.items if c.kind == CertificateKind.TRAINING
                    and c.day < today - dt.timedelta(days=10)]
        rng = self.rng
        for pool, shares in ((skill, ((RevocationReason.FRAUD, FRAUD_SHARE, FRAUD_REASONS),
                                      (RevocationReason.ERROR, ERROR_SHARE, ERROR_REASONS))),
                             (training, ((RevocationReason.ERROR, 0.001, ERROR_REASONS[:1]),))):
            if not pool:
                continue
            for reason, share, notes in shares:
                n = max(1, round(len(pool) * share))
                for cert in rng.sample(pool, min(n, len(pool))):
                    if cert.revoked is None:
                        gap = max(1, min(120, (today - cert.day).days - 1))
                        cert.revoked = (reason, rng.choice(notes),
                                        cert.day + dt.timedelta(days=rng.randint(1, gap)))
                        if cert.pair is not None and reason == RevocationReason.FRAUD:
                            cert.pair.revoked = cert.revoked

    def outside(self, people: list[int], names: dict[int, str], occupations: list[int],
                levels: dict[str, int], today: dt.date) -> None:
        """Certificates recorded from elsewhere: other provinces and the national platform
        (skill-level numbers in the 2019 layout), special-operation certificates of the safety
        authority, and legacy 职业资格证书 of a previous system."""
        rng = self.rng
        if not occupations:
            return
        for i, person in enumerate(people):
            kind_roll = i % 4 if i < 4 else rng.randrange(4)
            day = today - dt.timedelta(days=rng.randint(60, 2000))
            level = rng.choice(("grade5", "grade4", "grade4", "grade3", "grade2"))
            occupation = rng.choice(occupations)
            if kind_roll in (0, 1):  # another province, or the national platform
                province, province_name = rng.choice(OTHER_PROVINCES)
                origin = (CertificateOrigin.OTHER_PROVINCE if kind_roll == 0
                          else CertificateOrigin.NATIONAL)
                year = max(day.year, 2000 + numbering.FIRST_YEAR)
                prefix = numbering.skill_level_prefix(
                    category=rng.choice("SY"), evaluator_code=None, province=province,
                    site_code=f"{province}{rng.randint(1, 9999):04d}", year=year,
                    level_code=level)
                number = numbering.skill_level_number(prefix, rng.randint(1, 99_999))
                body = rng.choice(("职业技能等级认定中心", "技能人才评价中心"))
                issuer = f"{province_name}{body}（演示数据）"
                cert = _Cert(CertificateKind.SKILL_LEVEL, person, names[person], 0,
                             dt.date(year, day.month, min(day.day, 28)), None, issuer,
                             occupation=occupation, level=levels[level], level_code=level,
                             origin=origin, verified=rng.random() < 0.7, number=number)
            elif kind_roll == 2:  # special-operation certificate (应急管理部门)
                work = rng.choice(SPECIAL_OPERATIONS)
                serial = rng.randint(0, 10**10 - 1)
                number = f"T{rng.choice(OTHER_PROVINCES)[0]}{day:%y%m}{serial:010d}"
                cert = _Cert(CertificateKind.SPECIAL_OPERATION, person, names[person], 0, day,
                             None, "贵州省应急管理厅（演示数据）", work_type=work,
                             origin=CertificateOrigin.OTHER_AUTHORITY,
                             verified=rng.random() < 0.6, number=number)
            else:  # legacy 职业资格证书 of a previous system (16 digits)
                year = rng.randint(2008, 2018)
                digit = numbering.DIGIT_OF_LEVEL[level]
                number = (f"{year % 100:02d}52{rng.randint(1, 27):02d}{rng.randint(0, 4)}"
                          f"{rng.randint(1, 999):03d}{digit}{rng.randint(1, 99_999):05d}")
                cert = _Cert(CertificateKind.QUALIFICATION, person, names[person], 0,
                             dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), None,
                             "贵州省职业技能鉴定指导中心", occupation=occupation,
                             level=levels[level], level_code=level,
                             origin=CertificateOrigin.LEGACY, verified=True, number=number)
            self.items.append(cert)

    # --- numbering, signing, writing --------------------------------------------------------

    def _number(self) -> dict[str, int]:
        """Numbers in order of issue, each prefix's sequence continuing from its row; returns
        the last number used per prefix."""
        keys = {}
        patterns: dict[tuple[str, str], numbering.NumberPattern] = {}
        for cert in self.items:
            if cert.number:
                continue
            if cert.prefix[0] == "skill":
                keys[id(cert)] = (cert.prefix[1], None)
            else:
                _, kind, region_code = cert.prefix
                pattern = patterns.get((kind, region_code[:2]))
                if pattern is None:
                    pattern = patterns[(kind, region_code[:2])] = numbering.pattern_for(
                        kind, region_code[:2], issuance.number_patterns())
                values = {"region": region_code[:6], "province": region_code[:2],
                          "year": cert.day.year, "year4": cert.day.year, "site": cert.site}
                # the sequence's key as services.issuance names it: kind and pattern
                keys[id(cert)] = (f"{kind}:{pattern.sequence_key(values)}", (pattern, values))
        last = dict(CertificateSequence.objects.filter(
            prefix__in={k for k, _ in keys.values()}).values_list("prefix", "last"))
        used: dict[str, int] = {}
        for cert in sorted((c for c in self.items if id(c) in keys),
                           key=lambda c: (c.day, c.kind)):
            key, pattern = keys[id(cert)]
            seq = used[key] = used.get(key, last.get(key, 0)) + 1
            cert.number = (numbering.skill_level_number(key, seq) if pattern is None
                           else pattern[0].build(pattern[1], seq))
        return used

    def write(self) -> dict:
        used = self._number()
        issued = [c for c in self.items if c.origin == CertificateOrigin.ISSUED]
        persons, homes = {}, {}
        for pk, masked, home in Person.objects.filter(
                pk__in={c.person for c in self.items}).values_list("pk", "id_masked",
                                                                   "region_id"):
            persons[pk], homes[pk] = _unsaved(Person, {}, id=pk, id_masked=masked), home
        for cert in self.items:  # recorded from outside: the holder's region records it
            if not cert.region:
                cert.region = homes[cert.person]
        regions = {r.pk: r for r in Region.objects.filter(
            pk__in={c.region for c in self.items})}
        occupations = {o.pk: o for o in _occupations({c.occupation for c in self.items})}
        levels = {lv.pk: lv for lv in SkillLevel.objects.all()}
        issuers = {o.pk: o for o in Organization.objects.filter(
            pk__in={c.issuer for c in issued if c.issuer}).only("pk", "credit_code", "name")}
        first = _next_pk(Certificate)
        for i, cert in enumerate(sorted(self.items, key=lambda c: (c.day, c.number))):
            cert.pk = first + i
        objects = []
        for cert in issued:
            objects.append(_unsaved(
                Certificate,
                {"person": persons[cert.person], "occupation": occupations.get(cert.occupation),
                 "level": levels.get(cert.level), "issuer": issuers.get(cert.issuer),
                 "region": regions[cert.region]},
                id=cert.pk, kind=cert.kind, number=cert.number, person_id=cert.person,
                holder_name=cert.name, occupation_id=cert.occupation, work_type=cert.work_type,
                level_id=cert.level, title=cert.title,
                special_ability_item=cert.special_ability_item, training_start=cert.start,
                training_end=cert.end, issuer_id=cert.issuer, issuer_name=cert.issuer_name,
                region_id=cert.region, issued_on=cert.day))
        signing.certificates_sign_bulk(objects, save=False)
        signed = {o.pk: o for o in objects}
        rows, history = [], []
        first_history = _next_pk(CertificateStatusChange)
        for cert in sorted(self.items, key=lambda c: c.pk):
            o = signed.get(cert.pk)
            revoked = cert.revoked
            outside = o is None
            rows.append((
                cert.pk, cert.kind, cert.number, cert.origin, cert.verified,
                VERIFIED_NOTE if outside and cert.verified else "",
                DEMO_USER if outside and cert.verified else "",
                _at(cert.day + dt.timedelta(days=30), 10) if outside and cert.verified
                else None, cert.person,
                cert.name, cert.occupation, cert.work_type, cert.level,
                cert.special_ability_item, cert.title,
                cert.training_class, cert.start, cert.end, cert.issuer, cert.issuer_name,
                cert.region, cert.day, cert.candidate, cert.pair.pk if cert.pair else None,
                CertificateStatus.REVOKED if revoked else CertificateStatus.VALID,
                revoked[2] if revoked else None, revoked[0] if revoked else "",
                o.status_index if o else None, o.key_id if o else "",
                o.signature if o else "", o.signed_payload if o else {},
                _fingerprint(cert) if outside else "", DEMO_USER,
                _at(cert.day, 17)))
            if revoked:
                history.append((first_history + len(history), cert.pk, "revoke",
                                CertificateStatus.VALID, CertificateStatus.REVOKED,
                                revoked[2], revoked[1], {"revocation_reason": revoked[0]},
                                None, DEMO_USER, _at(revoked[2], 10)))
        _insert(Certificate, [
            "id", "kind", "number", "origin", "verified", "verified_note", "verified_by",
            "verified_at", "person_id", "holder_name",
            "occupation_id", "work_type", "level_id", "special_ability_item", "title",
            "training_class_id", "training_start", "training_end", "issuer_id", "issuer_name",
            "region_id", "issued_on", "candidate_id", "paired_with_id", "status", "revoked_on",
            "revocation_reason", "status_index", "key_id", "signature", "signed_payload",
            "fingerprint", "recorded_by", "created_at"], rows)
        _insert(CertificateStatusChange, [
            "id", "certificate_id", "action", "from_status", "to_status", "effective_date",
            "reason", "note", "actor_id", "actor_username", "at"], history)
        first_sequence = _next_pk(CertificateSequence)
        existing = set(CertificateSequence.objects.filter(prefix__in=list(used))
                       .values_list("prefix", flat=True))
        new_sequences = [(first_sequence + i, prefix, last) for i, (prefix, last) in
                         enumerate(sorted((p, v) for p, v in used.items() if p not in existing))]
        for prefix in existing:
            CertificateSequence.objects.filter(prefix=prefix).update(last=used[prefix])
        _insert(CertificateSequence, ["id", "prefix", "last"], new_sequences)
        _reset_sequences(CertificateSequence)
        kinds: dict[str, int] = defaultdict(int)
        for cert in self.items:
            kinds[cert.kind if cert.origin == CertificateOrigin.ISSUED else "outside"] += 1
        counts = {"certificates": len(rows), "certificates_signed": len(objects),
                  "certificates_revoked": sum(1 for c in self.items if c.revoked),
                  "certificates_dual": sum(1 for c in issued if c.pair is not None) // 2,
                  **{f"certificates_{k}": v for k, v in sorted(kinds.items())}}
        blocks = [("assessment.certificate", first, first + len(rows) - 1),
                  ("assessment.certificatestatuschange", first_history,
                   first_history + len(history) - 1),
                  ("assessment.certificatesequence", first_sequence,
                   first_sequence + len(new_sequences) - 1)]
        return {"counts": counts, "blocks": blocks}


def _fingerprint(cert: _Cert) -> str:
    """The content print the outside area gives a recorded certificate (a later import of the
    same certificate counts once)."""
    from jineng.assessment.services.outside import content_fingerprint

    return content_fingerprint({
        "kind": cert.kind, "origin": cert.origin, "person_id": cert.person,
        "holder_name": cert.name, "occupation_id": cert.occupation,
        "work_type": cert.work_type, "level_id": cert.level, "special_ability_item": "",
        "title": cert.title, "issuer_name": cert.issuer_name, "issued_on": cert.day,
        "training_start": cert.start, "training_end": cert.end})

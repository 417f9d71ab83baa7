"""Shared records of the outside-certificate tests."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from jineng.assessment import services
from jineng.core.tabular import write_csv
from jineng.registry.models import Occupation, SkillLevel
from tests import factories as f

ISSUED = dt.date(2025, 6, 30)


def number(seq: int = 1, *, level_digit: str = "5", year: str = "25",
           letter: str = "S") -> str:
    return f"{letter}000052000001{year}{level_digit}{seq:06d}"


def occupation() -> Occupation:
    return Occupation.objects.filter(name="养老护理员").order_by("pk").first()


def level(code: str = "grade5") -> SkillLevel:
    return SkillLevel.objects.get(code=code)


def data(person, **kw) -> services.OutsideCertificateInput:
    values = {
        "kind": "skill_level", "number": number(), "origin": "other_province",
        "id_number": person.plain_id, "holder_name": person.name,
        "issuer_name": "湖南省某评价机构", "issued_on": ISSUED, "occupation": occupation(),
        "level": level(),
    }
    values.update(kw)
    return services.OutsideCertificateInput(**values)


def person(**kw):
    """A registered person in the home county, with `plain_id` kept for the tests."""
    plain = kw.pop("plain_id", None) or f.id_number_for()
    p = f.PersonFactory(plain_id=plain, **kw)
    p.plain_id = plain
    return p


def csv_file(columns, rows: list[dict], name: str = "certs.csv") -> SimpleUploadedFile:
    body = write_csv([c.label for c in columns],
                     [[r.get(c.name, "") for c in columns] for r in rows])
    return SimpleUploadedFile(name, body, content_type="text/csv")


def cert_row(p, **kw) -> dict:
    row = {"kind": "职业技能等级证书", "number": number(), "origin": "other_province",
           "id_number": p.plain_id, "holder_name": p.name, "occupation": "养老护理员",
           "level": "初级工", "issuer_name": "湖南省某评价机构", "issued_on": "2025-06-30",
           "verified": "否"}
    row.update(kw)
    return row

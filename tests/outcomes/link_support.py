"""Building record links for the linkage tests: an import, registered persons and rows as the
importer leaves them (pending, no candidate, the row's fields in `payload`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

from jineng.core import pii
from jineng.outcomes.choices import ImportKind, ImportSource, LinkReason, LinkStatus
from jineng.outcomes.models import InsuranceImport, RecordLink
from tests import factories as f

_seq = itertools.count(1)


def an_import(*, region: str = f.PROVINCE, kind: str = ImportKind.RECORDS) -> InsuranceImport:
    n = next(_seq)
    return InsuranceImport.objects.create(
        kind=kind, source=ImportSource.API, content_sha256=hashlib.sha256(
            f"link-{n}".encode()).hexdigest(), region=f.region(region))


def person(name: str, birth: dt.date, county: str = f.COUNTY, seq: int | None = None):
    number = f.id_number_for(county, birth, seq)
    created = f.PersonFactory(plain_id=number, name=name, region=f.region(county))
    created.plain_id = number  # kept for the tests (the factory does not store it)
    return created


def link(imp: InsuranceImport, *, name: str, birth: dt.date | None, county: str = f.COUNTY,
         id_given: str = "", employer: str | None = None, month: str = "2026-03-01",
         kind: str = ImportKind.RECORDS, payload: dict | None = None) -> RecordLink:
    n = next(_seq)
    employer = employer or f.credit_code_for(f.CITY, 90000 + n % 1000)
    if payload is None:
        payload = {"employer_code": employer, "employer_region": f.CITY, "month": month,
                   "pension": True, "unemployment": True, "injury": False,
                   "wage_base": "4500.00"}
    return RecordLink.objects.create(
        kind=kind, source_import=imp, row_number=n, row_key=f"row-{n}",
        reason=LinkReason.INVALID if id_given else LinkReason.MISSING, name=name,
        birth_date=birth, region=f.region(county),
        id_given_masked=pii.mask_id_number(id_given) if id_given else "",
        id_given_encrypted=pii.encrypt(id_given) if id_given else "", payload=payload,
        status=LinkStatus.PENDING)


def wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")

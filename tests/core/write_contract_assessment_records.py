"""Write-contract cases of the assessment app's records area (see tests/core/write_contract.py):
the worker's identity check (public writes: the actor is the anonymous visitor) and the
audited openings of a skill record."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from jineng.assessment import services as assessment
from jineng.core.errors import DomainError, NotFound
from jineng.core.models import AuditAction as A
from jineng.registry.models import Person
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case

CHALLENGE = "assessment.identitychallenge"
RECORD = "assessment.skillrecord"


def _worker(n: int) -> tuple[Person, str]:
    number = f.id_number_for(n=n)
    return f.PersonFactory(plain_id=number, name="合约工人", phone="13900002222"), number


@case("assessment.identity_challenge_start", audit=[(A.CREATE, CHALLENGE)])
def _identity_challenge_start() -> Attempts:
    _person, number = _worker(981)
    for i in range(10):  # one address at its hour's limit
        assessment.identity_challenge_start(actor=AnonymousUser(),
                                            id_number=f.id_number_for(n=982 + i),
                                            name="某人", client_address="10.7.7.7")
    anon = AnonymousUser()
    return Attempts(ok={"actor": anon, "id_number": number, "name": "合约工人",
                        "client_address": "10.7.7.1"}, refused=[
        Refused({"actor": anon, "id_number": number[:17] + "X" if number[17] != "X"
                 else number[:17] + "0", "name": "合约工人"}, DomainError,
                "invalid ID number (check digit)"),
        Refused({"actor": anon, "id_number": number, "name": " "}, DomainError, "no name"),
        Refused({"actor": anon, "id_number": number, "name": "合约工人",
                 "client_address": "10.7.7.7"}, DomainError,
                "too many identity checks from this address"),
    ])


@case("assessment.identity_challenge_verify", audit=[(A.LOGIN, CHALLENGE)])
def _identity_challenge_verify(settings) -> Attempts:
    settings.DEMO, settings.JINENG_SMS_BACKEND = True, ""  # the code comes back (demo)
    _person, number = _worker(991)
    anon = AnonymousUser()
    started = assessment.identity_challenge_start(actor=anon, id_number=number,
                                                  name="合约工人")
    code = started.demo_code
    assert code
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    unmatched = assessment.identity_challenge_start(actor=anon, id_number=f.id_number_for(n=992),
                                                    name="无此人")
    return Attempts(ok={"actor": anon, "challenge_id": started.challenge_id, "code": code},
                    refused=[
        Refused({"actor": anon, "challenge_id": started.challenge_id, "code": wrong},
                DomainError, "wrong code (the try is kept and audited)",
                audit=[(A.LOGIN_FAILED, CHALLENGE)]),
        Refused({"actor": anon, "challenge_id": started.challenge_id, "code": "12x456"},
                DomainError, "not a 6-digit code"),
        Refused({"actor": anon, "challenge_id": unmatched.challenge_id, "code": code},
                DomainError, "a check that matched no one"),
        Refused({"actor": anon, "challenge_id": 10 ** 9, "code": code}, DomainError,
                "unknown check"),
    ], side_effects={"assessment.IdentityChallenge": "a wrong code counts a try, on purpose"})


@case("assessment.own_skill_record_open", audit=[(A.EXPORT, RECORD)])
def _own_skill_record_open() -> Attempts:
    person, _number = _worker(993)
    duplicate, _ = _worker(994)
    Person.objects.filter(pk=duplicate.pk).update(merged_into=person)
    anon = AnonymousUser()
    return Attempts(ok={"actor": anon, "verified_person_id": person.pk}, refused=[
        Refused({"actor": anon, "verified_person_id": 10 ** 9}, NotFound, "no such person"),
        Refused({"actor": anon, "verified_person_id": duplicate.pk}, NotFound,
                "a merged duplicate"),
        Refused({"actor": anon, "verified_person_id": person.pk, "fmt": "xlsx"}, DomainError,
                "unknown format"),
    ])


@case("assessment.skill_record_export", audit=[(A.EXPORT, RECORD)])
def _skill_record_export() -> Attempts:
    person, _number = _worker(995)
    staff = f.staff("county_staff", f.COUNTY)
    return Attempts(ok={"actor": staff, "person": person}, refused=[
        Refused({"actor": f.staff("city_staff", f.OTHER_CITY), "person": person}, NotFound,
                "out of scope"),
        Refused({"actor": AnonymousUser(), "person": person}, NotFound, "the public"),
        Refused({"actor": staff, "person": person, "fmt": "xlsx"}, DomainError,
                "unknown format"),
    ])

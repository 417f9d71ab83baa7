"""Filings under concurrency, on PostgreSQL (real row locks): the same worker's filing sent
twice at once is recorded once (the person's row lock orders them; the second answers the
first's claim); two different subsidies of one person at once are decided one after the
other, so the second sees the first."""

from __future__ import annotations

import pytest
from django.db import connection

from jineng.subsidy.models import SubsidyClaim
from jineng.subsidy.services import applications
from tests.concurrency import in_threads
from tests.subsidy import app_helpers as ah
from tests.subsidy import helpers as sh

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def slow_claims():
    """Each claim insert takes 0.4 s: without the person's lock both filings would read the
    history before either claim is written."""
    table = SubsidyClaim._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_claim() RETURNS trigger "
                       "AS $$ BEGIN PERFORM pg_sleep(0.4); RETURN NEW; END $$ "
                       "LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow_claim BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_claim()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow_claim ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_claim()")


def _file(person, cert, kind="certificate"):
    return lambda: applications.claim_file(
        actor=None, kind=kind, certificate_id=cert.pk, account=sh.ACCOUNT, bank_name=sh.BANK,
        verified_person_id=person.pk, claim_date=ah.DAY)


def test_the_same_filing_twice_at_once_counts_once(monkeypatch, slow_claims):
    sh.use_params(monkeypatch, ah.params())
    _a, person, cert = ah.trainee()
    first, second = in_threads(_file(person, cert), _file(person, cert))
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first.claim.pk == second.claim.pk
    assert sorted([first.created, second.created]) == [False, True]
    assert SubsidyClaim.objects.filter(person=person).count() == 1


def test_two_subsidies_of_one_person_at_once_are_decided_in_turn(monkeypatch, slow_claims):
    sh.use_params(monkeypatch, ah.params())
    _a, person, cert = ah.trainee()
    ah.insure(person, 12)
    _race(monkeypatch, person, cert)


def _race(monkeypatch, person, cert) -> None:
    results = in_threads(_file(person, cert), _file(person, cert, "upskilling"))
    assert not any(isinstance(r, Exception) for r in results), results
    statuses = sorted(r.claim.status for r in results)
    # one certificate, one kind of the family at a time: the second sees the first
    assert statuses == ["refused", "submitted"], [(r.claim.kind, r.claim.refusal_code)
                                                  for r in results]


def test_the_same_uplift_twice_at_once_counts_once(monkeypatch, slow_claims):
    """An uplift has no person (and no unique constraint): the class's row lock orders the two
    filings, the second answers the first's claim."""
    from tests import factories as f
    from tests.subsidy import class_kind_helpers as ck

    sh.use_params(monkeypatch, ck.params())
    sh.budget()
    a = sh.assessed_class(2)
    sh.approved(a)
    ck.measured(a, [True, True])
    staff = f.staff("county_staff", f.COUNTY)

    def uplift(actor):
        return lambda: applications.claim_file(
            actor=actor, kind="employment_uplift", class_id=a.cls.pk, account=sh.ACCOUNT,
            bank_name=sh.BANK, claim_date=ck.UPLIFT_DAY)

    first, second = in_threads(uplift(a.world.operator), uplift(staff))
    assert not isinstance(first, Exception), first
    assert not isinstance(second, Exception), second
    assert first.claim.pk == second.claim.pk
    assert sorted([first.created, second.created]) == [False, True]
    assert SubsidyClaim.objects.filter(kind="employment_uplift").count() == 1

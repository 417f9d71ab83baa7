"""The full scan's kept contact hashes (supervision.services.contact_cache), on PostgreSQL
outside a transaction (the scan's exported snapshot): after any write the scan's `contacts`
table is exactly the one read without the cache (the Python read) — a phone two trainees come
to share, one cleared, a person who held a trainee's address before enrolling, a non-trainee
sharing an address — and the cache says whether it was brought up to date or made again whole,
and why (a new key, a rewritten persons table)."""

from __future__ import annotations

import ibis
import pytest
from django.db import connection

from jineng.registry.models import Person
from jineng.supervision.services import snapshot as snap
from jineng.training.choices import EnrollmentStatus
from jineng.training.models import Enrollment
from tests.supervision.test_scan import planted_class
from tests.training import helpers as h

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the cache follows PostgreSQL's transaction ids"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def cache_dir(settings, tmp_path):
    settings.RISK_CACHE_ROOT = tmp_path / "risk-cache"
    return settings.RISK_CACHE_ROOT


def _load() -> tuple[list, dict | None]:
    """(the contacts the scan loads, the kept hashes' report), checked against the Python
    read (no cache)."""
    con = ibis.duckdb.connect()
    try:
        loaded, _regions, rows, seconds = snap.load_snapshot_into(con, copy=True)
        contacts = sorted(map(repr, loaded["contacts"].to_pyarrow().to_pylist()))
    finally:
        con.disconnect()
    py, _ = snap.build_snapshot()
    assert contacts == sorted(map(repr, py["contacts"].to_pylist()))
    assert rows["contacts"] == len(contacts)
    return contacts, seconds.get("contacts_cache")


def _persons(cls) -> list[Person]:
    return [e.person for e in cls.enrollments.select_related("person").order_by("pk")]


def test_written_persons_are_hashed_again_and_the_table_is_the_uncached_one(cache_dir) -> None:
    w, cls = planted_class()
    a, b, c = _persons(cls)[:3]
    Person.objects.filter(pk=a.pk).update(phone="13800001111", address="")
    Person.objects.filter(pk=b.pk).update(phone="13900002222", address="")
    contacts, report = _load()
    assert contacts == [] and report["mode"] == "built" and report["reason"] == "no cache"
    assert report["hashed"] >= 2

    # nothing written: brought up to date, the same table
    contacts, report = _load()
    assert contacts == [] and report["mode"] == "updated"

    # b takes a's phone (written full-width: the same digits): a's hash was kept, b's is new
    Person.objects.filter(pk=b.pk).update(phone="１３８-0000-1111")
    contacts, report = _load()
    assert report["mode"] == "updated" and report["written"] >= 1
    assert len(contacts) == 2 and all("'kind': 'phone'" in r for r in contacts)
    assert {f"'person_id': {a.pk}," in r or f"'person_id': {b.pk}," in r
            for r in contacts} == {True}

    # a clears the phone: the pair is gone
    Person.objects.filter(pk=a.pk).update(phone="")
    contacts, report = _load()
    assert contacts == [] and report["mode"] == "updated"

    # someone whose enrollment was withdrawn (not a trainee of the scan) shares c's address:
    # no pair; once enrolled again, the address kept since before (the person's row is not
    # written again) links them
    address = "贵阳市南明区人民路18号三单元"
    Person.objects.filter(pk=c.pk).update(address=address)
    enrollment = h.enroll(w, h.declare(w, teachers=()))
    Person.objects.filter(pk=enrollment.person_id).update(address=address.replace("18", "１８"))
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.WITHDRAWN)
    contacts, report = _load()
    assert contacts == [] and report["mode"] == "updated"
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.ENROLLED)
    contacts, report = _load()
    assert report["mode"] == "updated"
    assert len(contacts) == 2 and all("'kind': 'address'" in r for r in contacts)


def test_a_new_key_or_a_rewritten_table_makes_the_hashes_again(tmp_path, settings) -> None:
    settings.RISK_CACHE_ROOT = None  # without the event cache: read as before, nothing kept
    _w, cls = planted_class()
    a, b = _persons(cls)[:2]
    Person.objects.filter(pk__in=[a.pk, b.pk]).update(phone="13800001111")
    contacts, report = _load()
    assert len(contacts) == 2 and report is None

    settings.RISK_CACHE_ROOT = tmp_path / "risk-cache"
    kept, report = _load()
    assert kept == contacts and report["mode"] == "built"

    settings.PII_HASH_KEY = settings.PII_HASH_KEY + "-rotated"
    rotated, report = _load()
    assert report["mode"] == "built" and report["reason"] == "the key or the normalisation changed"
    assert len(rotated) == 2 and set(rotated).isdisjoint(contacts)

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM FULL {Person._meta.db_table}")
    again, report = _load()
    assert report["mode"] == "built"
    assert report["reason"] == "the persons table was truncated or rewritten"
    assert again == rotated

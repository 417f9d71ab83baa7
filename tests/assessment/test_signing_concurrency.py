"""Signing under concurrency, on PostgreSQL (real row locks): two issuers signing at the same
moment — even the very first signatures, when no key exists yet — get disjoint status-list
indices and one signing key."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from jineng.assessment import services
from jineng.assessment.models import Certificate, SigningKey
from tests.assessment.signing_support import issued_certificate

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks (select_for_update) need PostgreSQL; SQLite "
                              "serializes every write and cannot show the race"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _in_threads(*calls, timeout: float = 60) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=timeout)
            results[i] = call()
        except Exception as error:  # handed back to the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


def _sign(pks: list[int]):
    def call():
        services.certificates_sign_bulk(
            Certificate.objects.filter(pk__in=pks).select_related(
                "person", "region", "level", "occupation", "issuer"))
    return call


def test_two_issuers_at_once_get_disjoint_indices_and_one_key():
    batches = [[issued_certificate(sign=False).pk for _ in range(20)] for _ in range(3)]
    assert not SigningKey.objects.exists()
    results = _in_threads(*[_sign(b) for b in batches])
    assert results == [None, None, None], results
    indices = list(Certificate.objects.values_list("status_index", flat=True))
    assert len(indices) == 60 and None not in indices
    assert sorted(indices) == list(range(60))
    assert SigningKey.objects.count() == 1
    assert set(Certificate.objects.values_list("key_id", flat=True)) == {
        SigningKey.objects.get().key_id}

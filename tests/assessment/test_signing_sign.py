"""Signing certificates: the first key made on first use, the payload, the status index."""

from __future__ import annotations

import pytest

from jineng.assessment import services
from jineng.assessment.models import Certificate, SigningKey
from jineng.assessment.rules import documents
from jineng.assessment.rules.canonical import canonical
from tests.assessment.signing_support import issued_certificate

pytestmark = pytest.mark.django_db


def _keys() -> dict:
    return {k.key_id: (documents.b64_std_decode(k.public_key), k.valid_from, k.valid_until)
            for k in SigningKey.objects.all()}


def test_first_signature_creates_the_first_key_and_signs_canonical_payload():
    assert not SigningKey.objects.exists()
    certificate = issued_certificate(name="张小三")
    key = SigningKey.objects.get()
    assert certificate.key_id == key.key_id
    assert certificate.status_index == 0
    payload = certificate.signed_payload
    assert payload["number"] == certificate.number
    assert payload["holder"]["name"] == "张小三"
    assert "*" in payload["holder"]["id_number_masked"]
    assert certificate.person.id_masked == payload["holder"]["id_number_masked"]
    assert payload["status"]["index"] == "0"
    assert payload["verify_url"].endswith(f"/assessment/c/{certificate.number}/")
    assert payload["level"]["name"] == "中级工"
    # The stored signature checks out over the canonical payload.
    document = {"format": documents.FORMAT, "payload": payload, "key_id": key.key_id,
                "signature": certificate.signature}
    outcome = documents.verify_document(documents.document_bytes(document), _keys())
    assert outcome.result == documents.VALID
    # The private key is stored encrypted, never in the clear.
    assert key.private_key_encrypted.startswith("gAAAA")
    canonical(payload)  # strings only


def test_bulk_signing_takes_consecutive_indices_with_one_key():
    first = issued_certificate()
    others = [issued_certificate(sign=False) for _ in range(3)]
    services.certificates_sign_bulk(Certificate.objects.filter(pk__in=[c.pk for c in others])
                                    .select_related("person", "region", "level", "occupation",
                                                    "issuer"))
    indices = sorted(Certificate.objects.filter(pk__in=[c.pk for c in others])
                     .values_list("status_index", flat=True))
    assert indices == [first.status_index + 1, first.status_index + 2, first.status_index + 3]
    assert set(Certificate.objects.values_list("key_id", flat=True)) == {first.key_id}
    assert SigningKey.objects.count() == 1


def test_key_periods_never_overlap_and_a_planned_switch_happens():
    import datetime as dt
    import itertools

    from django.utils import timezone

    from jineng.accounts.models import Role
    from jineng.core.errors import DomainError
    from tests import factories as f

    admin = f.staff(Role.SYSTEM_ADMIN)
    first = services.signing_key_create(actor=admin)
    later = timezone.now() + dt.timedelta(days=10)
    planned = services.signing_key_create(actor=admin, valid_from=later)
    first.refresh_from_db()
    assert first.valid_until == later and planned.valid_until is None
    with pytest.raises(DomainError):
        services.signing_key_create(actor=admin, valid_from=later - dt.timedelta(days=1))
    rotated = services.signing_key_rotate(actor=admin)
    first.refresh_from_db()
    assert first.valid_until == rotated.valid_from
    assert rotated.valid_until == later  # the planned key still takes over
    assert services.current_signing_key().key_id == rotated.key_id
    assert services.current_signing_key(later + dt.timedelta(seconds=1)).key_id == \
        planned.key_id
    periods = sorted((k.valid_from, k.valid_until) for k in SigningKey.objects.all())
    for (_start, end), (next_start, _end) in itertools.pairwise(periods):
        assert end is not None and end <= next_start

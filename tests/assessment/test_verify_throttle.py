"""Public certificate checks are rate-limited per client address (assessment.throttle, on
core.ratelimit): the QR status page, the verify page and their API twins answer 429 with a
clear message once the hour's limit is reached, so certificate numbers cannot be walked."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from jineng.core.models import AuditEvent, RateCounter
from tests.openapi import OpenApiClient

pytestmark = pytest.mark.django_db

NUMBER = "S000052000001265000001"


@override_settings(JINENG_PUBLIC_VERIFY_PER_HOUR=3)
def test_the_status_page_answers_429_past_the_limit(client):
    url = reverse("assessment:signing_certificate_public", args=[NUMBER])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(url)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert 'id="throttled"' in refused.content.decode()
    assert "data-result" not in refused.content.decode()  # nothing of the certificate
    # another address is counted on its own
    assert client.get(url, REMOTE_ADDR="10.9.8.7").status_code == 200
    # the first refusal of the window is audited, once
    client.get(url)
    assert AuditEvent.objects.filter(action="throttled",
                                     entity_id="assessment.verify").count() == 1


@override_settings(JINENG_PUBLIC_VERIFY_PER_HOUR=2)
def test_the_verify_page_counts_with_the_status_page(client):
    verify = reverse("assessment:signing_verify")
    assert client.get(verify).status_code == 200  # showing the form is not a check
    assert client.post(verify, {"number": NUMBER}).status_code == 302
    assert client.get(reverse("assessment:signing_certificate_public",
                              args=[NUMBER])).status_code == 200
    refused = client.post(verify, {"number": NUMBER})
    assert refused.status_code == 429


@override_settings(JINENG_PUBLIC_VERIFY_PER_HOUR=2)
def test_the_api_answers_429(client):
    api = OpenApiClient(client)
    for _ in range(2):
        assert api.call("assessment_certificate_public_status",
                        path={"number": NUMBER}).status == 200
    refused = api.call("assessment_certificate_public_status", path={"number": NUMBER})
    assert refused.status == 429 and refused.error_codes() == ["throttled"]
    assert RateCounter.objects.get(scope="assessment.verify").count == 3

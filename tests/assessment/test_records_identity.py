"""The worker's own record on the public site: ID number + name, a one-time code sent to the
registered phone, then the record for a limited time. Right and wrong codes, expiry, tries,
limits per person and per client address, and an answer that never tells whether the person
is registered."""

import datetime as dt
import logging
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jineng.assessment import services
from jineng.assessment.models import IdentityChallenge
from jineng.assessment.rules import records as rules
from jineng.core.errors import DomainError
from jineng.core.models import AuditEvent
from tests import factories as f
from tests.assessment import records_support as rs

pytestmark = pytest.mark.django_db

SENT: list[tuple[str, str]] = []
START = reverse("assessment:records_own")
CODE = reverse("assessment:records_own_code")


class Gateway:
    """A stand-in SMS gateway: keeps what it was given."""

    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


@pytest.fixture
def gateway(settings):
    settings.JINENG_SMS_BACKEND = "tests.assessment.test_records_identity.Gateway"
    settings.DEMO = False
    SENT.clear()
    return SENT


@pytest.fixture
def worker():
    plain = f.id_number_for(n=731)
    person = f.PersonFactory(plain_id=plain, name="王小燕", phone="13900001111")
    person.plain_id = plain
    rs.certificate(person, issued_on=dt.date(2026, 7, 1))
    return person


def _code(sent) -> str:
    return re.search(r"\b(\d{6})\b", sent[-1][1]).group(1)


def _start(client, id_number, name, capture, address="10.0.0.1"):
    with capture(execute=True):
        return client.post(START, {"id_number": id_number, "name": name},
                           REMOTE_ADDR=address)


def _without_csrf(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def test_right_code_shows_the_own_record_masked_and_audited(
        client, worker, gateway, django_capture_on_commit_callbacks):
    answer = _start(client, worker.plain_id, " 王小燕 ", django_capture_on_commit_callbacks)
    assert answer.status_code == 302 and answer["Location"] == CODE
    assert len(gateway) == 1 and gateway[0][0] == "13900001111"
    code = _code(gateway)
    challenge = IdentityChallenge.objects.get()
    assert challenge.person_id == worker.pk and challenge.code_hash
    assert code not in challenge.code_hash and len(challenge.code_hash) == 64  # hashed at rest
    page = client.get(CODE).content.decode()
    assert code not in page  # a gateway is configured: never shown

    verified = client.post(CODE, {"code": code}, REMOTE_ADDR="10.0.0.1")
    assert verified.status_code == 302 and verified["Location"] == START
    record = client.get(START).content.decode()
    assert worker.id_masked in record and worker.plain_id not in record
    assert 'id="record-certificates"' in record and 'id="record-logout"' in record
    pdf = client.get(reverse("assessment:records_own_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    events = list(AuditEvent.objects.order_by("id").values_list("action", "entity_type"))
    assert events == [("create", "assessment.identitychallenge"),
                      ("login", "assessment.identitychallenge"),
                      ("export", "assessment.skillrecord"),
                      ("export", "assessment.skillrecord")]
    trail = str(list(AuditEvent.objects.values("entity_label", "before", "after", "reason")))
    assert worker.plain_id not in trail and code not in trail and "13900001111" not in trail
    assert worker.id_masked in trail and "王**" in trail
    assert set(AuditEvent.objects.values_list("region_code", flat=True)) == {f.COUNTY}

    # the code is used up
    with pytest.raises(DomainError):
        services.identity_challenge_verify(actor=None, challenge_id=challenge.pk, code=code)

    # closing the record ends it
    client.post(reverse("assessment:records_own_logout"))
    assert 'id="record-start"' in client.get(START).content.decode()


def test_the_answer_never_tells_whether_the_person_is_registered(
        client, worker, gateway, django_capture_on_commit_callbacks):
    no_phone_id = f.id_number_for(n=734)
    no_phone = f.PersonFactory(plain_id=no_phone_id, phone="")
    unregistered = f.id_number_for(n=732)
    pages = []
    for id_number, name in [(worker.plain_id, "王小燕"), (worker.plain_id, "王小雁"),
                            (unregistered, "王小燕"), (no_phone_id, no_phone.name)]:
        client.cookies.clear()
        answer = _start(client, id_number, name, django_capture_on_commit_callbacks)
        assert (answer.status_code, answer["Location"]) == (302, CODE)
        page = client.get(CODE)
        pages.append((page.status_code, _without_csrf(page.content.decode())))
        wrong = client.post(CODE, {"code": "000000"})
        pages.append((wrong.status_code, _without_csrf(wrong.content.decode())))
    assert len(set(pages[0::2])) == 1 and len(set(pages[1::2])) == 1
    assert len(gateway) == 1  # only the matching person with a phone got a code
    assert IdentityChallenge.objects.count() == 4
    assert IdentityChallenge.objects.filter(person__isnull=True).count() == 3


def test_the_code_is_shown_only_in_the_demo_without_a_gateway_and_logged_only_in_debug(
        client, worker, settings, caplog, django_capture_on_commit_callbacks):
    settings.JINENG_SMS_BACKEND = ""
    settings.DEMO, settings.DEBUG = False, False
    with caplog.at_level(logging.INFO, logger="jineng.sms"):
        _start(client, worker.plain_id, "王小燕", django_capture_on_commit_callbacks)
    assert 'id="demo-code"' not in client.get(CODE).content.decode()
    assert not caplog.records

    settings.DEBUG = True
    with caplog.at_level(logging.INFO, logger="jineng.sms"):
        _start(client, worker.plain_id, "王小燕", django_capture_on_commit_callbacks)
    assert 'id="demo-code"' not in client.get(CODE).content.decode()
    logged = re.search(r"\b(\d{6})\b", caplog.records[-1].getMessage())
    assert logged and "139****1111" in caplog.records[-1].getMessage()

    settings.DEMO, settings.DEBUG = True, False
    _start(client, worker.plain_id, "王小燕", django_capture_on_commit_callbacks)
    page = client.get(CODE).content.decode()
    shown = re.search(r'id="demo-code".*?<strong>(\d{6})</strong>', page, re.S).group(1)
    assert client.post(CODE, {"code": shown}).status_code == 302
    assert worker.id_masked in client.get(START).content.decode()

    # the demo shows nothing for details that match no one
    client.cookies.clear()
    _start(client, f.id_number_for(n=733), "王小燕", django_capture_on_commit_callbacks)
    assert 'id="demo-code"' not in client.get(CODE).content.decode()


def test_wrong_codes_count_and_five_use_the_check_up(worker, gateway,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = services.identity_challenge_start(actor=None, id_number=worker.plain_id,
                                                    name="王小燕", client_address="10.0.0.2")
    code = _code(gateway)
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for n in range(1, rules.MAX_ATTEMPTS + 1):
        with pytest.raises(DomainError) as refused:
            services.identity_challenge_verify(actor=None, challenge_id=started.challenge_id,
                                               code=wrong)
        assert refused.value.field == "code"
        assert IdentityChallenge.objects.get().attempts == n
    assert AuditEvent.objects.filter(action="login_failed").count() == rules.MAX_ATTEMPTS
    with pytest.raises(DomainError):  # the right code, too late
        services.identity_challenge_verify(actor=None, challenge_id=started.challenge_id,
                                           code=code)
    assert IdentityChallenge.objects.get().used_at is None
    with pytest.raises(DomainError) as malformed:
        services.identity_challenge_verify(actor=None, challenge_id=started.challenge_id,
                                           code="12ab")
    assert malformed.value.field == "code"


def test_a_code_expires(worker, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = services.identity_challenge_start(actor=None, id_number=worker.plain_id,
                                                    name="王小燕")
    code = _code(gateway)
    assert started.expires_at - timezone.now() <= rules.CODE_TTL
    IdentityChallenge.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(DomainError):
        services.identity_challenge_verify(actor=None, challenge_id=started.challenge_id,
                                           code=code)
    IdentityChallenge.objects.update(expires_at=timezone.now() + dt.timedelta(minutes=1))
    assert services.identity_challenge_verify(
        actor=None, challenge_id=started.challenge_id, code=code) == worker.pk


def test_limits_per_person_and_per_address(client, worker, gateway,
                                           django_capture_on_commit_callbacks):
    # per person: a few codes an hour, then the same answer and no code
    for n in range(rules.CODES_PER_PERSON + 2):
        with django_capture_on_commit_callbacks(execute=True):
            started = services.identity_challenge_start(
                actor=None, id_number=worker.plain_id, name="王小燕",
                client_address=f"10.1.0.{n}")
        assert started.challenge_id
    assert len(gateway) == rules.CODES_PER_PERSON
    # an hour later the person may have codes again
    IdentityChallenge.objects.update(created_at=timezone.now() - rules.LIMIT_WINDOW)
    with django_capture_on_commit_callbacks(execute=True):
        services.identity_challenge_start(actor=None, id_number=worker.plain_id,
                                          name="王小燕", client_address="10.1.1.1")
    assert len(gateway) == rules.CODES_PER_PERSON + 1

    # per client address: starts are counted whoever they name; the next one is refused
    IdentityChallenge.objects.all().delete()
    for n in range(rules.STARTS_PER_ADDRESS):
        services.identity_challenge_start(actor=None, id_number=f.id_number_for(n=800 + n),
                                          name="某人", client_address="10.9.9.9")
    before = IdentityChallenge.objects.count()
    answer = client.post(START, {"id_number": worker.plain_id, "name": "王小燕"},
                         REMOTE_ADDR="10.9.9.9")
    assert answer.status_code == 400
    assert "Too many identity checks from your address" in answer.content.decode()
    assert IdentityChallenge.objects.count() == before
    # another address is not held back
    assert client.post(START, {"id_number": worker.plain_id, "name": "王小燕"},
                       REMOTE_ADDR="10.9.9.8").status_code == 302


def test_a_verified_session_lasts_a_limited_time(client, worker, gateway,
                                                 django_capture_on_commit_callbacks):
    _start(client, worker.plain_id, "王小燕", django_capture_on_commit_callbacks)
    client.post(CODE, {"code": _code(gateway)})
    assert worker.id_masked in client.get(START).content.decode()
    session = client.session
    held = session["assessment.records.person"]
    assert held["until"] - timezone.now().timestamp() <= rules.SESSION_TTL.total_seconds()
    session["assessment.records.person"] = {**held, "until": timezone.now().timestamp() - 1}
    session.save()
    page = client.get(START).content.decode()
    assert worker.id_masked not in page and 'id="record-start"' in page
    assert client.get(reverse("assessment:records_own_pdf")).status_code == 302


def test_invalid_input_is_refused_naming_the_field_and_writes_nothing(client):
    answer = client.post(START, {"id_number": "520102199001011230", "name": "王"})
    assert answer.status_code == 400
    assert 'data-field="id_number"' in answer.content.decode()
    with pytest.raises(DomainError) as refused:
        services.identity_challenge_start(actor=None, id_number=f.id_number_for(n=741),
                                          name="  ")
    assert refused.value.field == "name"
    assert not IdentityChallenge.objects.exists() and not AuditEvent.objects.exists()
    # the code page without a started check goes back to the start
    assert client.get(CODE)["Location"] == START

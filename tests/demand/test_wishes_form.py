"""The public wish form (no login): a valid wish, each invalid field answered on the field,
no hint of registration, a repeat updates the earlier wish, abuse limits and the challenge."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from jineng.core.errors import DomainError
from jineng.core.models import AuditEvent
from jineng.demand import services
from jineng.demand.models import TrainingWish, WishChallenge
from jineng.demand.rules import wishes as rules
from tests import factories as f
from tests.demand import factories as df

pytestmark = pytest.mark.django_db


def _post_data(occupation, **over) -> dict:
    data = {"name": "王 小明", "id_number": f.id_number_for(n=501), "phone": "13912345678",
            "occupations": "", "occupation_ids": str(occupation.pk), "level": "grade5",
            "preferred_time": "weekend", "preferred_place": "花溪区", "max_distance_km": "15",
            "key_groups": ["migrant_worker"], "consent": "on"}
    data.update(over)
    return data


def _without_tokens(response) -> str:
    """The page without its CSRF tokens (they differ per request)."""
    return re.sub(r'("csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1",
                  response.content.decode())


def _url(poster) -> str:
    return reverse("demand:wish_form", args=[poster.token])


def test_valid_wish_is_registered_encrypted_and_masked(client, poster):
    occ = df.occupation()
    response = client.post(_url(poster), _post_data(occ), REMOTE_ADDR="10.1.0.1")
    assert response.status_code == 302
    assert response["Location"] == reverse("demand:wish_thanks", args=[poster.token])
    wish = TrainingWish.objects.get()
    number = f.id_number_for(n=501)
    assert wish.name == "王小明" and wish.region == poster.region and wish.poster == poster
    assert number not in wish.id_encrypted and wish.id_masked.endswith(number[-4:])
    assert "*" in wish.id_masked and wish.consent_version == rules.CONSENT_VERSION
    assert list(wish.occupations.all()) == [occ] and wish.key_groups == ["migrant_worker"]
    event = AuditEvent.objects.get(entity_type="demand.trainingwish")
    assert number not in str(event.after) and event.after["id_masked"] == wish.id_masked
    thanks = client.get(response["Location"])
    assert number not in thanks.content.decode()


def test_form_page_renders_for_a_phone_and_gone_poster_404(client, poster):
    page = client.get(_url(poster))
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("name", "id_number", "phone", "occupations", "consent", "max_distance_km"):
        assert f'name="{name}"' in html
    assert 'for="id_id_number"' in html  # labelled
    poster.is_active = False
    poster.save()
    assert client.get(_url(poster)).status_code == 404


@pytest.mark.parametrize("field,value,code", [
    ("id_number", "52010219900517123", "length"),
    ("id_number", "520102199005171230", "check_digit"),
    ("phone", "1391234567", "phone"),
    ("phone", "12912345678", "phone"),
    ("name", " ", "required"),
    ("consent", "", "required"),
    ("occupation_ids", "", "required"),
    ("max_distance_km", "900", "max_value"),
])
def test_each_invalid_field_is_answered_on_the_field(client, poster, field, value, code):
    data = _post_data(df.occupation(), **{field: value})
    if field == "id_number" and code == "check_digit":
        good = f.id_number_for(n=777)
        data[field] = good[:17] + ("0" if good[17] != "0" else "1")
    response = client.post(_url(poster), data, REMOTE_ADDR="10.1.0.2")
    assert response.status_code == 400
    form = response.context["form"]
    shown = "occupations" if field == "occupation_ids" else field
    assert shown in form.errors, form.errors
    assert list(form.errors) == [shown]
    assert not TrainingWish.objects.exists()


def test_the_answer_never_tells_whether_a_person_is_registered(client, poster):
    occ = df.occupation()
    number = f.id_number_for(n=887)
    f.PersonFactory(plain_id=number)
    a = client.post(_url(poster), _post_data(occ, id_number=number,
                                             phone="13900000001"), REMOTE_ADDR="10.1.0.3")
    b = client.post(_url(poster), _post_data(occ, id_number=f.id_number_for(n=888),
                                             phone="13900000002"), REMOTE_ADDR="10.1.0.3")
    assert a.status_code == b.status_code == 302 and a["Location"] == b["Location"]
    ta, tb = client.get(a["Location"]), client.get(b["Location"])
    assert _without_tokens(ta) == _without_tokens(tb)
    # Invalid input answers alike too.
    bad_a = client.post(_url(poster), _post_data(occ, id_number=number,
                                                 phone="123"), REMOTE_ADDR="10.1.0.3")
    bad_b = client.post(_url(poster), _post_data(occ, id_number=f.id_number_for(n=889),
                                                 phone="123"), REMOTE_ADDR="10.1.0.3")
    assert bad_a.context["form"].errors == bad_b.context["form"].errors
    for answer in (bad_a, bad_b):
        assert number not in answer.content.decode()


def test_a_repeat_wish_updates_the_earlier_one(poster, other_city_poster):
    occ, other = df.occupation(), df.occupation("电工")
    data = services.WishInput(poster_token=str(poster.token), name="李四",
                              id_number=f.id_number_for(n=601), phone="13800000001",
                              occupation_ids=[occ.pk], consent=True)
    first = services.wish_submit(actor=AnonymousUser(), data=data, client_address="10.2.0.1")
    data.poster_token, data.occupation_ids = str(other_city_poster.token), [other.pk]
    second = services.wish_submit(actor=AnonymousUser(), data=data, client_address="10.2.0.1")
    assert first.created and not second.created and first.wish_id == second.wish_id
    wish = TrainingWish.objects.get()
    assert wish.times_submitted == 2 and wish.region == other_city_poster.region
    assert list(wish.occupations.all()) == [other]


def _submit(poster, occ, n: int, phone: str, address: str, code: str = ""):
    return services.wish_submit(actor=AnonymousUser(), data=services.WishInput(
        poster_token=str(poster.token), name="赵五", id_number=f.id_number_for(n=n),
        phone=phone, occupation_ids=[occ.pk], consent=True, sms_code=code),
        client_address=address)


def test_challenge_after_repeats_from_one_phone(settings, poster, caplog):
    settings.DEMO, settings.JINENG_SMS_BACKEND, settings.DEBUG = True, "", True
    occ = df.occupation()
    for i in range(rules.PHONE_CHALLENGE_AFTER):
        _submit(poster, occ, 700 + i, "13700000001", f"10.3.0.{i}")
    with pytest.raises(services.ChallengeRequired) as asked:
        _submit(poster, occ, 710, "13700000001", "10.3.0.9")
    code = asked.value.demo_code
    assert re.fullmatch(r"[0-9]{6}", code) and WishChallenge.objects.count() == 1
    assert not TrainingWish.objects.filter(times_submitted__gt=1).exists()
    with pytest.raises(DomainError) as wrong:
        _submit(poster, occ, 710, "13700000001", "10.3.0.9",
                code=f"{(int(code) + 1) % 10 ** 6:06d}")
    assert wrong.value.code == "wrong_code" and wrong.value.field == "sms_code"
    received = _submit(poster, occ, 710, "13700000001", "10.3.0.9", code=code)
    assert received.created and TrainingWish.objects.count() == 3
    assert WishChallenge.objects.get().used_at is not None


def test_challenge_in_the_form_shows_the_code_field(settings, client, poster):
    settings.DEMO, settings.JINENG_SMS_BACKEND = True, ""
    occ = df.occupation()
    for i in range(rules.PHONE_CHALLENGE_AFTER):
        client.post(_url(poster), _post_data(occ, id_number=f.id_number_for(n=720 + i),
                                             phone="13600000001"), REMOTE_ADDR="10.4.0.1")
    response = client.post(_url(poster), _post_data(occ, id_number=f.id_number_for(n=730),
                                                     phone="13600000001"),
                           REMOTE_ADDR="10.4.0.1")
    assert response.status_code == 400
    assert "sms_code" in response.context["form"].errors
    code = response.context["demo_code"]
    assert code and 'name="sms_code"' in response.content.decode()
    done = client.post(_url(poster), _post_data(occ, id_number=f.id_number_for(n=730),
                                                phone="13600000001", sms_code=code),
                       REMOTE_ADDR="10.4.0.1")
    assert done.status_code == 302


def test_flood_from_one_address_is_slowed_and_logged(client, poster):
    occ = df.occupation()
    statuses = []
    for _i in range(rules.ADDRESS_LIMIT.limit + 2):
        response = client.post(_url(poster), _post_data(occ, phone="123"),  # invalid: cheap
                               REMOTE_ADDR="10.5.0.1")
        statuses.append(response.status_code)
    assert statuses[:rules.ADDRESS_LIMIT.limit] == [400] * rules.ADDRESS_LIMIT.limit
    assert statuses[-2:] == [429, 429]
    assert AuditEvent.objects.filter(action="throttled",
                                     entity_id="demand.wish.address").count() == 1
    # Another address is not slowed.
    ok = client.post(_url(poster), _post_data(occ), REMOTE_ADDR="10.5.0.2")
    assert ok.status_code == 302


def test_one_phone_is_limited_per_day(settings, poster):
    """Even a phone that answers every challenge gets PHONE_LIMIT wishes a day."""
    settings.DEMO, settings.JINENG_SMS_BACKEND = True, ""
    occ = df.occupation()
    accepted, refused = 0, None
    for i in range(rules.PHONE_LIMIT.limit + 1):
        WishChallenge.objects.all().delete()
        try:
            _submit(poster, occ, 740 + i, "13500000001", f"10.6.0.{i}")
            accepted += 1
        except services.Throttled as error:
            refused = error
            break
        except services.ChallengeRequired as asked:
            try:
                _submit(poster, occ, 740 + i, "13500000001", f"10.6.0.{i}",
                        code=asked.demo_code)
                accepted += 1
            except services.Throttled as error:
                refused = error
                break
    assert refused is not None and refused.status == 429
    assert AuditEvent.objects.filter(action="throttled",
                                     entity_id__startswith="demand.wish.").count() == 1
    assert accepted < rules.PHONE_LIMIT.limit


def test_occupation_search_endpoint(client):
    occ = df.occupation()
    response = client.get(reverse("demand:wish_occupation_search"), {"q": occ.name[:2]})
    assert response.status_code == 200
    assert occ.pk in [r["id"] for r in response.json()["results"]]
    assert client.get(reverse("demand:wish_occupation_search")).json() == {"results": []}

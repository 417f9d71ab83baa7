"""The forecasts' scope matrix: every role against the forecast pages and API reads (and the
build form), with an oracle written from region codes (never from our selectors); a denied
write changes nothing. (The shared tests/test_scope_matrix.py walks the argument-less pages and
operations — the forecast list, the wage page and API — for leaks; this module drives the
detail pages and operations the shared world does not model yet.)"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jineng.accounts.models import Role
from jineng.demand.models import DemandForecast
from jineng.demand.services import forecasts as fs
from jineng.registry.choices import OrganizationKind
from tests import factories as f
from tests.demand import forecast_support as fx

PROVINCE, CITY, OTHER_CITY = "520000", "520100", "520300"


def _prefix(code: str) -> str:
    while code.endswith("00"):
        code = code[:-2]
    return code


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            w = fx.world()
            forecasts = {
                PROVINCE: fx.build(w),
                CITY: fs.forecast_build(actor=w.city_staff, region=f.region(CITY),
                                        year=fx.YEAR, quarter=fx.QUARTER),
                OTHER_CITY: fs.forecast_build(actor=w.other_city_staff,
                                              region=f.region(OTHER_CITY), year=fx.YEAR,
                                              quarter=fx.QUARTER),
            }
            trainer = f.operator(f.OrganizationFactory(kind=OrganizationKind.TRAINING))
            viewers = {
                "province": (w.province_staff, "52"), "city": (w.city_staff, "5201"),
                "county": (w.county_staff, "520102"),
                "other_city": (w.other_city_staff, "5203"),
                "industry": (w.industry, "52"),
                "inspector": (f.staff(Role.INSPECTOR, PROVINCE), "52"),
                "enterprise": (w.enterprise_user, None), "trainer": (trainer, None),
                "admin": (f.UserFactory(role=Role.SYSTEM_ADMIN, is_superuser=True), ""),
                "anonymous": (None, None),
            }
            yield forecasts, viewers
            transaction.set_rollback(True)


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _may_see(prefix: str | None, code: str) -> bool:
    return prefix is not None and _prefix(code).startswith(prefix)


VIEWERS = ["province", "city", "county", "other_city", "industry", "inspector", "enterprise",
           "trainer", "admin", "anonymous"]


@pytest.mark.django_db
@pytest.mark.parametrize("viewer", VIEWERS)
def test_forecast_reads(matrix, viewer):
    forecasts, viewers = matrix
    user, prefix = viewers[viewer]
    client = _client(user)
    missing_page = client.get(reverse("demand:forecast_detail", args=[987654321]))
    missing_api = client.get(f"/api/demand/forecasts/{987654321}")
    for code, forecast in forecasts.items():
        expected = _may_see(prefix, code)
        page = client.get(reverse("demand:forecast_detail", args=[forecast.pk]))
        answer = client.get(f"/api/demand/forecasts/{forecast.pk}")
        if expected:
            assert page.status_code == 200, (viewer, code)
            assert answer.status_code == 200, (viewer, code)
        else:
            assert page.status_code == missing_page.status_code, (viewer, code)
            assert answer.status_code == missing_api.status_code, (viewer, code)
            assert answer.content == missing_api.content
    listed = client.get("/api/demand/forecasts")
    if user is None:
        assert listed.status_code == 401
    else:
        ids = {item["id"] for item in listed.json()["items"]}
        assert ids == {fc.pk for code, fc in forecasts.items() if _may_see(prefix, code)}
        page = client.get(reverse("demand:forecast_list")).content.decode()
        for code, fc in forecasts.items():
            assert (f'data-pk="{fc.pk}"' in page) == _may_see(prefix, code), (viewer, code)


WRITES = {  # viewer → status of "submit" on the province's forecast
    "province": 200, "city": 404, "county": 404, "other_city": 404, "industry": 403,
    "inspector": 403, "enterprise": 404, "trainer": 404, "anonymous": 401,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("viewer", "status"), sorted(WRITES.items()))
def test_forecast_submit_matrix(matrix, viewer, status):
    forecasts, viewers = matrix
    user = viewers[viewer][0]
    forecast = forecasts[PROVINCE]
    before = DemandForecast.objects.get(pk=forecast.pk).status
    answer = _client(user).post(f"/api/demand/forecasts/{forecast.pk}/actions",
                                data={"action": "submit"}, content_type="application/json")
    assert answer.status_code == status, answer.content[:300]
    after = DemandForecast.objects.get(pk=forecast.pk).status
    assert after == ("in_review" if status == 200 else before)

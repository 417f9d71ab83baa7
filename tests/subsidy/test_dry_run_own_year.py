"""The worker's subsidy year on the public site after the identity check: what can I still
get this year, and why not the others (linked from the own skill record)."""

from __future__ import annotations

import io
import time

import pytest
from django.test import Client
from django.urls import reverse

from jineng.assessment.views.records import PERSON_KEY
from jineng.subsidy.services import history
from tests import factories as f
from tests.subsidy import helpers as sh
from tests.subsidy.test_dry_run import params

pytestmark = pytest.mark.django_db


def _verified(person) -> Client:
    client = Client()
    session = client.session
    session[PERSON_KEY] = {"id": person.pk, "until": time.time() + 600}
    session.save()
    return client


def test_the_year_says_what_is_left_and_why_not(monkeypatch):
    sh.use_params(monkeypatch, params())
    number = f.id_number_for(n=901)
    person = f.PersonFactory(plain_id=number)
    head = "claim_number,id_number,name,kind,region,claim_date,amount,paid_on\n"
    rows = "".join(f"Y-{i},{number},{person.name},certificate,{f.COUNTY},2026-0{i}-01,500,"
                   f"2026-0{i}-10\n" for i in (1, 2, 3))
    data = io.BytesIO((head + rows).encode())
    data.name = "old.csv"
    assert history.subsidy_history_import(actor=f.staff(), file=data).ok
    client = _verified(person)
    page = client.get(reverse("subsidy:own_year"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 of at most 3" in html
    assert 'data-kind="certificate" data-available="no"' in html
    assert 'data-kind="upskilling" data-available="no"' in html  # not granted here
    assert "Not granted in your region." in html
    # The worker's own skill record links here.
    record = client.get(reverse("assessment:records_own"))
    assert record.status_code == 200 and 'id="subsidy-year-link"' in record.content.decode()


def test_without_the_identity_check_the_check_comes_first():
    page = Client().get(reverse("subsidy:own_year"))
    assert page.status_code == 302


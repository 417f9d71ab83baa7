"""Scope of the 30-minute circle, role by role (the scope matrix's entries for these pages,
tests/test_scope_matrix.py SKIP): a coverage run of Guiyang (5201) and its placement proposal
are seen by province and Guiyang staff; Nanming's county staff, Zunyi's staff, an institution's
operator and the public get exactly what a missing record gets. The public summary shows county
shares to everyone and no area."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jineng.portal.services import coverage_runs as runs
from tests.portal import coverage_support as cs

pytestmark = pytest.mark.django_db

MISSING = 987654321
PAGES = ("portal:coverage_run", "portal:placement_detail", "portal:placement_export")


def _status(client: Client, name: str, pk: int) -> int:
    return client.get(reverse(name, args=[pk])).status_code


def test_run_and_proposal_pages_by_role():
    w = cs.world()
    run = cs.run(w)
    proposal = runs.placement_propose(actor=w.city_staff, run=run, k=1)
    pk_of = {"portal:coverage_run": run.pk, "portal:placement_detail": proposal.pk,
             "portal:placement_export": proposal.pk}
    viewers = {"province": (w.province_staff, True), "city": (w.city_staff, True),
               "county": (w.county_staff, False), "other_city": (w.other_city_staff, False),
               "operator": (w.operator, False)}
    for role, (user, sees) in viewers.items():
        client = Client()
        client.force_login(user)
        for name in PAGES:
            missing = _status(client, name, MISSING)
            got = _status(client, name, pk_of[name])
            if sees:
                assert got == 200, (role, name)
            else:
                assert got == missing == 404, (role, name, got, missing)
    anonymous = Client()
    for name in PAGES:
        assert _status(anonymous, name, pk_of[name]) == _status(anonymous, name, MISSING) == 302


def test_public_summary_shows_no_area():
    w = cs.world()
    cs.run(w)
    html = Client().get(reverse("portal:coverage_public")).content.decode()
    for code, name, *_ in cs.ROWS:
        assert code not in html and name not in html

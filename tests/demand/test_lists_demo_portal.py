"""The demo's demand lists (every state, the anchor enterprise's draft and returned list) and
the enterprise's work on the portal landing page."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.urls import reverse

from jineng.demand.demo import demand_lists as demo
from jineng.demand.models import DemandList, DemandListStatusChange
from jineng.registry.choices import OrganizationKind
from tests import factories as f
from tests.demand import lists_support as s

pytestmark = pytest.mark.django_db


def test_demo_lists_in_every_state_and_the_anchor_has_work(client):
    anchor = f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")
    for _n in range(5):
        f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="",
                              sector="健康医药")
    today = dt.date.today()
    counts = demo.build(rng=random.Random(3), today=today,
                        anchors={OrganizationKind.ENTERPRISE: anchor.pk}, scale="S")
    assert counts["lists"] == 6 * 5 + 1 and counts["list_lines"] >= counts["lists"]
    assert set(DemandList.objects.values_list("status", flat=True)) == {
        "draft", "submitted", "returned", "accepted"}
    mine = DemandList.objects.filter(organization=anchor)
    assert {d.status for d in mine.filter(status__in=("draft", "returned"))} == {
        "draft", "returned"}
    returned = mine.get(status="returned")
    assert DemandListStatusChange.objects.filter(demand_list=returned, action="return") \
        .exclude(reason="").exists()
    assert all(line.needed_by >= today for line in returned.lines.all())  # resubmittable
    labels = {b[0] for b in counts["blocks"]}
    assert labels == {"demand.demandlist", "demand.demandline",
                      "demand.demandliststatuschange"}
    client.force_login(f.operator(anchor))
    page = client.get(reverse("portal:overview") if _has("portal:overview") else "/")
    assert page.status_code == 200
    assert reverse("demand:lists_detail", args=[returned.pk]) in page.text


def _has(name: str) -> bool:
    from django.urls import NoReverseMatch
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_the_portal_work_lists_an_enterprises_lists():
    from jineng.portal.selectors.overview import work

    w = s.world()
    s.open_list(w)
    items = {i.key: i for i in work(actor=w.user).items}
    assert items["lists-draft"].count == 1 and items["lists-returned"].count == 0
    assert "lists-draft" not in {i.key for i in work(actor=w.county_staff).items}

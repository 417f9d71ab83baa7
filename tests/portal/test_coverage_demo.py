"""The demo province's 30-minute circle: synthetic population (labelled), a run with gaps and
a placement proposal; removed with the demo."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jineng.demo.models import DemoRows
from jineng.portal.models import CoverageRun, PlacementProposal, PopulationArea, PopulationCount

pytestmark = pytest.mark.django_db


def test_demo_coverage(demo):
    assert demo["coverage_areas"] > 0 and demo["coverage_gaps"] > 0
    assert set(PopulationCount.objects.values_list("source_kind", flat=True)) == {"synthetic"}
    run = CoverageRun.objects.get()
    assert run.synthetic and run.region.code == "520000" and run.gaps
    assert 0 < run.covered < run.population
    assert {a["designation"] for a in run.axis} == {"county_seat", "central_town", "key_village"}
    proposal = PlacementProposal.objects.get()
    assert proposal.newly_covered == sum(c["gain"] for c in proposal.choices) > 0
    page = Client().get(reverse("portal:coverage_public"))
    assert b'data-testid="synthetic-label"' in page.content
    # The demo's blocks name every row made, so a reset removes them.
    blocks = set(DemoRows.objects.values_list("model", flat=True))
    assert {"portal.populationarea", "portal.populationcount", "portal.coveragerun",
            "portal.placementproposal"} <= blocks
    assert PopulationArea.objects.count() == demo["coverage_areas"]

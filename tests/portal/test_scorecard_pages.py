"""The public scorecards: the list of listed training institutions with results (by name,
occupation and city) and one institution's page with its figures, cell sizes, suppressed
cells, the run's time and the methodology; unlisted institutions answer 404."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.registry.choices import OrganizationStatus
from tests import factories as f
from tests.outcomes import factories as of

pytestmark = pytest.mark.django_db


def scorecard_world():
    """A listed school with 12 exits (10 completed, 8 certified; 6 employed in Q2 of 12
    known; Q4 known for 4 only) and its cells; an electrician school; a suspended school."""
    run = of.run(data_through=dt.date(2026, 9, 1))
    school = f.OrganizationFactory(name="阳光职业培训学校")
    cls = of.training_class(school)
    for i in range(12):
        of.measure(run, cls, completed=i < 10, certified=i < 8, employed_q2=i < 6,
                   employed_q4=True if i < 4 else None)
    of.cell(run, "employment", key=school.pk, value=0.5, numerator=6, denominator=12,
            trainees=12)
    of.cell(run, "level_up", key=school.pk, value=0.5, numerator=3, denominator=6,
            trainees=12)
    other = f.OrganizationFactory(name="电工技能学校", region=f.region(f.OTHER_CITY_COUNTY))
    of.measure(run, of.training_class(other, occupation_name="电工"))
    gone = f.OrganizationFactory(name="已暂停学校", status=OrganizationStatus.SUSPENDED)
    of.measure(run, of.training_class(gone))
    return run, school, other, gone


def test_list_finds_by_name_occupation_and_city(client):
    _run, school, other, gone = scorecard_world()
    html = client.get("/scorecards/").content.decode()
    assert school.name in html and other.name in html and gone.name not in html
    assert "2026-09" in html
    html = client.get("/scorecards/", {"occupation": "电工"}).content.decode()
    assert other.name in html and school.name not in html
    html = client.get("/scorecards/", {"city": f.CITY}).content.decode()
    assert school.name in html and other.name not in html
    html = client.get("/scorecards/", {"q": "阳光"}).content.decode()
    assert school.name in html and other.name not in html


def test_scorecard_page_shows_figures_sizes_and_a_suppressed_cell(client):
    run, school, _other, gone = scorecard_world()
    page = client.get(f"/scorecards/{school.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-code="completion" data-suppressed="0"' in html and "83.3%" in html
    assert 'data-code="employed_q4" data-suppressed="1"' in html
    assert 'data-code="level_up" data-suppressed="1"' in html  # denominator 6 < 10
    assert "50.0%" in html  # employment 6/12
    assert 'id="methodology"' in html and 'id="def-employment"' in html
    assert run.finished_at.astimezone().strftime("%Y-%m-%d") in html
    assert client.get(f"/scorecards/{gone.pk}/").status_code == 404
    assert client.get("/scorecards/99999999/").status_code == 404
    assert client.get(f"/scorecards/{school.pk}/?period=junk").status_code == 200
    # The institution's public page links to it.
    assert f"/scorecards/{school.pk}/" in client.get(
        f"/institutions/{school.pk}/").content.decode()

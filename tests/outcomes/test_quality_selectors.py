"""Quality reads: small-cell suppression (public vs staff, at the threshold), an institution's
scorecard from hand-made measures and indicator cells, peers' median and rank, the staff
ranking with its filters, and the settings in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.outcomes.models import IndicatorSettings
from jineng.outcomes.selectors import quality as q
from jineng.outcomes.selectors import ranking, scorecards
from jineng.registry.choices import OrganizationStatus
from tests import factories as f
from tests.outcomes import factories as of

pytestmark = pytest.mark.django_db


def settings_row(min_cell: int = 10, day: dt.date = dt.date(2020, 1, 1), **kw):
    return IndicatorSettings.objects.create(region=f.region(f.PROVINCE), valid_from=day,
                                            min_cell=min_cell, reason="test", **kw)


def test_defaults_when_nothing_is_recorded_and_the_latest_row_not_after_the_day():
    d = q.indicator_settings_in_force(region_code=f.COUNTY, day=dt.date(2026, 1, 1))
    assert (d.min_cell, d.link_auto_probability, d.link_review_probability) == (10, 0.99, 0.5)
    assert d.weights == dict.fromkeys(d.weights, 0.2) and len(d.weights) == 5
    settings_row(min_cell=5, day=dt.date(2026, 1, 1))
    settings_row(min_cell=20, day=dt.date(2026, 7, 1))
    assert q.indicator_settings_in_force(region_code=f.COUNTY,
                                         day=dt.date(2025, 12, 31)).min_cell == 10
    assert q.indicator_settings_in_force(region_code=f.CITY,
                                         day=dt.date(2026, 6, 30)).min_cell == 5
    assert q.indicator_settings_in_force(region_code=f.PROVINCE,
                                         day=dt.date(2026, 7, 1)).min_cell == 20
    # Another province keeps the defaults.
    assert q.indicator_settings_in_force(region_code="410000",
                                         day=dt.date(2026, 7, 1)).min_cell == 10


@pytest.mark.parametrize(("denominator", "trainees", "hidden"), [
    (9, 30, True), (10, 30, False), (30, 9, True), (10, 10, False)])
def test_public_suppression_at_the_threshold(denominator, trainees, hidden):
    settings_row(min_cell=10)
    org = f.OrganizationFactory()
    run = of.run()
    of.cell(run, "employment", key=org.pk, value=0.6, numerator=0.6 * denominator,
            denominator=denominator, trainees=trainees)
    _run, cells = q.indicator_cells(actor=None, dimension="institution", period="all")
    (public,) = cells
    assert public.suppressed is hidden
    assert (public.value is None) is hidden and (public.trainees is None) is hidden
    _run, (staff,) = q.indicator_cells(actor=f.staff(Role.CITY_STAFF, f.CITY),
                                       dimension="institution", period="all")
    assert staff.suppressed is False and staff.value == 0.6 and staff.trainees == trainees


def test_wage_growth_is_suppressed_by_its_trainees_not_by_its_median_denominator():
    settings_row(min_cell=10)
    run = of.run()
    of.cell(run, "wage_growth", dimension="all", key="", value=0.1, numerator=3300,
            denominator=3000, trainees=9)
    of.cell(run, "wage_growth", dimension="region", key=f.CITY, value=0.1, numerator=3300,
            denominator=3000, trainees=12)
    _run, cells = q.indicator_cells(actor=None, dimension="all", period="all")
    assert cells[0].suppressed and cells[0].value is None
    _run, cells = q.indicator_cells(actor=None, dimension="region", period="all")
    assert not cells[0].suppressed and cells[0].value == 0.1


def test_public_cells_come_from_the_latest_succeeded_run_and_public_institutions_only():
    listed, suspended = f.OrganizationFactory(), f.OrganizationFactory(
        status=OrganizationStatus.SUSPENDED)
    old = of.run(finished_at=timezone.now() - dt.timedelta(days=2))
    of.cell(old, "pass_rate", key=listed.pk, value=0.1)
    new = of.run()
    of.cell(new, "pass_rate", key=listed.pk, value=0.9)
    of.cell(new, "pass_rate", key=suspended.pk, value=0.8)
    of.run(status="failed", finished_at=timezone.now() + dt.timedelta(hours=1))
    run, cells = q.indicator_cells(actor=None, dimension="institution")
    assert run == new and [(c.key, c.value) for c in cells] == [(str(listed.pk), 0.9)]
    _run, cells = q.indicator_cells(actor=f.staff(), dimension="institution")
    assert {c.key for c in cells} == {str(listed.pk), str(suspended.pk)}
    with pytest.raises(DomainError):
        q.indicator_cells(actor=None, period="2025Q5")
    with pytest.raises(DomainError):
        q.indicator_cells(actor=None, dimension="planet")


def _institution_with_trainees(run, n_completed=12, n_withdrawn_like=3):
    """An institution with two classes: 15 exits (12 completed, 10 of them certified);
    employment q2 known for 14 (7 yes), q4 known for 8 (all yes: below the cell threshold);
    wages before and after known for 11."""
    org = f.OrganizationFactory(name="示范培训学校")
    a, b = of.training_class(org), of.training_class(org, end=dt.date(2025, 7, 31))
    for i in range(15):
        completed = i < n_completed
        of.measure(run, a if i < 8 else b, completed=completed,
                   certified=completed and i < 10,
                   employed_q2=None if i == 14 else i % 2 == 0,
                   employed_q4=True if i < 8 else None,
                   wage_before=3000 + 100 * i if i < 11 else None,
                   wage_after=3600 + 100 * i if i < 11 else None)
    return org


def test_scorecard_figures_cell_sizes_and_suppression():
    settings_row(min_cell=10)
    run = of.run()
    org = _institution_with_trainees(run)
    of.cell(run, "employment", key=org.pk, value=0.5, numerator=7, denominator=14, trainees=15)
    of.cell(run, "composite", key=org.pk, value=0.61, trainees=15)
    of.cell(run, "level_up", key=org.pk, value=0.5, numerator=4, denominator=8, trainees=15)
    card = scorecards.institution_scorecard(actor=None, organization_id=org.pk)
    fig = {x.code: x for x in card.figures}
    assert fig["classes"].value == 2 and fig["trainees"].value == 15
    assert fig["completion"].value == pytest.approx(12 / 15)
    assert (fig["completion"].numerator, fig["completion"].cell_size) == (12, 15)
    assert fig["certificates"].value == pytest.approx(10 / 12)
    assert fig["certificates"].cell_size == 12
    assert fig["employed_q2"].value == pytest.approx(7 / 14)
    assert fig["employed_q2"].cell_size == 14
    assert fig["employed_q4"].suppressed and fig["employed_q4"].value is None
    assert fig["employed_q4"].cell_size is None
    # Eleven trainees with both wages: medians of 3000..4000 and 3600..4600.
    assert fig["wage_before"].value == 3500 and fig["wage_after"].value == 4100
    assert fig["wage_before"].cell_size == 11
    assert fig["employment"].value == 0.5 and fig["employment"].cell_size == 14
    assert fig["level_up"].suppressed  # denominator 8 < 10
    assert fig["composite"].value == 0.61 and fig["composite"].shown == "0.610"
    assert not fig["pass_rate"].computed
    assert card.computed_at == run.finished_at and card.data_through == dt.date(2026, 10, 1)
    staff = scorecards.institution_scorecard(actor=f.staff(), organization_id=org.pk)
    sfig = {x.code: x for x in staff.figures}
    assert sfig["employed_q4"].value == 1.0 and sfig["level_up"].value == 0.5


def test_scorecard_period_filters_the_exits():
    run = of.run()
    org = _institution_with_trainees(run)
    of.cell(run, "employment", key=org.pk, period="2025Q2", value=0.4, denominator=10,
            numerator=4, trainees=10)
    card = scorecards.institution_scorecard(actor=f.staff(), organization_id=org.pk,
                                            period="2025Q2")
    fig = {x.code: x for x in card.figures}
    # Class a (8 exits) ends 2025-04-30, class b (7 exits) 2025-07-31.
    assert (fig["trainees"].value, fig["classes"].value) == (8, 1)
    assert fig["employment"].value == 0.4 and card.periods == ["2025Q2"]
    for period, trainees in (("2025Q3", 7), ("2025", 15), ("2024", 0), ("all", 15)):
        card = scorecards.institution_scorecard(actor=f.staff(), organization_id=org.pk,
                                                period=period)
        assert card.figure("trainees").value == trainees


def test_scorecard_of_an_unlisted_or_unknown_institution_is_not_found_for_the_public():
    suspended = f.OrganizationFactory(status=OrganizationStatus.SUSPENDED)
    enterprise = f.OrganizationFactory(kind="enterprise", institution_type="")
    for pk in (suspended.pk, enterprise.pk, 99_999_999):
        with pytest.raises(NotFound):
            scorecards.institution_scorecard(actor=None, organization_id=pk)
    assert scorecards.institution_scorecard(actor=f.staff(),
                                            organization_id=suspended.pk).run is None


def test_peer_median_and_rank_among_institutions_of_the_same_occupation():
    settings_row(min_cell=10)
    run = of.run()
    orgs = [f.OrganizationFactory() for _ in range(5)]
    for org in orgs[:4]:
        of.measure(run, of.training_class(org))
    of.measure(run, of.training_class(orgs[4], occupation_name="电工"))
    for org, value in zip(orgs, (0.5, 0.7, 0.9, 0.7, 0.99), strict=True):
        of.cell(run, "employment", key=org.pk, value=value, trainees=20)
    of.cell(run, "employment", key=orgs[3].pk, value=0.2, trainees=5, period="2025")
    card = scorecards.institution_scorecard(actor=None, organization_id=orgs[1].pk)
    peer = card.peers["employment"]
    # The electrician school is not a peer; values 0.5, 0.7, 0.9, 0.7.
    assert (peer.peers, peer.median, peer.rank) == (4, pytest.approx(0.7), 2)
    assert card.figure("employment").peer is peer
    card = scorecards.institution_scorecard(actor=None, organization_id=orgs[2].pk)
    assert card.peers["employment"].rank == 1
    # A suppressed peer cell is left out for the public, counted for staff.
    of.cell(run, "pass_rate", key=orgs[0].pk, value=0.9, trainees=5)
    of.cell(run, "pass_rate", key=orgs[1].pk, value=0.5, trainees=20)
    public = scorecards.institution_scorecard(actor=None, organization_id=orgs[1].pk)
    assert (public.peers["pass_rate"].peers, public.peers["pass_rate"].rank) == (1, 1)
    staff = scorecards.institution_scorecard(actor=f.staff(), organization_id=orgs[1].pk)
    assert (staff.peers["pass_rate"].peers, staff.peers["pass_rate"].rank) == (2, 2)


def test_ranking_orders_ties_filters_and_is_for_hrss_staff():
    run = of.run()
    a = f.OrganizationFactory(name="甲校", region=f.region(f.COUNTY))
    b = f.OrganizationFactory(name="乙校", region=f.region(f.OTHER_CITY_COUNTY))
    c = f.OrganizationFactory(name="丙校", region=f.region(f.COUNTY))
    d = f.OrganizationFactory(name="丁校", region=f.region(f.COUNTY))
    of.measure(run, of.training_class(a))
    of.measure(run, of.training_class(b, occupation_name="电工"))
    of.measure(run, of.training_class(c))
    of.measure(run, of.training_class(d))
    for org, value in ((a, 0.6), (b, 0.8), (c, 0.6)):
        of.cell(run, "composite", key=org.pk, value=value)
    of.cell(run, "composite", key=d.pk, value=None)
    of.cell(run, "employment", key=a.pk, value=0.9)
    city = f.staff(Role.CITY_STAFF, f.CITY)
    r = ranking.institution_ranking(actor=city)
    assert [(x.name, x.rank) for x in r.rows] == [("乙校", 1), ("丙校", 2), ("甲校", 2),
                                                  ("丁校", None)]
    # Province-wide for a city's staff; the region filter narrows it.
    r = ranking.institution_ranking(actor=city, region_code=f.CITY)
    assert [x.name for x in r.rows] == ["丙校", "甲校", "丁校"]
    r = ranking.institution_ranking(actor=city, occupation_code=b.pk and
                              of.occupation("电工").code)
    assert [x.name for x in r.rows] == ["乙校"]
    r = ranking.institution_ranking(actor=f.staff(), indicator="employment")
    assert r.rows[0].name == "甲校" and r.rows[0].rank == 1 and r.rows[0].composite == 0.6
    for actor in (None, f.operator(a), f.staff(Role.INDUSTRY_STAFF, f.CITY)):
        assert ranking.institution_ranking(actor=actor).rows == []
    with pytest.raises(DomainError):
        ranking.institution_ranking(actor=city, indicator="happiness")


def test_institution_quality_summary_for_catalog_review():
    run = of.run()
    a, b = f.OrganizationFactory(), f.OrganizationFactory()
    of.cell(run, "composite", key=a.pk, value=0.7, trainees=30)
    of.cell(run, "composite", key=b.pk, value=0.8, trainees=30)
    of.cell(run, "employment", key=a.pk, value=0.5, trainees=30)
    summary = ranking.institution_quality(actor=f.staff(), organization_id=a.pk)
    assert summary["composite"] == 0.7 and summary["composite_rank"] == 2
    assert summary["institutions_ranked"] == 2 and summary["values"]["employment"] == 0.5
    assert ranking.institution_quality(actor=f.staff(),
                                       organization_id=f.OrganizationFactory().pk) is None
    with pytest.raises(NotFound):
        ranking.institution_quality(actor=f.staff(code="410000"), organization_id=a.pk)
    with pytest.raises(Forbidden):
        ranking.institution_quality(actor=None, organization_id=a.pk)

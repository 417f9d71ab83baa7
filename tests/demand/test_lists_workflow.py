"""Demand lists: opening (one per enterprise and quarter, idempotent), lines with their checks,
the workflow with its permissions, history and audit, and who sees what (404 out of scope)."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.demand import selectors, services
from jineng.demand.models import DemandLine, DemandList
from tests.demand import lists_support as s

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return s.world()


def test_opening_is_idempotent_and_one_per_quarter(w):
    first, created = services.demand_list_create(actor=w.user, data=s.list_input(), today=s.TODAY)
    again, created_again = services.demand_list_create(actor=w.user, data=s.list_input(),
                                                       today=s.TODAY)
    assert created and not created_again and first.pk == again.pk
    assert first.status == "draft" and first.region == w.enterprise.region
    assert DemandList.objects.filter(organization=w.enterprise).count() == 1
    with pytest.raises(Conflict) as error:
        services.demand_list_create(actor=w.user, data=s.list_input(alliance_name="装备联盟"),
                                    today=s.TODAY)
    assert error.value.field == "quarter"
    assert AuditEvent.objects.filter(entity_type="demand.demandlist",
                                     action="create").count() == 1


@pytest.mark.parametrize("year,quarter,code", [
    (2026, 3, "quarter_past"), (2028, 1, "quarter_too_far"), (2026, 5, "quarter_invalid")])
def test_a_quarter_that_cannot_be_filed(w, year, quarter, code):
    with pytest.raises(DomainError) as error:
        services.demand_list_create(actor=w.user, data=s.list_input(year=year, quarter=quarter),
                                    today=s.TODAY)
    assert (error.value.field, error.value.code) == ("quarter", code)


def test_only_an_enterprise_opens_a_list(w):
    for actor in (w.county_staff, w.trainer, w.industry):
        with pytest.raises(Forbidden):
            services.demand_list_create(actor=actor, data=s.list_input(), today=s.TODAY)


def test_an_alliance_is_filed_by_its_lead_enterprise(w):
    dl = s.open_list(w, alliance_name="磷化工就业培训联盟")
    assert dl.alliance_name == "磷化工就业培训联盟" and dl.organization == w.enterprise


@pytest.mark.parametrize("kw,fld,code", [
    ({"headcount": 0}, "headcount", "headcount_out_of_range"),
    ({"headcount": 100_001}, "headcount", "headcount_out_of_range"),
    ({"needed_by": dt.date(2027, 1, 2)}, "needed_by", "date_outside_quarter"),
    ({"needed_by": dt.date(2026, 12, 1)}, "needed_by", "date_past"),
    ({"wage_min": 6000, "wage_max": 5000}, "wage_min", "wage_min_above_max"),
    ({"wage_max": 900_000}, "wage_max", "wage_out_of_range"),
    ({"occupation": None}, "occupation", "required"),
])
def test_a_bad_line_names_its_field(w, kw, fld, code):
    dl = s.open_list(w)
    with pytest.raises(DomainError) as error:
        services.demand_line_add(actor=w.user, demand_list=dl, data=s.line_input(**kw),
                                 today=s.TODAY)
    assert (error.value.field, error.value.code) == (fld, code)
    assert not DemandLine.objects.exists()


def test_a_duplicate_line_is_a_conflict(w):
    dl = s.with_line(w)
    with pytest.raises(Conflict) as error:
        services.demand_line_add(actor=w.user, demand_list=dl, data=s.line_input(headcount=3),
                                 today=s.TODAY)
    assert error.value.code == "duplicate_line"
    other_level = services.demand_line_add(actor=w.user, demand_list=dl,
                                           data=s.line_input(level=s.level("grade4")),
                                           today=s.TODAY)
    assert other_level.pk


def test_the_workflow_return_resubmit_accept(w):
    dl = s.with_line(w)
    with pytest.raises(Forbidden):  # HRSS do not submit for the enterprise
        services.demand_list_transition(actor=w.county_staff, demand_list=dl, action="submit",
                                        today=s.TODAY)
    dl = services.demand_list_transition(actor=w.user, demand_list=dl, action="submit",
                                         today=s.TODAY)
    assert dl.status == "submitted"
    line = dl.lines.get()
    with pytest.raises(DomainError) as error:  # submitted: no more edits
        services.demand_line_update(actor=w.user, line=line, data=s.line_input(headcount=5),
                                    today=s.TODAY)
    assert error.value.code == "not_editable"
    with pytest.raises(Forbidden):
        services.demand_list_transition(actor=w.user, demand_list=dl, action="accept")
    with pytest.raises(DomainError) as error:
        services.demand_list_transition(actor=w.city_staff, demand_list=dl, action="return")
    assert error.value.code == "reason_required"
    with pytest.raises(NotFound):  # another city's office does not see it
        services.demand_list_transition(actor=w.other_city_staff, demand_list=dl,
                                        action="accept")
    dl = services.demand_list_transition(actor=w.city_staff, demand_list=dl, action="return",
                                         reason="人数与上季度差异大，请核实")
    assert dl.status == "returned"
    services.demand_line_update(actor=w.user, line=line, data=s.line_input(headcount=12),
                                today=s.TODAY)
    dl = services.demand_list_transition(actor=w.user, demand_list=dl, action="submit",
                                         today=s.TODAY)
    dl = services.demand_list_transition(actor=w.county_staff, demand_list=dl, action="accept")
    assert dl.status == "accepted"
    history = list(selectors.demand_list_history(actor=w.user, demand_list=dl))
    assert [(h.action, h.to_status) for h in history] == [
        ("create", "draft"), ("submit", "submitted"), ("return", "returned"),
        ("submit", "submitted"), ("accept", "accepted")]
    assert history[2].reason == "人数与上季度差异大，请核实"
    assert AuditEvent.objects.filter(entity_type="demand.demandlist",
                                     action="transition").count() == 4
    with pytest.raises(DomainError):
        services.demand_list_transition(actor=w.county_staff, demand_list=dl, action="return",
                                        reason="again")


def test_an_empty_list_is_not_submitted(w):
    dl = s.open_list(w)
    with pytest.raises(DomainError) as error:
        services.demand_list_transition(actor=w.user, demand_list=dl, action="submit",
                                        today=s.TODAY)
    assert error.value.code == "no_lines"


def test_who_sees_which_list(w):
    mine = s.with_line(w)
    theirs = services.demand_list_create(actor=w.other_user, data=s.list_input(sector=""),
                                         today=s.TODAY)[0]
    def ids(actor):
        return set(selectors.demand_list_list(actor=actor).values_list("pk", flat=True))
    assert ids(w.user) == {mine.pk}
    assert ids(w.other_user) == {theirs.pk}
    assert ids(w.county_staff) == ids(w.city_staff) == {mine.pk}
    assert ids(w.other_city_staff) == {theirs.pk}
    assert ids(w.industry) == {mine.pk}  # its sector only
    assert ids(w.other_industry) == set()
    assert ids(w.trainer) == set()
    for actor in (w.other_user, w.other_city_staff, w.other_industry, w.trainer):
        with pytest.raises(NotFound):
            selectors.demand_list_get(actor=actor, pk=mine.pk)
        with pytest.raises(NotFound):
            services.demand_line_remove(actor=actor, line=mine.lines.get())
    with pytest.raises(Forbidden):  # the industry department reads but does not edit
        services.demand_line_remove(actor=w.industry, line=mine.lines.get())
    assert list(selectors.demand_lists_to_file(actor=w.user)) == [mine]
    assert list(selectors.demand_lists_awaiting_review(actor=w.county_staff)) == []

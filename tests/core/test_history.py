"""core.history: the status-history shape and its checked transition values."""

import datetime as dt

import pytest

from jineng.core.errors import DomainError
from jineng.core.history import StatusHistoryEntry, transition_values
from tests import factories as f

TODAY = dt.date(2026, 6, 1)


def test_the_shape_is_abstract_and_has_every_field_a_history_needs():
    assert StatusHistoryEntry._meta.abstract
    names = {f.name for f in StatusHistoryEntry._meta.get_fields()}
    assert {"action", "from_status", "to_status", "effective_date", "reason", "note", "actor",
            "actor_username", "at"} <= names


@pytest.mark.django_db
def test_a_transition_names_its_actor_and_keeps_its_details():
    staff = f.staff()
    values = transition_values(actor=staff, from_status="listed", to_status="suspended",
                               action="suspend", reason=" 抽查 ", note={"inspection": 7},
                               effective_date=TODAY, today=TODAY)
    assert values["actor"] == staff and values["actor_username"] == staff.username
    assert (values["reason"], values["note"]) == ("抽查", {"inspection": 7})


def test_a_system_transition_is_by_system():
    values = transition_values(actor=None, from_status="", to_status="listed", today=TODAY)
    assert (values["actor"], values["actor_username"]) == (None, "system")


@pytest.mark.parametrize(("kw", "field"), [
    ({"from_status": "open", "to_status": "open"}, "status"),
    ({"reason_required": True, "reason": "  "}, "reason"),
    ({"effective_date": dt.date(2099, 1, 1)}, "effective_date"),
])
def test_refusals_name_their_field(kw, field):
    values = {"actor": None, "from_status": "listed", "to_status": "revoked", "today": TODAY}
    values.update(kw)
    with pytest.raises(DomainError) as exc:
        transition_values(**values)
    assert exc.value.field == field

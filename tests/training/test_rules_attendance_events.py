"""Reading one attendance event (pure): every faulty field named, nothing guessed."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jineng.training.rules import attendance_events as ev

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def parse(raw, i=0):
    return ev.parse_event(i, raw, latest=NOW, earliest=EARLIEST)


GOOD = {"idempotency_key": "k", "class_id": 7, "kind": "check_in", "method": "terminal",
        "id_number": "110101199003077777", "occurred_at": "2026-03-02T08:55:00+08:00"}


def test_a_good_event_is_read():
    parsed = parse(GOOD)
    assert isinstance(parsed, ev.ParsedEvent)
    assert (parsed.class_id, parsed.kind, parsed.method) == (7, "check_in", "terminal")
    assert parsed.occurred_at.utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"idempotency_key": ""}, "idempotency_key", "required"),
    ({"idempotency_key": "x" * 101}, "idempotency_key", "required"),
    ({"class_id": "seven"}, "class_id", "required"),
    ({"class_id": True}, "class_id", "required"),
    ({"class_id": 2**70}, "class_id", "required"),
    ({"kind": "in"}, "kind", "invalid"),
    ({"method": "fax"}, "method", "invalid"),
    ({"occurred_at": "2026-03-02 08:55"}, "occurred_at", "invalid"),
    ({"occurred_at": "2026-03-02T20:55:00+08:00"}, "occurred_at", "clock_future"),
    ({"occurred_at": "1900-01-01T08:00:00+08:00"}, "occurred_at", "too_old"),
    ({"id_number": "", "enrollment_id": None}, "id_number", "required"),
    ({"method": "mobile"}, "latitude", "required"),
    ({"latitude": 91, "longitude": 0}, "latitude", "invalid"),
    ({"session_id": "one"}, "session_id", "invalid"),
])
def test_each_faulty_field_is_named(change, field, code):
    parsed = parse({**GOOD, **change})
    assert isinstance(parsed, ev.EventResult) and parsed.status == ev.REJECTED
    assert (field, code) in [(e["field"], e["code"]) for e in parsed.errors]


def test_in_a_batch_a_repeat_is_a_duplicate_and_a_reused_key_a_conflict():
    items = [parse(GOOD, 0), parse(GOOD, 1), parse({**GOOD, "class_id": 8}, 2)]
    ev.mark_duplicates_in_batch(items)
    assert [i.result.status for i in items] == [ev.ACCEPTED, ev.DUPLICATE, ev.REJECTED]
    assert items[2].result.errors[0]["code"] == "key_reused"


@given(st.dictionaries(st.sampled_from([*GOOD, "latitude", "longitude", "session_id",
                                        "enrollment_id", "device"]),
                       st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                                 st.text(max_size=50))))
def test_anything_sent_is_either_read_or_refused_with_named_fields(raw):
    parsed = parse(raw)
    if isinstance(parsed, ev.EventResult):
        assert parsed.status == ev.REJECTED and parsed.errors
        assert all(e["message"] for e in parsed.errors)
    else:
        assert EARLIEST <= parsed.occurred_at <= NOW

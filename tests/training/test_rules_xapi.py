"""Reading xAPI statements."""

import uuid

import pytest

from jineng.training.rules.xapi import VERB_COMPLETED, StatementInvalid, read_statement


def statement(**changes):
    s = {"id": str(uuid.uuid4()), "actor": {"account": {"homePage": "https://lms.example",
                                                         "name": "42"}},
         "verb": {"id": VERB_COMPLETED}, "object": {"id": "urn:jineng:class:7"},
         "result": {"duration": "PT1H15M"}, "timestamp": "2026-03-02T20:00:00+08:00"}
    s.update(changes)
    return s


def test_valid_statement():
    record = read_statement(statement())
    assert (record.class_id, record.seconds, record.learner) == (7, 4500, "42")


def test_class_in_context_activities():
    s = statement(object={"id": "https://lms.example/course/1/module/3"},
                  context={"contextActivities": {"parent": [{"id": "urn:jineng:class:9"}]}})
    assert read_statement(s).class_id == 9


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"id": "nope"}, "id", "required"),
    ({"actor": {"mbox": "mailto:a@b"}}, "actor.account.name", "required"),
    ({"verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"}}, "verb.id",
     "unsupported_verb"),
    ({"object": {"id": "https://lms.example/x"}}, "object.id", "unknown_class"),
    ({"result": {"duration": "P1M"}}, "result.duration", "invalid"),
    ({"result": {}}, "result.duration", "invalid"),
    ({"result": {"duration": "PT25H"}}, "result.duration", "out_of_range"),
    ({"timestamp": "2026-03-02T20:00:00"}, "timestamp", "naive_time"),
    ({"timestamp": "yesterday"}, "timestamp", "invalid"),
])
def test_invalid_statements(changes, field, code):
    with pytest.raises(StatementInvalid) as bad:
        read_statement(statement(**changes))
    assert (bad.value.field, bad.value.code) == (field, code)


def test_not_an_object():
    with pytest.raises(StatementInvalid):
        read_statement(["x"])


@pytest.mark.parametrize("verb", ["answered", "interacted", "attempted", "commented",
                                  "responded"])
def test_interaction_verbs_carry_no_learning_time(verb):
    """An interaction is read without its duration (a quiz answered in 5 minutes is not five
    minutes of learning) and without requiring one."""
    s = statement(verb={"id": f"http://adlnet.gov/expapi/verbs/{verb}"}, result={})
    record = read_statement(s)
    assert record.interaction and record.seconds == 0 and record.class_id == 7
    timed = read_statement(statement(verb={"id": f"http://adlnet.gov/expapi/verbs/{verb}"}))
    assert timed.seconds == 0
    assert not read_statement(statement()).interaction


def test_interaction_still_needs_class_and_timestamp():
    verb = {"id": "http://adlnet.gov/expapi/verbs/answered"}
    for changes, field in (({"object": {"id": "x"}}, "object.id"),
                           ({"timestamp": "2026-03-02T20:00:00"}, "timestamp")):
        with pytest.raises(StatementInvalid) as bad:
            read_statement(statement(verb=verb, **changes))
        assert bad.value.field == field

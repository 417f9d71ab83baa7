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

"""One home per rule: "completed and still enrolled" and key-group precedence have one
definition each, and every place that counts reads it (the stored flag, the class page, the
API, both paths of the plan facts)."""

import pytest
from django.test import Client
from django.urls import reverse

from jineng.accounts.models import ApiToken
from jineng.plans.models import ActualFact
from jineng.registry.choices import KeyGroup
from jineng.registry.models import KeyGroupMembership
from jineng.training import plan_facts
from jineng.training.models import Enrollment, counts_as_completed
from tests.openapi import OpenApiClient
from tests.training import helpers as h
from tests.training.test_plan_facts import FACT_FIELDS, _class, _finish

pytestmark = pytest.mark.django_db


def test_the_definition():
    assert counts_as_completed(status="enrolled", completed=True)
    assert not counts_as_completed(status="withdrawn", completed=True)
    assert not counts_as_completed(status="enrolled", completed=False)
    assert not counts_as_completed(status="enrolled", completed=None)


def test_a_dropout_with_every_hour_never_counts_as_completed_anywhere():
    w = h.world()
    cls, people = _class(w, completed=1, dropouts=1)
    done, dropout = people
    _finish(w, cls)
    stored = {e.pk: (e.status, e.completed, e.attended_hours)
              for e in Enrollment.objects.filter(training_class=cls)}
    assert stored[done.pk][:2] == ("enrolled", True)
    assert stored[dropout.pk][:2] == ("withdrawn", False)
    assert stored[dropout.pk][2] == stored[done.pk][2]  # the same hours
    assert list(Enrollment.objects.filter(training_class=cls).completed()
                .values_list("pk", flat=True)) == [done.pk]
    # the page counts one of one
    c = Client()
    c.force_login(w.operator)
    page = c.get(reverse("training:class_detail", args=[cls.pk])).content.decode()
    assert "1 of 1 completed so far" in page
    # the API says the same
    _row, token = ApiToken.issue(w.operator, "t")
    rows = OpenApiClient().bearer(token).call("training_class_completion",
                                             path={"class_id": cls.pk}).body
    assert {r["enrollment_id"]: r["completed"] for r in rows} == {done.pk: True,
                                                                 dropout.pk: False}
    # the plans count one person-time, by either path
    live = set(ActualFact.objects.filter(metric="person_times_trained")
               .values_list(*FACT_FIELDS))
    assert len(live) == 1
    ActualFact.objects.all().delete()
    plan_facts.record_finished_classes(actor=None)
    assert set(ActualFact.objects.filter(metric="person_times_trained")
               .values_list(*FACT_FIELDS)) == live


def test_key_group_precedence_is_one_tuple_and_both_paths_agree():
    assert plan_facts.KEY_GROUP_PRECEDENCE[0] == KeyGroup.values[0]
    assert set(plan_facts.KEY_GROUP_PRECEDENCE) <= set(KeyGroup.values)
    w = h.world()
    cls, people = _class(w, completed=4)
    since = h.D(2025, 1, 1)
    pairs = [(KeyGroup.VETERAN, KeyGroup.MIGRANT_WORKER),  # later one first in the registry
             (KeyGroup.MIGRANT_WORKER, KeyGroup.GRADUATE),
             (KeyGroup.DISABLED, KeyGroup.UNEMPLOYED)]
    for e, groups in zip(people, pairs, strict=False):
        for g in groups:
            KeyGroupMembership.objects.create(person=e.person, group=g, start_date=since)
    _finish(w, cls)
    by_python = dict(ActualFact.objects.filter(
        metric="person_times_trained").values_list("source_ref", "key_group"))
    expected = {plan_facts.completion_ref(e.pk): min(
        groups, key=plan_facts.KEY_GROUP_PRECEDENCE.index)
        for e, groups in zip(people, pairs, strict=False)}
    expected[plan_facts.completion_ref(people[3].pk)] = ""  # in no group
    assert by_python == expected
    ActualFact.objects.all().delete()
    plan_facts.record_finished_classes(actor=None)
    by_sql = dict(ActualFact.objects.filter(
        metric="person_times_trained").values_list("source_ref", "key_group"))
    assert by_sql == by_python

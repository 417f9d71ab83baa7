"""A class whose sittings all closed before the class finished becomes "assessed" when it
finishes (training's class_finished hook → services.class_step); one whose sittings are not
all settled, or none closed, stays "finished"."""

from __future__ import annotations

import pytest

from jineng.assessment import services
from jineng.core.errors import DomainError
from jineng.training import services as training_services
from jineng.training.models import ClassStatusChange, TrainingClass
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import issuance_support as s
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def _open_class():
    tw = h.world()
    cls = h.declare(tw)
    h.enroll(tw, cls)
    TrainingClass.objects.filter(pk=cls.pk).update(status="open")
    cls.refresh_from_db()
    return tw, cls


def _finish(tw, cls):
    who = f.staff("county_staff", f.COUNTY)
    for actor in (tw.operator, who):
        try:
            return training_services.class_transition(actor=actor, training_class=cls,
                                                       action="finish")
        except DomainError:  # whoever may finish it under the training rules
            continue
    raise AssertionError("nobody could finish the class")


def test_a_class_whose_sittings_closed_before_it_finished_is_assessed_when_it_finishes():
    tw, cls = _open_class()
    code = af.EvaluatorCodeFactory()
    s.publish_evaluation_catalog(s.listing_rows(code.organization))
    sitting = s.results_sitting(code.organization, training_class=cls)
    services.certificates_issue_for_sitting(actor=f.operator(code.organization),
                                            sitting=sitting)
    cls.refresh_from_db()
    assert cls.status == "open"
    finished = _finish(tw, cls)
    assert finished.status == "assessed"
    steps = list(ClassStatusChange.objects.filter(training_class=cls)
                 .order_by("id").values_list("action", flat=True))
    assert steps[-2:] == ["finish", "assess"]


def test_a_class_with_an_open_sitting_only_finishes():
    tw, cls = _open_class()
    code = af.EvaluatorCodeFactory()
    s.results_sitting(code.organization, training_class=cls)  # still in "results"
    assert _finish(tw, cls).status == "finished"
    assert not ClassStatusChange.objects.filter(training_class=cls, action="assess").exists()

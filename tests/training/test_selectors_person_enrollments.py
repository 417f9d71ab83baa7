"""training.selectors.person_enrollments: a person's classes for the skill record, gated by the
person's scope (registry), in one query."""

import pytest

from jineng.core.errors import NotFound
from jineng.training import selectors
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def test_every_class_of_the_person_oldest_first_for_whoever_may_read_the_person(
        django_assert_num_queries):
    w = h.world()
    later = h.declare(w, name="第2期", sessions=h.sessions(start=h.D(2026, 5, 4)))
    first = h.declare(w, name="第1期")
    enrollment = h.enroll(w, first, n=501)
    person = enrollment.person
    h.enroll(w, later, n=501)
    stranger = h.enroll(w, first, n=502).person

    with django_assert_num_queries(2):  # the gate, then the rows with their joins
        rows = list(selectors.person_enrollments(actor=w.county_staff, person=person))
        names = [(e.training_class.name, e.training_class.institution.name,
                  e.training_class.occupation.name, e.training_class.level.name) for e in rows]
    assert [n[0] for n in names] == ["第1期", "第2期"]
    assert all(e.person_id == person.pk for e in rows)
    assert stranger.pk not in {e.person_id for e in rows}

    with pytest.raises(NotFound):
        selectors.person_enrollments(actor=f.staff("city_staff", f.OTHER_CITY), person=person)
    with pytest.raises(NotFound):  # an institution that never served the person
        selectors.person_enrollments(actor=f.operator(f.OrganizationFactory()), person=person)
    # the institution that enrolled the person reads the record
    assert len(list(selectors.person_enrollments(actor=w.operator, person=person))) == 2

"""The selectors the assessment app reads for 考培分离: class teachers' keyed hashes, the classes
a person attended, a class by id."""

import pytest

from jineng.training import selectors
from tests import factories as f
from tests.training import helpers as th

pytestmark = pytest.mark.django_db


def test_teacher_hashes_attended_classes_and_class_by_id():
    w = th.world()
    cls = th.declare(w)
    bare = th.declare(w, teachers=())
    nameless = selectors.class_teacher_hashes([cls.pk, bare.pk])
    assert nameless == {cls.pk: frozenset({w.teacher.id_hash}), bare.pk: frozenset()}
    assert w.teacher.id_hash  # the hash of the teacher's ID number, never the number
    e = th.enroll(w, cls)
    other = f.PersonFactory()
    found = selectors.classes_attended([e.person_id, other.pk],
                                       occupation_ids=[cls.occupation_id])
    assert found == {e.person_id: [(cls.pk, w.org.pk)], other.pk: []}
    assert selectors.classes_attended([e.person_id], occupation_ids=[-1]) == {e.person_id: []}
    assert selectors.class_for_assessment(cls.pk) == cls
    assert selectors.class_for_assessment(-1) is None
    assert selectors.enrollment_for_assessment(e.pk).training_class.level.code == "grade5"
    assert selectors.enrollment_for_assessment(-1) is None

"""Higher apps plug into training through `training.hooks` (no guarded imports reaching up)."""

import datetime as dt

import pytest

from jineng.training import hooks, services
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def frequency_provider():
    calls = []

    def warnings(*, person, occupation, level, training_type, day):
        calls.append((person.pk, occupation.pk, level.pk, training_type, day))
        return ["Already subsidized for this occupation this year."]

    hooks.enrollment_warnings.register("test.subsidy", warnings)
    yield calls
    hooks.enrollment_warnings.unregister("test.subsidy")


def test_a_registered_provider_warns_at_enrollment_without_refusing(frequency_provider):
    w = h.world()
    cls = h.declare(w)
    person = f.PersonFactory(birth_date=dt.date(1990, 1, 1))
    result = services.assess(person, cls)
    assert result.eligible
    assert [c.code for c in result.warnings] == ["subsidy_frequency"]
    assert frequency_provider == [(person.pk, cls.occupation_id, cls.level_id,
                                   cls.training_type, cls.start_date)]


def test_without_a_provider_there_is_no_warning():
    w = h.world()
    cls = h.declare(w)
    result = services.assess(f.PersonFactory(birth_date=dt.date(1990, 1, 1)), cls)
    assert result.eligible and list(result.warnings) == []

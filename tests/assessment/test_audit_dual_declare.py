"""Audit (issue 10): 一试双证 through the real declaration, not the ORM factories.

A dual sitting of an occupation and level names the special-ability item of its second
certificate (occupation, level AND special_ability_item set); the catalog's say on the second
certificate is asked at declaration (and approval), not first discovered when the certificates
are issued, after the results, when the sitting can no longer be changed."""

from __future__ import annotations

import pytest

from jineng.assessment import services
from jineng.assessment.models import AssessmentSitting
from jineng.core.errors import DomainError
from tests.assessment import sittings_support as ss
from tests.training import helpers as th

pytestmark = pytest.mark.django_db

ITEM = "老年人助浴"


@pytest.fixture
def w():
    return ss.world()


def test_a_dual_certificate_sitting_can_be_declared():
    w = ss.world(evaluator_items=(ITEM,))
    sitting = ss.declare(w, special_ability_item=ITEM,
                         second_certificate_kind="special_ability")
    assert sitting.second_certificate_kind == "special_ability"
    assert sitting.special_ability_item == ITEM
    assert sitting.occupation_id and sitting.level_id
    # the issuance's own check agrees, and the sitting is approved with the check run again
    assert services.second_certificate_listing(sitting) == "special_ability"
    approved = services.sitting_transition(actor=w.county_staff, sitting=sitting,
                                           action="approve")
    assert approved.status == "approved"


def test_a_dual_sitting_of_a_class_admits_its_trainees():
    """The class trains the occupation and level; the item is the second certificate's, so
    the class still matches and its trainees are added by the class_completed route."""
    w = ss.world(evaluator_items=(ITEM,))
    sitting = ss.declare(w, special_ability_item=ITEM, second_certificate_kind="special_ability",
                         training_class_id=w.cls.pk)
    report = services.candidates_add_from_class(actor=w.operator, sitting=sitting)
    assert len(report.added) == 2 and not report.skipped


def test_without_the_item_the_dual_sitting_is_refused_at_declaration(w):
    before = AssessmentSitting.objects.count()
    with pytest.raises(DomainError) as refused:
        ss.declare(w, second_certificate_kind="special_ability")
    assert (refused.value.field, refused.value.code) == ("special_ability_item", "second_item")
    assert AssessmentSitting.objects.count() == before


def test_an_item_without_a_second_certificate_is_still_both(w):
    with pytest.raises(DomainError) as refused:
        ss.declare(w, special_ability_item=ITEM)
    assert (refused.value.field, refused.value.code) == ("special_ability_item", "both")


def test_a_second_certificate_of_the_first_kind_is_refused(w):
    with pytest.raises(DomainError) as refused:
        ss.declare(w, second_certificate_kind="skill_level")
    assert (refused.value.field, refused.value.code) == ("second_certificate_kind",
                                                         "second_kind")


def test_a_second_certificate_the_catalog_does_not_list_is_refused_at_declaration(w):
    # The world's catalog lists the evaluator for 养老护理员, no special-ability item.
    before = AssessmentSitting.objects.count()
    with pytest.raises(DomainError) as refused:
        ss.declare(w, level=th.level("grade5"), second_certificate_kind="special_ability",
                   special_ability_item=ITEM)
    assert (refused.value.field, refused.value.code) == ("second_certificate_kind",
                                                         "second_not_listed")
    assert AssessmentSitting.objects.count() == before

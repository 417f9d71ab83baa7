"""The wishes' part of the demo province: posters and wishes from them, blocks for a reset."""

from __future__ import annotations

import random

import pytest
from django.apps import apps
from django.utils import timezone

from jineng.core import pii
from jineng.demand.demo import wishes as demo
from jineng.demand.models import TrainingWish, WishPoster
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_demo_wishes_scale_and_blocks():
    for _ in range(3):
        f.SiteFactory()
    result = demo.build(rng=random.Random(1), today=timezone.localdate(), anchors={},
                        scale="XS")
    assert result["posters"] == WishPoster.objects.count() == demo.SIZES["XS"][0]
    assert result["wishes"] == TrainingWish.objects.count() == demo.SIZES["XS"][1]
    wish = TrainingWish.objects.first()
    assert pii.mask_id_number(pii.decrypt(wish.id_encrypted)) == wish.id_masked
    assert wish.occupations.exists()
    labels = [b[0] for b in result["blocks"]]
    assert labels[:2] == ["demand.wishposter", "demand.trainingwish"]
    for label, first, last in result["blocks"]:  # a reset finds each model and deletes them
        model = apps.get_model(label)
        assert model.objects.filter(pk__range=(first, last)).count() == last - first + 1

"""Factories of the demand app's records, made with the ORM (the services that write them are
tested on their own; these build the world other tests start from). Shared by the demand tests:
add to it, keep what is there."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from jineng.core import pii
from jineng.demand.choices import PosterPlace, PreferredTime
from jineng.demand.models import TrainingWish, WishPoster
from jineng.registry.models import Occupation, SkillLevel
from tests import factories as f


def occupation(name: str = "养老护理员") -> Occupation:
    return Occupation.objects.filter(name=name).order_by("pk").first()


def level(code: str = "grade5") -> SkillLevel:
    return SkillLevel.objects.get(code=code)


# --- training wishes -------------------------------------------------------------------------

class PosterFactory(factory.django.DjangoModelFactory):
    """A QR poster hanging in a community of the home county (南明区)."""

    class Meta:
        model = WishPoster

    region = factory.LazyFunction(lambda: f.region(f.COUNTY))
    place_kind = PosterPlace.COMMUNITY
    place_name = factory.Sequence(lambda n: f"测试社区{n}")
    created_by = "factory"


class WishFactory(factory.django.DjangoModelFactory):
    """A wish registered from a poster; `plain_id` is the person's ID number (kept on the
    instance for assertions). Occupations: pass `occupations=[...]` (default 养老护理员)."""

    class Meta:
        model = TrainingWish
        exclude = ["plain_id"]
        skip_postgeneration_save = True

    plain_id = factory.LazyFunction(f.id_number_for)
    poster = factory.SubFactory(PosterFactory)
    region = factory.LazyAttribute(lambda w: w.poster.region if w.poster else f.region(f.COUNTY))
    id_hash = factory.LazyAttribute(lambda w: pii.keyed_hash(w.plain_id))
    id_encrypted = factory.LazyAttribute(lambda w: pii.encrypt(w.plain_id))
    id_masked = factory.LazyAttribute(lambda w: pii.mask_id_number(w.plain_id))
    name = factory.Sequence(lambda n: f"李{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    preferred_time = PreferredTime.WEEKEND
    key_groups = factory.LazyFunction(list)
    consent_at = factory.LazyFunction(timezone.now)
    consent_version = "2026-1"

    @factory.post_generation
    def occupations(self, create, extracted, **kwargs):
        if not create:
            return
        self.occupations.set(extracted if extracted is not None else [occupation()])


def wish_date(days_ago: int = 0) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)

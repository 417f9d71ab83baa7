"""Demo data of the demand app: wishes. QR posters across the demo province (at training sites,
villages, communities, gig labour markets, service centres) and the wishes registered from
them, scaled with the tier (SYNTHETIC: names, numbers, choices). Rows are written with explicit
primary keys so the build knows its blocks (poster, wish, the wish–occupation links) for a
reset, as the assessment demo does."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from jineng.core import pii
from jineng.core.validators import make_resident_id
from jineng.demand.choices import PosterPlace, PreferredTime
from jineng.demand.models import TrainingWish, WishPoster
from jineng.demand.rules import wishes as rules
from jineng.registry.choices import KeyGroup
from jineng.registry.models import Occupation, Region, SkillLevel, TrainingSite

SIZES = {"XS": (6, 40), "S": (40, 400), "M": (150, 2_000), "L": (400, 6_000)}  # posters, wishes
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗龙吴杨石"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "华"]
PLACE_WORDS = {
    PosterPlace.VILLAGE: "村委会", PosterPlace.COMMUNITY: "社区服务站",
    PosterPlace.GIG_MARKET: "零工市场", PosterPlace.SERVICE_CENTER: "就业服务中心",
}
# SYNTHETIC shares of self-declared key groups among wishers.
GROUP_SHARES = {KeyGroup.MIGRANT_WORKER: 0.4, KeyGroup.UNEMPLOYED: 0.15,
                KeyGroup.GRADUATE: 0.12, KeyGroup.LEFT_BEHIND_WOMAN: 0.06,
                KeyGroup.POVERTY_MONITORED: 0.06, KeyGroup.RELOCATED: 0.05,
                KeyGroup.VETERAN: 0.02, KeyGroup.DISABLED: 0.02}


def _next(model) -> int:
    return (model._base_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def _jitter(rng: random.Random, value, spread: float = 0.03) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(str(value)) + Decimal(str(round(rng.uniform(-spread, spread), 6)))) \
        .quantize(Decimal("0.000001"))


def build(*, rng, today, anchors, scale: str) -> dict:
    """Posters and wishes; returns counts and the blocks made."""
    n_posters, n_wishes = SIZES.get(scale, SIZES["S"])
    sites = list(TrainingSite.objects.filter(region__code__startswith="52", is_active=True)
                 .select_related("region").order_by("pk")[:2000])
    counties = list(Region.objects.filter(pk__in={s.region_id for s in sites}).order_by("code"))
    if not counties:
        return {"posters": 0, "wishes": 0}
    from jineng.training.models import TrainingClass

    occupation_ids = list(TrainingClass.objects.filter(region__code__startswith="52")
                          .values_list("occupation_id", flat=True).distinct()[:60])
    if not occupation_ids:
        occupation_ids = list(Occupation.objects.filter(rank="occupation")
                              .order_by("pk").values_list("pk", flat=True)[:40])
    levels = list(SkillLevel.objects.filter(rank__lte=4).order_by("rank"))
    now = timezone.now()

    first_poster = _next(WishPoster)
    posters = []
    for i in range(n_posters):
        if i < len(sites) and i % 3 == 0:
            site = sites[i]
            posters.append(WishPoster(
                pk=first_poster + len(posters), region=site.region, place_kind=PosterPlace.SITE,
                place_name=site.name[:100], site=site, longitude=site.longitude,
                latitude=site.latitude, created_by="demo"))
            continue
        county = counties[i % len(counties)]
        kind = rng.choice(list(PLACE_WORDS))
        stem = rng.choice("东南西北中新") + rng.choice("山河桥坝寨湾")
        place = f"{county.name}{stem}{PLACE_WORDS[kind]}"
        posters.append(WishPoster(
            pk=first_poster + len(posters), region=county, place_kind=kind,
            place_name=place[:100], longitude=_jitter(rng, county.longitude, 0.1),
            latitude=_jitter(rng, county.latitude, 0.1), created_by="demo",
            is_active=rng.random() > 0.05))
    WishPoster.objects.bulk_create(posters)

    first_wish = _next(TrainingWish)
    taken: set[str] = set(TrainingWish.objects.values_list("id_hash", flat=True))
    wishes, links = [], []
    Link = TrainingWish.occupations.through
    first_link = _next(Link)
    while len(wishes) < n_wishes:
        poster = rng.choice(posters)
        birth = dt.date(rng.randint(1966, 2006), rng.randint(1, 12), rng.randint(1, 28))
        number = make_resident_id(poster.region.code[:6], birth, rng.randint(0, 999))
        digest = pii.keyed_hash(number)
        if digest in taken:
            continue
        taken.add(digest)
        groups = [g for g, share in GROUP_SHARES.items() if rng.random() < share][:2]
        wish = TrainingWish(
            pk=first_wish + len(wishes), poster=poster, region=poster.region, id_hash=digest,
            id_encrypted=pii.encrypt(number), id_masked=pii.mask_id_number(number),
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone=f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
            level=rng.choice(levels) if levels and rng.random() < 0.7 else None,
            preferred_time=rng.choice(PreferredTime.values),
            preferred_place=poster.place_name[:100] if rng.random() < 0.5 else "",
            longitude=_jitter(rng, poster.longitude), latitude=_jitter(rng, poster.latitude),
            max_distance_km=rng.choice([5, 10, 20, 20, 30, 50]), key_groups=groups,
            consent_at=now - dt.timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 900)),
            consent_version=rules.CONSENT_VERSION)
        wishes.append(wish)
        # The classes' occupations repeat (weighted draw): one link per distinct occupation.
        wished = rng.sample(occupation_ids, k=min(len(occupation_ids), rng.choice([1, 1, 2])))
        for occ in sorted(set(wished)):
            links.append(Link(pk=first_link + len(links), trainingwish_id=wish.pk,
                              occupation_id=occ))
    TrainingWish.objects.bulk_create(wishes, batch_size=1000)
    Link.objects.bulk_create(links, batch_size=2000)
    statements = connection.ops.sequence_reset_sql(no_style(), [WishPoster, TrainingWish, Link])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
    blocks = [("demand.wishposter", first_poster, first_poster + len(posters) - 1),
              ("demand.trainingwish", first_wish, first_wish + len(wishes) - 1),
              (Link._meta.label_lower, first_link, first_link + len(links) - 1)]
    return {"posters": len(posters), "wishes": len(wishes),
            "blocks": [b for b in blocks if b[2] >= b[1]]}

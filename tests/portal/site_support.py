"""A small public world for the site tests: an institution listed in the catalogs with two sites
(one 8 km from the searcher's position, one 15 km), approved upcoming classes at each, built
through the training app's real services (tests.training.helpers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from jineng.training import services
from tests import factories as f
from tests.training import helpers as h

KM_PER_DEGREE_LAT = 6371.0088 * 3.141592653589793 / 180
NEAR_LAT = Decimal("26.570000")  # the world's own site (h.world)
LON = Decimal("106.710000")
# The searcher stands 8 km south of the near site; the far site is 15 km north of the searcher.
SEARCHER = (float(NEAR_LAT) - 8 / KM_PER_DEGREE_LAT, float(LON))
FAR_LAT = Decimal(f"{SEARCHER[0] + 15 / KM_PER_DEGREE_LAT:.6f}")


def next_weekday(days: int) -> dt.date:
    day = dt.date.today() + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


@dataclass
class SiteWorld:
    w: h.World
    near: object  # class at the near site
    far: object  # class at the far site
    enterprise_class: object  # not subsidized, for veterans
    declared: object  # waiting for review: not public


def approve(w, cls):
    return services.class_transition(actor=w.county_staff, training_class=cls, action="approve")


def site_world() -> SiteWorld:
    w = h.world()
    w.org.address = "中华北路1号"
    w.org.contact_phone = "13912345678"  # a mobile: never shown publicly
    w.org.legal_representative = "张法人"
    w.org.save()
    far_site = f.SiteFactory(organization=w.org, name="北郊教学点", address="北郊路8号",
                             latitude=FAR_LAT, longitude=LON)
    start = next_weekday(7)
    near = approve(w, h.declare(w, name="养老护理员近处班", sessions=h.sessions(start, n=5)))
    far = approve(w, h.declare(w, name="养老护理员远处班", site=far_site,
                                sessions=h.sessions(start, n=5), teachers=()))
    enterprise_class = approve(w, h.declare(
        w, name="企业自费退役军人班", funding_source="enterprise", target_group="veteran",
        sessions=h.sessions(next_weekday(30), n=5), teachers=()))
    declared = h.declare(w, name="待审核班", sessions=h.sessions(start, n=5), teachers=())
    h.enroll(w, near, name="李学员")
    return SiteWorld(w=w, near=near, far=far, enterprise_class=enterprise_class,
                     declared=declared)

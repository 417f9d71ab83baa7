"""The tiers, the SYNTHETIC shares of the province, and the build's context (its seeded streams,
primary-key blocks and progress bars) that every step receives."""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field

from tqdm import tqdm

from jineng.demo import bulk
from jineng.demo.geography import Geography, Place
from jineng.demo.models import DemoBuild, DemoRows
from jineng.registry.choices import (
    InstitutionType,
    KeyGroup,
)
from jineng.supervision import demo as supervision_demo

REFERENCE_DATE = dt.date(2026, 1, 1)  # the registry "as of" this day: ages, memberships
DEMO_SOURCE = "demo"


@dataclass(frozen=True)
class Tier:
    """Sizes of one scale tier (DESIGN.md): the person registry is about one year's
    enrollments of the tier; organizations grow with it."""

    persons: int
    training: int
    evaluation: int
    enterprises: int
    like: str


TIERS: dict[str, Tier] = {
    # XS is for tests only (not offered by the command's help).
    "XS": Tier(300, 12, 3, 15, "tests"),
    "S": Tier(35_000, 130, 30, 140, "one city: ~35,000 enrollments a year"),
    "M": Tier(350_000, 650, 150, 700, "a mid-size province: ~350,000 enrollments a year"),
    "L": Tier(2_000_000, 2_600, 600, 2_800, "a large province: 2,000,000 enrollments a year"),
}
PUBLIC_TIERS = ("S", "M", "L")

# SYNTHETIC shares of training institutions by type.
INSTITUTION_TYPE_WEIGHTS = {
    InstitutionType.TECHNICIAN_COLLEGE: 5,
    InstitutionType.VOCATIONAL_SCHOOL: 10,
    InstitutionType.PRIVATE_TRAINING: 60,
    InstitutionType.ENTERPRISE_CENTER: 15,
    InstitutionType.PUBLIC_BASE: 10,
}
SUSPENDED_SHARE = 0.03  # SYNTHETIC: organizations currently suspended

# SYNTHETIC key-group shares of the person registry (a person may be in several groups;
# unemployed and enterprise employees exclude each other).
KEY_GROUP_SHARES = {
    KeyGroup.MIGRANT_WORKER: 0.35,
    KeyGroup.ENTERPRISE_EMPLOYEE: 0.25,
    KeyGroup.GRADUATE: 0.10,
    KeyGroup.UNEMPLOYED: 0.08,
    KeyGroup.POVERTY_MONITORED: 0.05,
    KeyGroup.RELOCATED: 0.04,
    KeyGroup.LEFT_BEHIND_WOMAN: 0.03,
    KeyGroup.HARD_TO_EMPLOY: 0.03,
    KeyGroup.VETERAN: 0.02,
    KeyGroup.DISABLED: 0.015,
}
MALE_SHARE = 0.52  # SYNTHETIC
ID_FROM_RESIDENCE = 0.85  # SYNTHETIC: ID number issued in the county of residence
ID_FROM_PROVINCE = 0.09  # SYNTHETIC: issued elsewhere in Guizhou (rest: other provinces)
REGISTERED_BY_INSTITUTION = 0.6  # SYNTHETIC: registered by a training institution
SHARED_ADDRESS = 0.02  # SYNTHETIC: gives the address of someone registered shortly before

PERSON_CHUNK = 5_000


class DemoError(Exception):
    """The demo cannot be built or reset as asked; the message says why."""


@dataclass(frozen=True)
class OrgRef:
    pk: int
    kind: str
    institution_type: str
    county: Place


@dataclass
class BuildContext:
    """What the steps share: tier, seed, geography, the build record and what was made."""

    scale: str
    seed: int
    tier: Tier
    persons: int
    progress: bool
    geo: Geography
    build: DemoBuild
    created_at: dt.datetime
    reference_date: dt.date = REFERENCE_DATE
    fraud_rate: float = supervision_demo.DEFAULT_FRAUD_RATE
    organizations: list[OrgRef] = field(default_factory=list)
    anchors: dict[str, int] = field(default_factory=dict)  # kind → pk of the demo users' org
    counts: dict[str, int] = field(default_factory=dict)

    def rng(self, step: str) -> random.Random:
        """The random stream of one step (string seeds hash stably across runs)."""
        return random.Random(f"jineng-demo:{self.seed}:{step}")

    def allocate(self, model, n: int) -> int:
        """Reserve `n` primary keys of `model` for this build; returns the first."""
        first = bulk.next_pk(model)
        if n > 0:
            DemoRows.objects.create(build=self.build, model=model._meta.label_lower,
                                    first_pk=first, last_pk=first + n - 1)
        return first

    def bar(self, total: int, desc: str):
        return tqdm(total=total, desc=desc, unit=" rows", file=sys.stderr,
                    disable=not self.progress, dynamic_ncols=True, mininterval=0.5)

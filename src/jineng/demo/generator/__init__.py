"""The synthetic demo province: Guizhou on its real region codes, filled with made-up
organizations, training sites, persons and demo users.

    generate(scale="S", seed=1) -> counts

Everything is drawn from `random.Random` streams seeded by (seed, step name), and dates are
counted from the fixed REFERENCE_DATE, so one seed gives the same province every time (on a
database without other persons; only the ciphertexts differ, as Fernet wants). Each step draws
from its own stream, so steps added later (classes, attendance, certificates, claims) do not
change what the earlier ones make: append them to STEPS.

Every number below that describes a share of people or organizations is SYNTHETIC: plausible,
not taken from statistics, and labelled so in place.

The package: `context` (tiers, shares, the build context), `organizations` and `persons` (the
registry's steps), `build` (the other steps, STEPS in order, the build and the reset).
"""

from __future__ import annotations

from jineng.demo.generator.build import (
    ANCHOR_OCCUPATIONS,
    STEPS,
    Step,
    build_assessment,
    build_catalogs,
    build_coverage,
    build_demand,
    build_outcomes,
    build_plan,
    build_subsidy,
    build_supervision,
    build_training,
    build_users,
    delete_demo,
    demo_exists,
    generate,
    reset_demo,
)
from jineng.demo.generator.context import (
    DEMO_SOURCE,
    ID_FROM_PROVINCE,
    ID_FROM_RESIDENCE,
    INSTITUTION_TYPE_WEIGHTS,
    KEY_GROUP_SHARES,
    MALE_SHARE,
    PERSON_CHUNK,
    PUBLIC_TIERS,
    REFERENCE_DATE,
    REGISTERED_BY_INSTITUTION,
    SHARED_ADDRESS,
    SUSPENDED_SHARE,
    TIERS,
    BuildContext,
    DemoError,
    OrgRef,
    Tier,
)
from jineng.demo.generator.organizations import AUTHORITY, build_organizations
from jineng.demo.generator.persons import ResidentIdMaker, build_persons

__all__ = [
    "ANCHOR_OCCUPATIONS", "AUTHORITY", "DEMO_SOURCE", "ID_FROM_PROVINCE", "ID_FROM_RESIDENCE",
    "INSTITUTION_TYPE_WEIGHTS", "KEY_GROUP_SHARES", "MALE_SHARE", "PERSON_CHUNK", "PUBLIC_TIERS",
    "REFERENCE_DATE", "REGISTERED_BY_INSTITUTION", "SHARED_ADDRESS", "STEPS", "SUSPENDED_SHARE",
    "TIERS", "BuildContext", "DemoError", "OrgRef", "ResidentIdMaker", "Step", "Tier",
    "build_assessment", "build_catalogs", "build_coverage", "build_demand", "build_organizations",
    "build_outcomes", "build_persons", "build_plan", "build_subsidy", "build_supervision",
    "build_training", "build_users", "delete_demo", "demo_exists", "generate", "reset_demo",
]

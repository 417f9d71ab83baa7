"""The remaining steps (users, then each app's part of the province through that app's own
`demo` module), STEPS in order, and the build and the reset of the demo province."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jineng.assessment import demo as assessment_demo
from jineng.catalog import demo as catalog_demo
from jineng.core import audit
from jineng.core.models import AuditAction
from jineng.demand import demo as demand_demo
from jineng.demo import bulk, plans_demo
from jineng.demo.generator.context import (
    PUBLIC_TIERS,
    REFERENCE_DATE,
    TIERS,
    BuildContext,
    DemoError,
)
from jineng.demo.generator.organizations import build_organizations
from jineng.demo.generator.persons import build_persons
from jineng.demo.geography import PROVINCE_CODE, Geography
from jineng.demo.models import DemoBuild, DemoRows, DemoUser
from jineng.demo.users import DemoUserConflict, ensure_demo_users
from jineng.outcomes import demo as outcomes_demo
from jineng.portal import demo as portal_demo
from jineng.subsidy import demo as subsidy_demo
from jineng.supervision import demo as supervision_demo
from jineng.training import demo as training_demo

# --- users and the audit event -----------------------------------------------------------

def build_users(ctx: BuildContext) -> None:
    """One demo login per role (see jineng.demo.users)."""
    codes = {"520000": ctx.geo.province_pk, "520100": ctx.geo.cities["520100"]["pk"],
             "520102": ctx.geo.county("520102").pk}
    try:
        ids = ensure_demo_users(regions=codes, anchors=ctx.anchors)
    except DemoUserConflict as clash:
        raise DemoError(f"Users with demo user names exist and were not made by the demo: "
                        f"{clash}. Rename them or use another database.") from clash
    ctx.counts["users"] = len(ids)


def build_training(ctx: BuildContext) -> None:
    """Classes, enrollments and attendance in the proportions of the seeds, around today
    (so the "today" board has classes in session); the blocks it inserts are recorded so a
    reset deletes exactly them."""
    result = training_demo.build_demo_training(scale=ctx.scale, seed=ctx.seed,
                                               today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.get("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    for key in ("classes", "enrollments", "attendance_events", "plan_facts"):
        if key in result:
            ctx.counts[key] = result[key]


def build_assessment(ctx: BuildContext) -> None:
    """Sittings and certificates of the finished classes (realistic pass rates), direct
    recognitions, self-evaluations, revoked and outside certificates, and sittings waiting for
    the assessor login (see jineng.assessment.demo); its blocks are recorded for a reset."""
    result = assessment_demo.build_demo_assessment(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.get("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    for key in ("sittings", "candidates", "certificates", "certificates_revoked",
                "certificates_outside", "certificates_dual", "classes_assessed",
                "assessment_plan_facts"):
        if key in result:
            ctx.counts[key] = result[key]


def build_outcomes(ctx: BuildContext) -> None:
    """Social-insurance records of the trainees and others, business registrations, rows for
    the linker, and a first computation of the outcomes (see jineng.outcomes.demo); its blocks
    are recorded for a reset."""
    result = outcomes_demo.build_demo_outcomes(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.get("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    for key in ("insurance_records", "business_registrations", "record_links"):
        if key in result:
            ctx.counts[key] = result[key]


def build_subsidy(ctx: BuildContext) -> None:
    """Parameter sets, budgets, claims at every state, payment batches and imported history
    through the subsidy app's services (see jineng.subsidy.demo); its blocks are recorded."""
    result = subsidy_demo.build_demo_subsidy(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.pop("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    ctx.counts.update({k: v for k, v in result.items() if k.startswith("subsidy_")})


def build_demand(ctx: BuildContext) -> None:
    """Wish posters and wishes, the demo enterprises' demand lists, one forecast cycle, matches,
    order classes and referrals (see jineng.demand.demo); its blocks are recorded for a reset."""
    result = demand_demo.build_demo_demand(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.pop("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    ctx.counts.update({f"demand_{key}": value for key, value in result.items()})


def build_coverage(ctx: BuildContext) -> None:
    """Synthetic population of the demo counties (labelled as such) and the 30-minute circle's
    coverage and a placement proposal (see jineng.portal.demo)."""
    result = portal_demo.build_demo_coverage(
        scale=ctx.scale, seed=ctx.seed, today=timezone.localdate(), anchors=ctx.anchors)
    for model, first, last in result.pop("blocks", []):
        DemoRows.objects.create(build=ctx.build, model=model, first_pk=first, last_pk=last)
    ctx.counts.update({f"coverage_{key}": value for key, value in result.items()})


def build_plan(ctx: BuildContext) -> None:
    """The Guizhou pack as the demo province's plan, with synthetic volumes up to today (so
    the dashboard shows progress as of the day the demo is built). The plan's volumes are
    province-sized whatever the tier, so the test tier XS leaves it out (tests/plans builds
    it directly)."""
    if ctx.scale == "XS":
        return
    result = plans_demo.build_demo_plan(seed=ctx.seed, today=timezone.localdate())
    ctx.counts["synthetic_plan_facts"] = result.get("facts", 0)


# The demo institution's own occupations: one of the industry demo user's sector (digital
# economy), so that department has classes to see, and two of the largest sectors.
ANCHOR_OCCUPATIONS = ("人工智能训练师", "养老护理员", "电工")


def build_catalogs(ctx: BuildContext) -> None:
    """The catalogs in force, with every training institution listed for occupations in the
    proportions the training demo trains them (so each demo class is one its institution is
    listed for)."""
    catalog_demo.demo_step(ctx, occupation_weights=training_demo.occupation_weights(),
                           first_occupations=ANCHOR_OCCUPATIONS,
                           dual_items=assessment_demo.DUAL_ITEMS)


Step = tuple[str, Callable[[BuildContext], None]]

def build_supervision(ctx: BuildContext) -> None:
    """Fraud planted at `ctx.fraud_rate` for the risk rules, and a first scan so the inspector
    has alerts (see jineng.supervision.demo); new rows and the scan recorded in blocks."""
    def allocate_range(model, first: int, last: int) -> None:
        DemoRows.objects.create(build=ctx.build, model=model._meta.label_lower,
                                first_pk=first, last_pk=last)

    ctx.counts.update(supervision_demo.build_demo_supervision(
        seed=ctx.seed, rate=ctx.fraud_rate, allocate=ctx.allocate, writer=bulk.RowWriter,
        allocate_range=allocate_range))


# The order matters: later steps use what earlier ones made (ctx.organizations, anchors).
STEPS: list[Step] = [
    ("organizations", build_organizations),
    ("catalogs", build_catalogs),
    ("persons", build_persons),
    ("users", build_users),
    ("training", build_training),
    ("assessment", build_assessment),
    ("outcomes", build_outcomes),
    ("subsidy", build_subsidy),
    ("demand", build_demand),
    ("coverage", build_coverage),
    ("plans", build_plan),
    ("supervision", build_supervision),  # last: it plants into and scans all of the above
]


def demo_exists() -> bool:
    return DemoBuild.objects.exists()


def generate(scale: str = "S", seed: int = 1, *, progress: bool = True,
             persons: int | None = None, if_empty: bool = False, reset: bool = False,
             steps: list[Step] | None = None, fraud_rate: float | None = None) -> dict:
    """Build the demo province in one transaction; returns the counts (and `seconds`).
    `if_empty`: do nothing if a demo province exists. `reset`: remove the previous one first.
    Without either, an existing demo province is an error."""
    if scale not in TIERS:
        raise DemoError(f"Unknown tier {scale!r}: choose one of {', '.join(PUBLIC_TIERS)}.")
    if persons is not None and persons < 1:
        raise DemoError("--persons must be a positive number.")
    if fraud_rate is not None and not 0 <= fraud_rate <= 0.5:
        raise DemoError("--fraud-rate must be between 0 and 0.5.")
    started = time.perf_counter()
    with bulk.fast_sqlite_load():
        try:
            with transaction.atomic():
                if demo_exists():
                    if if_empty:
                        return {"skipped": True}
                    if not reset:
                        raise DemoError("A demo province already exists: use --reset to "
                                        "rebuild it or --if-empty to keep it.")
                    delete_demo()
                tier = TIERS[scale]
                build = DemoBuild.objects.create(scale=scale, seed=seed,
                                                 persons=persons or tier.persons,
                                                 reference_date=REFERENCE_DATE)
                ctx = BuildContext(scale=scale, seed=seed, tier=tier,
                                   persons=persons or tier.persons, progress=progress,
                                   geo=Geography(), build=build, created_at=timezone.now())
                if fraud_rate is not None:
                    ctx.fraud_rate = fraud_rate
                for _name, step in steps or STEPS:
                    step(ctx)
                ctx.build.counts = ctx.counts
                ctx.build.seconds = round(time.perf_counter() - started, 2)
                ctx.build.save(update_fields=["counts", "seconds"])
                audit.record_bulk_import(
                    actor=None, entity_type="demo.province", count=ctx.counts.get("persons", 0),
                    source=f"jineng demo-data --scale {scale} --seed {seed}: "
                    + ", ".join(f"{k}={v}" for k, v in ctx.counts.items()),
                    region_code=PROVINCE_CODE,
                )
        except IntegrityError as exc:
            raise DemoError(f"The database refused the demo data: {exc}") from exc
    return {**ctx.counts, "seconds": round(time.perf_counter() - started, 2)}


def delete_demo() -> dict[str, int]:
    """Delete every row the demo builds made, newest block first (dependents before what
    they point to). Demo users stay (their logins are audited) but lose their organization
    until the next build. Rows made outside the demo that point at demo rows stop the reset
    with an error, and nothing is deleted."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    # Catalogs point at demo organizations, and published catalog rows are immutable except
    # through the catalog app's own system purge.
    catalog_demo.delete_demo_catalogs(PROVINCE_CODE)
    plans_demo.remove_demo_plan()
    plans_demo.remove_facts(source=training_demo.PLAN_FACTS_SOURCE)
    plans_demo.remove_facts(source=assessment_demo.PLAN_FACTS_SOURCE)
    plans_demo.remove_facts(source=outcomes_demo.PLAN_FACTS_SOURCE)
    plans_demo.remove_facts(source=subsidy_demo.PLAN_FACTS_SOURCE)
    demo_users = DemoUser.objects.values("user_id")
    get_user_model().objects.filter(pk__in=demo_users).update(organization=None)
    deleted: dict[str, int] = {}
    for block in DemoRows.objects.order_by("-id"):
        # The label is stored data (each app's demo step recorded its blocks, builds ago); the
        # demo is the top layer and may use any app's models, so this is no reach upwards and
        # no hook fits: a registry the apps fill in would only copy Django's (see core.hooks).
        model = apps.get_model(block.model)
        n = bulk.delete_range(model, block.first_pk, block.last_pk)
        deleted[block.model] = deleted.get(block.model, 0) + n
    try:  # foreign keys are checked at commit; check now, to name the problem
        connection.check_constraints()
    except IntegrityError as exc:
        raise DemoError("Other records refer to demo data, so the demo province cannot be "
                        f"removed: {exc}") from exc
    builds = list(DemoBuild.objects.values_list("scale", "seed"))
    DemoBuild.objects.all().delete()
    audit.record(actor=None, action=AuditAction.DELETE, entity_type="demo.province",
                 label="demo province removed", region_code=PROVINCE_CODE,
                 before={"builds": builds, "deleted": deleted})
    return deleted


def reset_demo() -> dict[str, int]:
    """Remove the demo province (one transaction); a foreign key from other data stops it."""
    with transaction.atomic():
        return delete_demo()

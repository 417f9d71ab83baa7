"""Who may do what in plans: one vocabulary for the services (`ensure_*`, which raise) and the
views and templates (`may_*`, which answer yes or no), so a page offers a form only to those
the service will let through. Pure: plain values in (no Django).

- The checklist of a plan is kept by the HRSS staff of the plan's own region.
- A pack is loaded by HRSS staff governing its region; a target is split among the regions
  directly below by the HRSS staff of exactly the region being split.
- A region's quarterly report is filed by the HRSS staff of that region; a department's report
  (for the plan's whole region, never a part of it) by the industry departments and the
  province or city staff of the plan's region.
- A report is reviewed by staff governing its region at the level above the one filing it
  (a department report also by staff of its own region), never by the one who submitted it.
- System administrators (and the system itself) may do all of it.
- A region is reachable (a link in a breadcrumb) only if it lies in the actor's subtree.

Refusals carry an English message template (the services translate it) and its parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

# The role values of accounts.models.Role (tests/plans/test_permissions.py keeps them equal).
PROVINCE_STAFF = "province_staff"
CITY_STAFF = "city_staff"
COUNTY_STAFF = "county_staff"
INDUSTRY_STAFF = "industry_staff"
HRSS_ROLES = frozenset({PROVINCE_STAFF, CITY_STAFF, COUNTY_STAFF})
DEPARTMENT_REPORTERS = frozenset({INDUSTRY_STAFF, PROVINCE_STAFF, CITY_STAFF})


def _(text: str) -> str:
    """Marks a message for the catalog; services translate it when they raise."""
    return text


MESSAGES = {
    "hrss_only": _("Only HRSS staff may do this."),
    "staff_of": _("Only the staff of %(region)s may do this."),
    "outside": _("This region is outside your jurisdiction."),
    "department_reporters": _("Department reports are filed by the departments of "
                              "%(region)s."),
    "department_region": _("A department's report covers %(region)s as a whole."),
    "level_above": _("A report is reviewed by the level above the one that files it."),
    "own_submission": _("You may not review a report you submitted."),
}


@dataclass(frozen=True)
class Actor:
    """What the rules need to know of a user (built by plans.services.access.actor_facts).

    `region` is the code of the user's own region ("" for none); `prefix` the code prefix of
    the subtree the user sees ("52" for a province); `hrss` a staff member of a human
    resources and social security bureau; `everything` a system administrator or the system."""

    pk: int | None = None
    role: str = ""
    region: str = ""
    prefix: str | None = None
    hrss: bool = False
    everything: bool = False


@dataclass(frozen=True)
class Place:
    """A region as the rules see it: its code and the prefix of its subtree."""

    code: str
    prefix: str
    name: str = ""


class Refused(Exception):
    """A rule said no; `code` keys MESSAGES, `params` fill it in."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def template(self) -> str:
        return MESSAGES[self.code]


def _decide(check, *args) -> bool:
    try:
        check(*args)
    except Refused:
        return False
    return True


# --- seeing ----------------------------------------------------------------------------------

def may_see_region(actor: Actor, code: str) -> bool:
    """Whether a region's pages answer the actor (else they answer 404 like a missing one)."""
    if actor.everything:
        return True
    return actor.prefix is not None and code.startswith(actor.prefix)


# --- staff of a region -----------------------------------------------------------------------

def ensure_staff_of(actor: Actor, region: Place) -> None:
    """HRSS staff of exactly this region (or a system administrator)."""
    if actor.everything:
        return
    if not actor.hrss or not actor.region:
        raise Refused("hrss_only")
    if actor.region != region.code:
        raise Refused("staff_of", region=region.name)


def ensure_governs(actor: Actor, region: Place) -> None:
    """HRSS staff whose subtree holds the region."""
    if actor.everything:
        return
    if not actor.hrss or actor.prefix is None:
        raise Refused("hrss_only")
    if not region.code.startswith(actor.prefix):
        raise Refused("outside")


def may_edit_checklist(actor: Actor, plan_region: Place) -> bool:
    return _decide(ensure_staff_of, actor, plan_region)


def may_decompose(actor: Actor, parent: Place) -> bool:
    return _decide(ensure_staff_of, actor, parent)


def may_load_packs(actor: Actor) -> bool:
    """Whether the pack page offers loading at all (the pack's region is checked on load)."""
    return actor.everything or (actor.hrss and actor.prefix is not None)


def may_load_pack_for(actor: Actor, region: Place) -> bool:
    return _decide(ensure_governs, actor, region)


# --- quarterly reports -----------------------------------------------------------------------

def ensure_reporter(actor: Actor, *, plan_region: Place, region: Place,
                    department: str) -> None:
    """Who files a region's report, or a department's report for the plan's region."""
    if department and region.code != plan_region.code:
        raise Refused("department_region", region=plan_region.name)
    if actor.everything:
        return
    if department:
        if actor.region != plan_region.code or actor.role not in DEPARTMENT_REPORTERS:
            raise Refused("department_reporters", region=plan_region.name)
        return
    ensure_staff_of(actor, region)


def may_prepare_report(actor: Actor, *, plan_region: Place, region: Place) -> bool:
    """Whether the report list offers the form to prepare a report for `region` (its own
    report, or, at the plan's region, a department's)."""
    if may_file_report(actor, plan_region=plan_region, region=region, department=""):
        return True
    return region.code == plan_region.code and may_file_report(
        actor, plan_region=plan_region, region=region, department="any")


def may_file_report(actor: Actor, *, plan_region: Place, region: Place,
                    department: str) -> bool:
    try:
        ensure_reporter(actor, plan_region=plan_region, region=region, department=department)
    except Refused:
        return False
    return True


def ensure_reviewer(actor: Actor, *, region: Place, department: str,
                    submitted_by: int | None) -> None:
    if actor.everything:
        return
    ensure_governs(actor, region)
    if actor.region == region.code and not department:
        raise Refused("level_above")
    if submitted_by is not None and submitted_by == actor.pk:
        raise Refused("own_submission")


def may_review_report(actor: Actor, *, region: Place, department: str,
                      submitted_by: int | None) -> bool:
    try:
        ensure_reviewer(actor, region=region, department=department, submitted_by=submitted_by)
    except Refused:
        return False
    return True

"""The risk rule catalog: code, severity, subject kind, a plain description and the dated
parameters each rule takes. Pure (no Django).

Descriptions are English msgids translated through gettext where shown (Chinese in
i18n/supervision.po); the RiskRule rows store the code and the parameter versions, the catalog
here is their default. A parameter version applies from its `valid_from` day: the run uses the
latest version whose day is not after the run's data day (like subsidy parameters)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITIES = (HIGH, MEDIUM, LOW)

PERSON, CLASS, INSTITUTION, TEACHER, DEVICE, SITE = (
    "person", "class", "institution", "teacher", "device", "site")
SUBJECT_KINDS = (PERSON, CLASS, INSTITUTION, TEACHER, DEVICE, SITE)

DEFAULT_VALID_FROM = "2020-01-01"


def gettext_noop(text: str) -> str:
    """Marks a msgid for extraction (makemessages knows this name); pure, no Django."""
    return text



@dataclass(frozen=True)
class RuleSpec:
    code: str
    severity: str
    subject_kind: str
    description: str
    parameters: dict = field(default_factory=dict)
    # What ref_a / ref_b / measure of the rule's rows name (evidence labels).
    ref_a: str = ""
    ref_b: str = ""
    measure: str = ""
    # How many of (ref_a, ref_b) identify the alert across runs: 2 both; 1 ref_a only; 0 the
    # subject alone. Counts that grow with new records (check-ins, candidates, classes, hours)
    # must not: a nightly scan would open a new alert for the same subject every night.
    dedup_refs: int = 2


RULES: dict[str, RuleSpec] = {r.code: r for r in (
    RuleSpec("R01", HIGH, PERSON, gettext_noop(
                "One person enrolled in classes whose sessions overlap in "
                "time"),
             {"min_overlap_minutes": 1}, "enrollment", "enrollment", "overlapping_sessions"),
    RuleSpec("R02", HIGH, PERSON, gettext_noop(
                "Consecutive check-ins too far apart for the time between "
                "them (impossible travel)"),
             {"max_kmh": 120, "min_km": 5}, "event", "event", "km_per_hour"),
    RuleSpec("R03", MEDIUM, CLASS, gettext_noop(
                "Check-ins far from the site or outside the session window "
                "above a share of a class's check-ins"),
             {"max_share": 0.3, "min_checkins": 10}, "flagged_checkins", "checkins", "share",
             dedup_refs=0),
    RuleSpec("R04", HIGH, TEACHER, gettext_noop(
                "A teacher in two sessions at the same time at different "
                "institutions"),
             {"min_overlap_minutes": 1}, "session", "session", "overlap_minutes"),
    RuleSpec("R05", MEDIUM, SITE, gettext_noop(
                "More people checked in at a site than its capacity"),
             {"tolerance": 0}, "session", "capacity", "people"),
    RuleSpec("R06", HIGH, CLASS, gettext_noop(
                "Machine-like attendance: many trainees checking in within "
                "the same seconds"),
             {"window_seconds": 2, "min_people": 8}, "session", "first_event", "people",
             dedup_refs=1),
    RuleSpec("R07", HIGH, DEVICE, gettext_noop("One device checking in many different people"),
             {"min_people": 5, "excluded_methods": [1]}, "first_event", "classes", "people",
             dedup_refs=1),
    RuleSpec("R09", HIGH, PERSON, gettext_noop(
                "Trainee insured by the institution that trains them during the class"),
             {"min_months": 1}, "enrollment", "class", "months_insured"),
    RuleSpec("R10A", HIGH, CLASS, gettext_noop("Assessment held before the class finished"),
             {"grace_days": 0}, "sitting", "candidates", "days_early", dedup_refs=1),
    RuleSpec("R10B", HIGH, PERSON, gettext_noop("Certificate issued before the assessment"),
             {}, "certificate", "candidate", "days_early"),
    RuleSpec("R10C", HIGH, TEACHER, gettext_noop(
                "A teacher of the class examining its own trainees"),
             {}, "sitting", "class", "candidates"),
    RuleSpec("R11A", MEDIUM, CLASS, gettext_noop(
                "Pass rate far above peers of the same occupation and "
                "level"),
             {"min_candidates": 10, "min_gap": 0.3, "min_peer_candidates": 20},
             "candidates", "passed", "pass_rate", dedup_refs=0),
    RuleSpec("R11B", MEDIUM, CLASS, gettext_noop("Scores heaped just above the pass mark"),
             {"band": 3.0, "min_share": 0.6, "min_scored": 10},
             "scored", "just_above", "share", dedup_refs=0),
    RuleSpec("R12", MEDIUM, PERSON, gettext_noop(
                "The same person trained again and again in the same occupation and level"),
             {"max_classes": 2}, "occupation", "level", "classes"),
    RuleSpec("R08", HIGH, PERSON, gettext_noop(
                "A ring of trainees linked by shared phone numbers, residence addresses or "
                "payee bank accounts across classes"),
             {"min_people": 5, "min_classes": 2, "min_institutions": 1},
             "classes", "institutions", "people", dedup_refs=0),
    RuleSpec("R13", MEDIUM, INSTITUTION, gettext_noop(
                "Enrollments of an institution jumping far above its own history and its "
                "sites' capacity"),
             {"period_months": 3, "factor": 3.0, "min_prior_periods": 3,
              "capacity_factor": 2.0}, "period_first_month", "median_before", "enrollments",
             dedup_refs=1),
    RuleSpec("R14A", HIGH, PERSON, gettext_noop(
                "Two subsidies on one certificate (claims and imported history)"),
             {}, "claim", "claim", "claims"),
    RuleSpec("R14B", HIGH, PERSON, gettext_noop(
                "One person subsidized twice for the same occupation and level"),
             {}, "claim", "claim", "claims"),
    RuleSpec("R14C", MEDIUM, PERSON, gettext_noop(
                "More subsidies to one person in a year than the yearly limit"),
             {"max_per_year": 3}, "year", "claim", "claims"),
    RuleSpec("R15", MEDIUM, PERSON, gettext_noop(
                "Trainee in an on-site class while insured by an employer in another city"),
             {"min_months": 1}, "enrollment", "employer_city", "months"),
    RuleSpec("R16A", HIGH, PERSON, gettext_noop(
                "Trainee on an exclusion list (pension drawer, full-time student or "
                "public-payroll staff) during the class"),
             {}, "enrollment", "list", "days"),
    RuleSpec("R16B", HIGH, PERSON, gettext_noop(
                "Trainee past the retirement age or under the minimum age when the class "
                "starts"),
             {}, "enrollment", "over_or_under", "days"),
    RuleSpec("R17A", MEDIUM, PERSON, gettext_noop(
                "Online learning of one account for more hours in a day than a person can "
                "learn"),
             {"max_daily_hours": 10}, "day", "first_event", "hours", dedup_refs=1),
    RuleSpec("R17B", MEDIUM, PERSON, gettext_noop(
                "Online learning hours accumulating overnight"),
             {"night_end_hour": 5, "min_night_hours": 2}, "day", "first_event", "hours",
             dedup_refs=1),
    RuleSpec("R17C", HIGH, PERSON, gettext_noop(
                "One account learning online in several classes at once"),
             {"min_overlap_minutes": 10}, "event", "event", "overlap_minutes"),
    RuleSpec("R17D", MEDIUM, PERSON, gettext_noop(
                "Many hours of online learning with hardly any interaction (answers, clicks, "
                "comments) per hour; judged only in classes whose platform sends interactions "
                "at all"),
             {"min_hours": 8, "min_interactions_per_hour": 0.5}, "hours", "interactions",
             "interactions_per_hour", dedup_refs=0),
)}


def parameters_in_force(code: str, versions: list[dict] | None, day: dt.date) -> dict:
    """The rule's parameters on `day`: the catalog default overlaid with the latest version
    (`{"valid_from": "YYYY-MM-DD", "parameters": {...}}`) whose day is not after `day`."""
    out = dict(RULES[code].parameters)
    chosen = None
    for v in versions or ():
        start = dt.date.fromisoformat(str(v.get("valid_from") or DEFAULT_VALID_FROM))
        if start <= day and (chosen is None or start >= chosen[0]):
            chosen = (start, v.get("parameters") or {})
    if chosen is not None:
        out.update({k: chosen[1][k] for k in chosen[1] if k in out})
    return out


def dedup_key(rule: str, subject_kind: str, subject_ref: str, ref_a, ref_b) -> str:
    """One alert per rule, subject and the identifying part of its evidence pair across runs
    (`RuleSpec.dedup_refs`): a later scan updates that alert's figures instead of opening
    another."""
    spec = RULES.get(rule)
    keep = spec.dedup_refs if spec is not None else 2
    ref_a = ref_a if keep >= 1 else None
    ref_b = ref_b if keep >= 2 else None
    return f"{rule}:{subject_kind}:{subject_ref}:{'' if ref_a is None else ref_a}:" \
           f"{'' if ref_b is None else ref_b}"

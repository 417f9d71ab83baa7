"""The risk rules as Ibis expressions over the snapshot tables. Pure: no Django, no connection.

The same expressions run on DuckDB (production), inside PostgreSQL (`ibis.postgres`) and on
PySpark (`ibis.pyspark`); tests/supervision/test_conformance.py requires identical alerts.
Times are integers (seconds since the epoch, days since the epoch) so no backend's timestamp
semantics enter a rule.

Snapshot tables (see services/snapshot.py):
  enrollments:  enrollment_id, person_id, class_id, institution_id   (withdrawn ones left out)
  sessions:     session_id, class_id, institution_id, site_id, starts_s, ends_s
  events:       event_id, enrollment_id, person_id, class_id, session_id, institution_id,
                kind, method, occurred_s, latitude, longitude, too_far, outside_window, device
                (check-ins and check-outs not voided; coordinates may be NULL)
  sites:        site_id, capacity, latitude, longitude
  teaching:     class_id, institution_id, teacher_hash    (keyed ID hash of each class teacher)
  candidates:   candidate_id, sitting_id, person_id, class_id, evaluator_id, sitting_day,
                score, pass_mark, passed, occupation_id, level_id
  examiners:    sitting_id, examiner_hash
  certificates: certificate_id, person_id, class_id, issued_day
  classes:      class_id, institution_id, site_id, end_day, occupation_id, level_id,
                start_month, end_month   (months are year * 12 + month - 1)
  institutions: institution_id, credit_code
  employment:   person_id, employer_code, month   (social-insurance months at institutions)
  contacts:     person_id, kind, value_hash   (keyed hashes of a trainee's phone, of the bank
                account subsidies are paid to; never plaintext)
  claims:       claim_id, person_id, person_key, kind, class_id, certificate_key,
                occupation_id, level_id, claim_day, year   (live subsidy claims, claim_id > 0,
                and subsidies imported from the previous system, claim_id = -pk; person_key
                is the keyed ID hash, person_id NULL when the person is not registered)
  insured_cities: person_id, month, city   (social-insurance months, employer's city code)
  site_cities:  site_id, city
  persons:      person_id, id_hash, birth_day, adult_day, retire_day   (trainees; the day
                they reach the minimum age and the statutory retirement age)
  exclusions:   id_hash, list_kind, from_day, to_day   (exclusion lists; to_day NULL = open)
  online:       event_id, enrollment_id, person_id, class_id, institution_id, occurred_s,
                seconds   (online learning segments from xAPI, not voided)
  interactions: event_id, enrollment_id, person_id, class_id, institution_id, occurred_s
                (xAPI interactions: answered, interacted, attempted, commented, responded)

Every rule answers rows of ALERT_COLUMNS: the rule code, the subject (kind and reference),
the class and institution involved (when one is), two record references and a measure: the
evidence a person checks (catalog.RuleSpec names what each reference is)."""

from __future__ import annotations

import ibis.expr.types as ir

from jineng.supervision.analytics.risk.assessment import (
    r10a_assessed_before_end,
    r10b_certificate_before_assessment,
    r10c_teacher_examines_own,
    r11a_pass_rate_outlier,
    r11b_heaped_scores,
)
from jineng.supervision.analytics.risk.attendance import (
    r01_overlapping_enrollments,
    r02_impossible_travel,
    r03_far_or_outside,
    r04_teacher_two_places,
    r05_over_capacity,
    r06_machine_like,
    r07_shared_device,
)
from jineng.supervision.analytics.risk.common import (
    ALERT_ARROW,
    ALERT_COLUMNS,
    CHECK_IN,
    SKILL_KINDS,
    TRAINING_KINDS,
    GraphRule,
)
from jineng.supervision.analytics.risk.online import (
    r17a_online_without_pause,
    r17b_online_overnight,
    r17c_online_parallel,
    r17d_online_without_interaction,
)
from jineng.supervision.analytics.risk.people import (
    r08_ring_edges,
    r08_rings,
    r09_employees_trained,
    r15_insured_elsewhere,
    r16a_excluded_trainee,
    r16b_outside_age,
)
from jineng.supervision.analytics.risk.subsidy import (
    r12_repeat_training,
    r13_volume_jump,
    r14a_certificate_twice,
    r14b_same_skill_twice,
    r14c_yearly_limit,
)

__all__ = ["ALERT_ARROW", "ALERT_COLUMNS", "CHECK_IN", "SKILL_KINDS", "TRAINING_KINDS",
           "GraphRule", "r08_ring_edges", "rule_expressions"]


def rule_expressions(tables: dict[str, ir.Table], parameters: dict[str, dict]) -> dict:
    """Rule code → Ibis expression of its alert rows (a GraphRule for R08), for the rules in
    `parameters` (code → the parameters in force)."""
    t = tables
    build = {
        "R01": lambda p: r01_overlapping_enrollments(t["enrollments"], t["sessions"], **p),
        "R02": lambda p: r02_impossible_travel(t["events"], **p),
        "R03": lambda p: r03_far_or_outside(t["events"], **p),
        "R04": lambda p: r04_teacher_two_places(t["teaching"], t["sessions"], **p),
        "R05": lambda p: r05_over_capacity(t["events"], t["sessions"], t["sites"], **p),
        "R06": lambda p: r06_machine_like(t["events"], **p),
        "R07": lambda p: r07_shared_device(t["events"], **p),
        "R09": lambda p: r09_employees_trained(t["enrollments"], t["classes"],
                                               t["institutions"], t["employment"], **p),
        "R10A": lambda p: r10a_assessed_before_end(t["candidates"], t["classes"], **p),
        "R10B": lambda p: r10b_certificate_before_assessment(t["certificates"],
                                                             t["candidates"]),
        "R10C": lambda p: r10c_teacher_examines_own(t["examiners"], t["candidates"],
                                                    t["teaching"]),
        "R11A": lambda p: r11a_pass_rate_outlier(t["candidates"], t["classes"], **p),
        "R11B": lambda p: r11b_heaped_scores(t["candidates"], t["classes"], **p),
        "R12": lambda p: r12_repeat_training(t["enrollments"], t["classes"], t.get("claims"),
                                             **p),
        "R08": lambda p: r08_rings(t["contacts"], t["enrollments"], **p),
        "R13": lambda p: r13_volume_jump(t["enrollments"], t["classes"], t["sites"], **p),
        "R14A": lambda p: r14a_certificate_twice(t["claims"], **p),
        "R14B": lambda p: r14b_same_skill_twice(t["claims"], **p),
        "R14C": lambda p: r14c_yearly_limit(t["claims"], **p),
        "R15": lambda p: r15_insured_elsewhere(t["enrollments"], t["classes"], t["site_cities"],
                                               t["insured_cities"], **p),
        "R16A": lambda p: r16a_excluded_trainee(t["enrollments"], t["classes"], t["persons"],
                                                t["exclusions"]),
        "R16B": lambda p: r16b_outside_age(t["enrollments"], t["classes"], t["persons"]),
        "R17A": lambda p: r17a_online_without_pause(t["online"], **p),
        "R17B": lambda p: r17b_online_overnight(t["online"], **p),
        "R17C": lambda p: r17c_online_parallel(t["online"], **p),
        "R17D": lambda p: r17d_online_without_interaction(t["online"], t["interactions"], **p),
    }
    return {code: build[code](params) for code, params in parameters.items() if code in build}

"""Planted fraud for the demo province (issue 13), and the first risk scan over it.

The demo generator's last step calls `build_demo_supervision`. It plants each fraud pattern the
risk rules look for into the demo's own rows, at a chosen rate (`jineng demo-data
--fraud-rate R`, default DEFAULT_FRAUD_RATE; 0 plants nothing), then runs a full scan so the
`inspector` login finds alerts to work on. Everything is drawn from one random stream seeded by
the demo's seed and the rows are read in primary-key order, so a seed plants the same cases on
the same demo every time.

Per pattern the number of cases is max(1, round(rate × base)) (none when the rate is 0), where
the base is the demo's enrollments (person patterns), its classes with attendance (class,
device and teacher patterns), its sites with sessions (R05) or its certificates (R10B); fewer
when the demo has too few fitting records (the planted list says how many were made).

How each is planted (new rows go through the generator's bulk writer in blocks it records, so a
reset removes them; changed rows are the demo's own, removed with it):
  R01  a trainee of a class also enrolled in another class whose sessions overlap (new row)
  R02  a second check-in of a trainee 15 minutes after the first, ~50 km away (new row)
  R03  45 % of a class's check-ins moved 3.3 km from the site, flagged too far (changed)
  R04  one teacher (one keyed ID hash) added to two classes of different institutions whose
       sessions overlap (new teacher rows and class links)
  R05  a site's capacity lowered below the people checking in to one of its sessions (changed)
  R06  ten check-ins of one session put in the same second (changed)
  R07  one phone (a new device id) checking in six people of a class (changed)
  R09  a trainee's social-insurance month during the class moved to the training institution
       (changed; a new record where the trainee has none then)
  R10A a sitting dated three days before the last day of the classes it assesses (changed)
  R10B a skill-level certificate dated five days before its holder's sitting (changed)
  R10C an examiner of a sitting added as a teacher of a class sitting it (new rows)
  R11B the theory scores of a class's passing candidates heaped just above the pass mark
       (changed; nobody's result changes)
  R12  a trainee enrolled again in two later classes of the same occupation and level (new)
  R17D in a class learning online, platform interactions (xAPI answered) for every trainee,
       one an hour learned, but for one trainee who learned at least ten hours (new rows)

What was planted (rule → the alert subjects the rule should name) is recorded in an audit event
(entity type PLANTED_ENTITY) and answered by `planted_cases()`; the counts go into the build's
counts as `fraud_<rule>`.

The package: `common` (constants), `base` (the planter's state and helpers), `rows` (the
row-level patterns), `classes` (the class-level patterns), `quality` (the data-quality issues),
`build` (the planter and the steps in order).
"""

from __future__ import annotations

from jineng.supervision.demo.build import (
    build_demo_supervision,
    plant_fraud,
    planted_cases,
    run_demo_scan,
)
from jineng.supervision.demo.common import DEFAULT_FRAUD_RATE, PATTERNS

__all__ = ["DEFAULT_FRAUD_RATE", "PATTERNS", "build_demo_supervision", "plant_fraud",
           "planted_cases", "run_demo_scan"]

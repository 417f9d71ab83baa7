"""Demo data of the assessment app: evaluator codes, sittings of the demo's finished classes
with candidates and scores, certificates (skill-level, 一试双证 pairs, training certificates),
revocations, certificates recorded from outside, and work waiting for the assessor demo login.

`build_demo_assessment(scale=, seed=, today=, anchors=)` is called by the demo generator after
the training demo. Rows go in as tuples with explicit primary keys (the returned `blocks` say
which, for the demo's reset), set-based: no service call per row. What must hold for real data
holds here too: each sitting's evaluator is listed in the evaluation catalog for its
occupation and level on the sitting date; candidates completed the class (or are social
candidates, direct recognitions or an enterprise's own workers with their route's basis);
certificate numbers follow `rules.numbering`, in sequence per prefix (the sequences are left
at the last number used); every issued certificate is signed (`services.signing`) so that it
verifies, and revoked ones verify as revoked. Deterministic for a seed (only signatures made
by a newly generated key differ between builds, as Fernet ciphertexts do).

Pass rates (SYNTHETIC: plausible figures of a provincial skill-level assessment, not
statistics; the share of candidates present who pass, by level, before the occupation's
adjustment and a sitting's own variation of up to ±`SITTING_SPREAD`):

| level | pass rate |
| --- | --- |
| 初级工 (grade5) | 87.5 % |
| 中级工 (grade4) | 77.5 % |
| 高级工 (grade3) | 65 % |
| 技师 (grade2) | 55 % |
| 高级技师 (grade1) | 45 % |
| 特级技师, 首席技师 | 40 % |

`OCCUPATION_ADJUSTMENT` moves an occupation's rate by a few points (welding, electrical and
chemical work harder; care and delivery work easier). Direct recognitions pass at
`DIRECT_RECOGNITION_RATE` (the candidates are chosen for outstanding results).

The package: `params` (the SYNTHETIC figures, the sitting's steps), `catalog` (who may
evaluate what), `storage` (writing rows), `certificates` (scores, certificates, signing),
`facts` (plan facts, route bases), `build` (the steps in order).
"""

from __future__ import annotations

from jineng.assessment.demo.build import build_demo_assessment
from jineng.assessment.demo.params import (
    ABSENT_SHARE,
    APPROVER,
    ASSESSOR_USERNAME,
    DEMO_USER,
    DIRECT_RECOGNITION_RATE,
    DUAL_ITEMS,
    DUAL_SHARE,
    ERROR_REASONS,
    ERROR_SHARE,
    FRAUD_REASONS,
    FRAUD_SHARE,
    OCCUPATION_ADJUSTMENT,
    OTHER_PROVINCES,
    OUTSIDE_SHARE,
    PASS_RATE_BANDS,
    PASS_RATES,
    PATHS,
    PLAN_FACTS_SOURCE,
    RECENT_DAYS,
    RECOGNITION_REASONS,
    RETURN_REASON,
    SITTING_SPREAD,
    SPECIAL_OPERATIONS,
    STEPS,
    TZ,
    VERIFIED_NOTE,
    Listing,
    Sitting,
    pass_rate,
)

__all__ = [
    "ABSENT_SHARE",
    "APPROVER",
    "ASSESSOR_USERNAME",
    "DEMO_USER",
    "DIRECT_RECOGNITION_RATE",
    "DUAL_ITEMS",
    "DUAL_SHARE",
    "ERROR_REASONS",
    "ERROR_SHARE",
    "FRAUD_REASONS",
    "FRAUD_SHARE",
    "OCCUPATION_ADJUSTMENT",
    "OTHER_PROVINCES",
    "OUTSIDE_SHARE",
    "PASS_RATES",
    "PASS_RATE_BANDS",
    "PATHS",
    "PLAN_FACTS_SOURCE",
    "RECENT_DAYS",
    "RECOGNITION_REASONS",
    "RETURN_REASON",
    "SITTING_SPREAD",
    "SPECIAL_OPERATIONS",
    "STEPS",
    "TZ",
    "VERIFIED_NOTE",
    "Listing",
    "Sitting",
    "build_demo_assessment",
    "pass_rate",
]

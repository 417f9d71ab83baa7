"""Risk scores, pure. An alert's score is the expected weight of fraud behind it:

    score(alert) = severity weight × smoothed precision of its rule
    severity weight: high 3, medium 2, low 1
    smoothed precision = (confirmed + 1) / (confirmed + dismissed + 2)

(Laplace's rule of succession: a rule nobody has decided on yet counts one half; a rule whose
alerts were all confirmed tends to 1, one whose alerts were all dismissed tends to 0.) A
dismissed alert scores 0 (inspectors found nothing); a confirmed alert scores its full
severity weight (fraud found). Scores are rounded to two decimals.

A class's or an institution's risk score is the sum of the scores of its alerts (so repeated
and varied findings add up), shown with those alerts as the evidence."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SEVERITY_WEIGHTS: Mapping[str, int] = {"high": 3, "medium": 2, "low": 1}
CONFIRMED = "confirmed"
DISMISSED = "dismissed"


def smoothed_precision(confirmed: int, dismissed: int) -> float:
    """(confirmed + 1) / (confirmed + dismissed + 2): never 0 or 1 on finite evidence."""
    if confirmed < 0 or dismissed < 0:
        raise ValueError("counts are not negative")
    return (confirmed + 1) / (confirmed + dismissed + 2)


def alert_score(severity: str, status: str, confirmed: int, dismissed: int) -> float:
    weight = SEVERITY_WEIGHTS.get(severity, 1)
    if status == DISMISSED:
        return 0.0
    if status == CONFIRMED:
        return float(weight)
    return round(weight * smoothed_precision(confirmed, dismissed), 2)


@dataclass(frozen=True)
class Scored:
    """One alert as the roll-up reads it."""

    alert_id: int
    score: float
    key: object  # the class or institution id it rolls up to (None: not rolled up)


def roll_up(alerts: Iterable[Scored]) -> list[tuple[object, float, list[int]]]:
    """(key, total score, alert ids by score) for each key, highest total first (ties by key
    as text, so the order is stable)."""
    totals: dict[object, float] = {}
    members: dict[object, list[tuple[float, int]]] = {}
    for a in alerts:
        if a.key is None or a.score <= 0:
            continue
        totals[a.key] = totals.get(a.key, 0.0) + a.score
        members.setdefault(a.key, []).append((a.score, a.alert_id))
    out = [(k, round(v, 2), [i for _s, i in sorted(members[k], key=lambda m: (-m[0], m[1]))])
           for k, v in totals.items()]
    return sorted(out, key=lambda r: (-r[1], str(r[0])))

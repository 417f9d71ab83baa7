"""Plant every pattern, record what was planted, run the first scan over the demo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jineng.core import audit
from jineng.core.models import AuditAction, AuditEvent
from jineng.supervision.choices import RunStatus
from jineng.supervision.demo.classes import _ClassPatterns
from jineng.supervision.demo.common import PLANTED_ENTITY, Allocate, Writer
from jineng.supervision.demo.quality import _QualityIssues
from jineng.supervision.demo.rows import _RowPatterns
from jineng.supervision.models import RiskAlert, RiskRun


class _Planter(_RowPatterns, _ClassPatterns, _QualityIssues):
    """The planter: its state (base) and every pattern (rows, classes, quality)."""


def plant_fraud(*, seed: int, rate: float, allocate: Allocate, writer: Writer) -> dict:
    """Plant every pattern (see the package docstring); answers rule → subjects planted. The
    row-level patterns come first (they pick trainees), then the class-level ones (one pattern
    per class), then the site capacities (they count the people finally checked in)."""
    p = _Planter(seed=seed, rate=rate, allocate=allocate, writer=writer)
    for step in (p.r01, p.r02, p.r09, p.r12, p.r10b, p.r17d, p.r04, p.r03, p.r06, p.r07, p.r10a,
                 p.r10c, p.r11b, p.r05):
        step()
    cases: dict[str, Any] = {code: sorted(set(refs)) for code, refs in p.cases.items()}
    cases["quality"] = p.quality_issues()
    return cases


def run_demo_scan(allocate_range: Callable[[Any, int, int], None]) -> RiskRun | None:
    """A full scan over the demo (synchronously, as the system), unless a scan is queued or
    running; its run and the alerts it raised are recorded as demo rows (`allocate_range`:
    model, first, last), so a reset removes them with the province."""
    from jineng.supervision.services import runs

    if RiskRun.objects.filter(status__in=(RunStatus.QUEUED, RunStatus.RUNNING)).exists():
        return None
    run = runs.risk_scan_compute(RiskRun.objects.create())
    allocate_range(RiskRun, run.pk, run.pk)
    ids = list(RiskAlert.objects.filter(first_run=run).order_by("pk")
               .values_list("pk", flat=True))
    start = prev = None
    for pk in ids:  # contiguous blocks of primary keys
        if start is None:
            start = prev = pk
        elif pk == prev + 1:
            prev = pk
        else:
            allocate_range(RiskAlert, start, prev)
            start = prev = pk
    if start is not None:
        allocate_range(RiskAlert, start, prev)
    return run


def build_demo_supervision(*, seed: int, rate: float, allocate: Allocate, writer: Writer,
                           allocate_range: Callable[[Any, int, int], None]) -> dict:
    """Plant the fraud, record what was planted, run the first scan; answers counts."""
    cases = plant_fraud(seed=seed, rate=rate, allocate=allocate, writer=writer)
    audit.record(actor=None, action=AuditAction.IMPORT, entity_type=PLANTED_ENTITY,
                 label=f"demo fraud planted (seed {seed}, rate {rate})",
                 after={"seed": seed, "rate": rate, "cases": cases})
    counts: dict[str, int] = {f"fraud_{code}": len(refs) for code, refs in cases.items()
                              if code != "quality"}
    counts.update({f"data_issue_{kind}": len(classes)
                   for kind, classes in cases["quality"].items()})
    run = run_demo_scan(allocate_range)
    if run is not None:
        counts["risk_scan_alerts"] = run.alerts_found
    return counts


def planted_cases() -> dict[str, Any]:
    """Rule → the subjects planted by the latest demo build (empty if none); "quality": data
    issue kind → the classes given that issue."""
    event = (AuditEvent.objects.filter(entity_type=PLANTED_ENTITY).order_by("-pk").first())
    return dict((event.after or {}).get("cases", {})) if event else {}

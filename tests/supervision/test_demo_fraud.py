"""Recall and precision of the risk rules on the demo province with planted fraud
(jineng.supervision.demo), per rule so a broken rule fails its own line.

The province is built once per tier (XS at a 5 % fraud rate in the suite; tier S at the default
rate is marked slow) inside a transaction rolled back at the end. Just before the planting step
the rules run on the clean demo (the baseline); after it, the demo's own scan stores the alerts.

- recall: every planted case is found by its rule (recall 1.0);
- precision: a planted rule's alerts that were not already in the clean demo are all on planted
  subjects, and other rules raise nothing new except on planted subjects;
- quiet clean data: the clean demo raises nothing for the planted rules (each trainee checks in
  on their own phone; training certificates, dated at the class's end, are not assessment
  certificates and are left out of R10B);
- data quality: the issues planted on other classes are in the scan's report, and no rule
  raises a new alert about those classes (nor on an unplanted subject in them).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field

import ibis
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from jineng.demo import generator
from jineng.supervision import demo as fraud
from jineng.supervision import selectors
from jineng.supervision.models import RiskAlert, RiskRun
from jineng.supervision.rules.catalog import RULES
from jineng.supervision.services import runs
from jineng.supervision.services.engine import load_snapshot, run_rules
from jineng.supervision.services.snapshot import build_snapshot

pytestmark = pytest.mark.django_db
PARAMS = {code: dict(spec.parameters) for code, spec in RULES.items()}
RATES = {"XS": 0.05, "S": None}  # None: the default rate


@dataclass
class Province:
    planted: dict
    counts: dict
    baseline: dict[str, set[str]] = field(default_factory=dict)
    baseline_rows: list[dict] = field(default_factory=list)
    found: dict[str, set[str]] = field(default_factory=dict)
    new_classes: dict[str, set[int]] = field(default_factory=dict)
    run: RiskRun | None = None


def _alert_rows() -> list[dict]:
    tables, _ = build_snapshot()
    con = ibis.duckdb.connect()
    try:
        alerts, _ = run_rules(load_snapshot(con, tables), PARAMS)
    finally:
        con.disconnect()
    return alerts.to_pylist()


@pytest.fixture(scope="module", params=["XS", pytest.param("S", marks=pytest.mark.slow)])
def province(request, django_db_setup, django_db_blocker):
    baseline_rows: list[dict] = []

    def baseline_then_plant(ctx):
        baseline_rows.extend(_alert_rows())
        generator.build_supervision(ctx)

    steps = [(name, baseline_then_plant if name == "supervision" else step)
             for name, step in generator.STEPS]
    with django_db_blocker.unblock(), transaction.atomic():
        counts = generator.generate(request.param, seed=1, progress=False, steps=steps,
                                    fraud_rate=RATES[request.param])
        p = Province(planted=fraud.planted_cases(), counts=counts, baseline_rows=baseline_rows)
        for r in baseline_rows:
            p.baseline.setdefault(r["rule"], set()).add(r["subject_ref"])
        base_keys = {(r["rule"], r["subject_ref"]) for r in baseline_rows}
        p.run = RiskRun.objects.order_by("-pk").first()
        planted_any = {ref for rule, refs in p.planted.items() if rule != "quality"
                       for ref in refs}
        found: dict[str, set[str]] = defaultdict(set)
        new_classes: dict[str, set[int]] = defaultdict(set)
        for rule, kind, ref, cls in RiskAlert.objects.values_list(
                "rule_code", "subject_kind", "subject_ref", "training_class_id"):
            found[rule].add(ref)
            # new alerts about a class, or about an unplanted subject, by class
            if (rule, ref) not in base_keys and cls is not None and (
                    kind == "class" or ref not in planted_any):
                new_classes[rule].add(cls)
        p.found, p.new_classes = dict(found), dict(new_classes)
        yield p
        transaction.set_rollback(True)


@pytest.mark.parametrize("rule", fraud.PATTERNS)
def test_recall_every_planted_case_is_found(province, rule) -> None:
    planted = set(province.planted[rule])
    assert planted, f"{rule}: nothing planted"
    missing = planted - province.found.get(rule, set())
    assert not missing, f"{rule} missed {len(missing)} of {len(planted)}: {sorted(missing)[:5]}"


@pytest.mark.parametrize("rule", fraud.PATTERNS)
def test_precision_new_alerts_only_on_planted_subjects(province, rule) -> None:
    extra = (province.found.get(rule, set()) - set(province.planted[rule])
             - province.baseline.get(rule, set()))
    assert not extra, f"{rule} raised on unplanted subjects: {sorted(extra)[:5]}"


@pytest.mark.parametrize("rule", fraud.PATTERNS)
def test_the_clean_demo_is_quiet(province, rule) -> None:
    rows = [r for r in province.baseline_rows if r["rule"] == rule]
    assert rows == []


def test_other_rules_raise_nothing_new_but_on_planted_subjects(province) -> None:
    planted = {ref for rule, refs in province.planted.items() if rule != "quality"
               for ref in refs}
    for rule, refs in province.found.items():
        if rule in fraud.PATTERNS:
            continue
        extra = refs - province.baseline.get(rule, set()) - planted
        assert not extra, f"{rule}: {sorted(extra)[:5]}"


def test_counts_and_scan_of_the_build(province) -> None:
    assert province.run is not None and province.run.status == "succeeded", province.run.error
    for rule in fraud.PATTERNS:
        assert province.counts[f"fraud_{rule}"] == len(province.planted[rule]) >= 1
    assert province.counts["risk_scan_alerts"] == province.run.alerts_found > 0


def test_data_quality_issues_are_reported_and_raise_no_alert(province) -> None:
    report = province.run.counts[runs.QUALITY_KEY]
    reported = {(c["class_id"], c["kind"]) for c in report["classes"]}
    new_alert_classes = {cls: rule for rule, classes in province.new_classes.items()
                         for cls in classes}
    for kind, classes in province.planted["quality"].items():
        assert classes, f"no {kind} planted"
        assert report["kinds"][kind] >= len(classes), (kind, report["kinds"])
        for cls in classes:
            assert (cls, kind) in reported
            assert cls not in new_alert_classes, (
                f"{new_alert_classes[cls]} alert on class {cls} ({kind})")


def test_the_inspector_login_has_alerts_in_its_region(province) -> None:
    inspector = get_user_model().objects.get(username="inspector")
    visible = selectors.alert_list(actor=inspector)
    rules = set(visible.values_list("rule_code", flat=True))
    assert set(fraud.PATTERNS) <= rules
    out = io.StringIO()
    call_command("demo-logins", stdout=out)
    assert any(line.strip().startswith("inspector ") for line in out.getvalue().splitlines())

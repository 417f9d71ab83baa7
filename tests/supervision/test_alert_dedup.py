"""Alerts are de-duplicated per rule and subject across runs (issue 13): the parts of a rule's
evidence pair that are counts growing with new records (R03's check-ins, R08's ring size, R11's
candidates, R17D's hours) do not open a new alert each night; identifying parts (R01's two
enrollments, R17A's day) do."""

from __future__ import annotations

import pyarrow as pa
import pytest
from django.utils import timezone

from jineng.supervision.choices import RunStatus
from jineng.supervision.models import RiskAlert, RiskRun
from jineng.supervision.rules import catalog
from jineng.supervision.services import runs
from jineng.supervision.services.engine import ALERT_SCHEMA

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("rule", "a1", "b1", "a2", "b2", "same"), [
    ("R03", 4, 10, 9, 25, True),        # flagged check-ins / check-ins of the class grow
    ("R08", 2, 1, 3, 2, True),          # the ring gains classes and institutions
    ("R11A", 12, 12, 20, 19, True),     # candidates and passes of the class
    ("R17D", 9, 1, 14, 2, True),        # hours and interactions keep accumulating
    ("R07", 501, 1, 501, 2, True),      # the device's first event stays, its classes grow
    ("R07", 501, 1, 777, 1, False),     # another first event: another alert
    ("R01", 11, 12, 11, 13, False),     # another overlapping enrollment: another alert
    ("R17A", 20400, 31, 20401, 40, False),  # another day: another alert
])
def test_dedup_key_keeps_identifying_refs_only(rule, a1, b1, a2, b2, same) -> None:
    k1 = catalog.dedup_key(rule, "class", "7", a1, b1)
    k2 = catalog.dedup_key(rule, "class", "7", a2, b2)
    assert (k1 == k2) is same


def test_every_rule_says_how_its_alerts_are_identified() -> None:
    assert all(spec.dedup_refs in (0, 1, 2) for spec in catalog.RULES.values())


def _rows(flagged: int, checkins: int) -> pa.Table:
    return pa.Table.from_pylist([{
        "rule": "R03", "subject_kind": "class", "subject_ref": "4242", "class_id": None,
        "institution_id": None, "ref_a": flagged, "ref_b": checkins,
        "measure": flagged / checkins}], schema=ALERT_SCHEMA)


def test_a_class_seen_again_with_more_checkins_updates_its_alert() -> None:
    first, second = (RiskRun.objects.create(status=RunStatus.SUCCEEDED) for _ in range(2))
    assert runs._store(first, _rows(4, 10), {}, timezone.now()) == 1
    assert runs._store(second, _rows(9, 25), {}, timezone.now()) == 0
    (alert,) = RiskAlert.objects.filter(rule_code="R03")
    assert alert.times_seen == 2 and alert.last_run_id == second.pk
    assert alert.evidence["flagged_checkins"] == 9 and alert.evidence["checkins"] == 25
    assert alert.measure == pytest.approx(0.36)


def test_alerts_seen_again_keep_awkward_evidence_and_missing_measures() -> None:
    """The update of alerts seen again sends its arrays as bound parameters: quotes,
    backslashes, braces, commas and Chinese in the evidence, and a missing measure, come back
    as they went in."""
    awkward = 'a "b" \\c {d}, 南明区'
    rows = pa.Table.from_pylist([{
        "rule": "R03", "subject_kind": "class", "subject_ref": awkward, "class_id": None,
        "institution_id": None, "ref_a": k, "ref_b": 10, "measure": None if k % 2 else k / 10}
        for k in (1, 2)], schema=ALERT_SCHEMA)
    first, second = (RiskRun.objects.create(status=RunStatus.SUCCEEDED) for _ in range(2))
    assert runs._store(first, rows, {}, timezone.now()) == 1  # one subject: one alert
    again = rows.slice(0, 1)  # measure missing this time
    assert runs._store(second, again, {}, timezone.now()) == 0
    (alert,) = RiskAlert.objects.filter(rule_code="R03")
    assert alert.times_seen == 2 and alert.last_run_id == second.pk
    assert alert.measure is None
    assert alert.evidence["subject"]["ref"] == awkward

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


def test_new_alerts_are_written_whole() -> None:
    """New alerts go in by COPY on PostgreSQL (runs._store): every column comes back — the
    awkward evidence, a subject cut to its 100 characters, the region of the class (or else of
    the institution), both runs, the run's time as first and last seen, and the defaults of an
    alert not yet worked (open, seen once, no findings)."""
    from jineng.registry.models import Region
    from jineng.supervision.choices import AlertStatus
    from tests import factories as f

    region = Region.objects.get(code="520102")
    institution = f.OrganizationFactory(region=f.region("520302"))
    awkward = 'a "b" \\c {d}, 南明区\t' + "长" * 120
    rows = pa.Table.from_pylist([
        {"rule": "R03", "subject_kind": "class", "subject_ref": awkward, "class_id": 4242,
         "institution_id": institution.pk, "ref_a": 4, "ref_b": 10, "measure": None},
        {"rule": "R03", "subject_kind": "class", "subject_ref": "77", "class_id": None,
         "institution_id": institution.pk, "ref_a": 1, "ref_b": 10, "measure": 0.1},
    ], schema=ALERT_SCHEMA)
    run = RiskRun.objects.create(status=RunStatus.SUCCEEDED)
    now = timezone.now()
    assert runs._store(run, rows, {4242: region.pk}, now) == 2
    first, second = RiskAlert.objects.order_by("pk")
    assert first.subject_ref == awkward[:100] and first.measure is None
    assert first.evidence["subject"]["ref"] == awkward
    assert first.region_id == region.pk and first.training_class_id == 4242
    assert second.region_id == institution.region_id and second.training_class_id is None
    assert second.measure == pytest.approx(0.1)
    for alert in (first, second):
        assert alert.severity == catalog.RULES["R03"].severity
        assert alert.institution_id == institution.pk
        assert alert.first_run_id == alert.last_run_id == run.pk
        assert alert.first_seen_at == alert.last_seen_at == now
        assert alert.status == AlertStatus.OPEN and alert.times_seen == 1
        assert alert.reason == "" and alert.decided_by == "" and alert.decided_at is None

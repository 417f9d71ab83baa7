"""The training demo on top of the demo registry (tests-only XS tier)."""

import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

from jineng.demo.generator import STEPS, generate
from jineng.plans.models import ActualFact
from jineng.training import selectors
from jineng.training.demo import SECTOR_WEIGHTS, build_demo_training
from jineng.training.models import AttendanceEvent, Enrollment, TrainingClass

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 21)
# The registry alone: these tests build the training demo themselves, on a fixed day.
REGISTRY_ONLY = [step for step in STEPS if step[0] != "training"]


def test_demo_training():
    generate("XS", 3, progress=False, steps=REGISTRY_ONLY)
    out = build_demo_training(scale="XS", seed=3, today=TODAY)
    assert out["classes"] == TrainingClass.objects.count() > 0
    assert out["enrollments"] == Enrollment.objects.count() > 100
    assert out["attendance_events"] == AttendanceEvent.objects.count() > 1000
    statuses = set(TrainingClass.objects.values_list("status", flat=True))
    assert {"open", "finished"} <= statuses or {"settled", "assessed"} & statuses
    # every enrolled person only once in the year (no overlapping classes)
    assert not Enrollment.objects.values("person").annotate(n=Count("id")).filter(n__gt=1)
    # realistic: some late, some flagged, some withdrawn, completions frozen for past classes
    assert AttendanceEvent.objects.filter(too_far=True).exists()
    assert Enrollment.objects.filter(status="withdrawn").exists()
    finished = TrainingClass.objects.filter(status__in=["finished", "assessed", "settled"])
    frozen = Enrollment.objects.filter(training_class__in=finished)
    assert frozen.filter(completed=True).exists() and not frozen.filter(
        attended_hours__isnull=True).exists()
    # the frozen hours are what the completion rule computes from the stored events
    cls = finished.first()
    live = {r.enrollment.pk: r.completion.attended_hours
            for r in selectors.completion_rows(cls)}
    assert live == dict(Enrollment.objects.filter(training_class=cls)
                        .values_list("pk", "attended_hours"))
    # each class's history follows its sessions, and what finishing it adds to the plans'
    # progress is written for it too, dated the day it finished (not the day of the build)
    for c in finished[:25]:
        history = list(c.status_history.order_by("id").values_list("to_status", "at"))
        assert [at for _s, at in history] == sorted(at for _s, at in history)
        finish = dict(history)["finished"]
        assert timezone.localdate(finish) - c.end_date in (dt.timedelta(0), dt.timedelta(1))
    trained = ActualFact.objects.filter(source="demo.training", metric="person_times_trained")
    assert trained.count() == frozen.filter(completed=True, status="enrolled").count()
    days = {d for e in finished.values_list("end_date", flat=True)
            for d in (e, e + dt.timedelta(1))}
    assert set(trained.values_list("day", flat=True)) <= days
    assert out["plan_facts"] == ActualFact.objects.filter(source="demo.training").count()
    # the blocks cover what was made
    blocks = {m: (a, b) for m, a, b in out["blocks"]}
    assert blocks["training.attendanceevent"][1] - blocks["training.attendanceevent"][0] + 1 \
        == out["attendance_events"]


def test_demo_is_deterministic():
    generate("XS", 5, progress=False, steps=REGISTRY_ONLY)
    first = build_demo_training(scale="XS", seed=5, today=TODAY)
    rows = list(AttendanceEvent.objects.order_by("id").values_list(
        "enrollment_id", "occurred_at")[:200])
    AttendanceEvent.objects.all().delete()
    Enrollment.objects.all().delete()
    TrainingClass.objects.all().delete()
    second = build_demo_training(scale="XS", seed=5, today=TODAY)
    assert first["attendance_events"] == second["attendance_events"]
    offset = second["blocks"][-2][1] - first["blocks"][-2][1]
    again = list(AttendanceEvent.objects.order_by("id").values_list(
        "enrollment_id", "occurred_at")[:200])
    assert [(e - offset, t) for e, t in again] == rows


def test_sector_weights_follow_the_seeds():
    # special operations (Guizhou 30万 of 87万) and elderly/child care lead
    top = sorted(SECTOR_WEIGHTS, key=SECTOR_WEIGHTS.get, reverse=True)[:2]
    assert set(top) == {"elderly_child_care", "special_operations"}

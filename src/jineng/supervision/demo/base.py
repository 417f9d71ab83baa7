"""The planter's state (the demo's classes, sessions and rosters, read in primary-key order;
one random stream per seed) and the helpers every pattern uses."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from jineng.supervision.demo.common import ATTENDED, CHECK_IN, PATTERNS, Allocate, Writer
from jineng.training.models import AttendanceEvent, ClassSession, Enrollment, TrainingClass


class _PlanterBase:
    """Read once; the pattern mixins (rows, classes, quality) add the planting steps."""

    def __init__(self, *, seed: int, rate: float, allocate: Allocate, writer: Writer) -> None:
        self.rng = random.Random(f"jineng-demo:{seed}:supervision")
        self.seed = seed
        self.rate = max(0.0, float(rate))
        self.allocate = allocate
        self.writer = writer
        self.cases: dict[str, list[str]] = {code: [] for code in PATTERNS}
        self.busy_classes: set[int] = set()  # one class-level pattern per class
        self.busy_persons: set[int] = set()
        self.busy_sittings: set[int] = set()  # R10B's sittings keep their dates
        self.assessed_classes: set[int] = set()  # R10A/C, R11B: no data issues planted there
        self.planted_events: set[int] = set()  # R02's far check-ins stay as planted
        self.classes = {pk: row for pk, *row in TrainingClass.objects.filter(
            status__in=ATTENDED).order_by("pk").values_list(
            "pk", "institution_id", "site_id", "occupation_id", "level_id", "start_date",
            "end_date")}
        self.sessions: dict[int, list[tuple]] = defaultdict(list)
        for pk, cls, start, end in ClassSession.objects.filter(
                training_class_id__in=list(self.classes)).order_by("pk").values_list(
                "pk", "training_class_id", "starts_at", "ends_at"):
            self.sessions[cls].append((pk, start, end))
        self.roster: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.enrolled: set[tuple[int, int]] = set()
        for cls, person in Enrollment.objects.filter(
                training_class_id__in=list(self.classes)).order_by("pk").values_list(
                "training_class_id", "person_id"):
            self.enrolled.add((cls, person))
        for pk, cls, person in Enrollment.objects.filter(
                training_class_id__in=list(self.classes), status="enrolled").order_by(
                "pk").values_list("pk", "training_class_id", "person_id"):
            self.roster[cls].append((pk, person))
        self.n_enrollments = sum(len(v) for v in self.roster.values())

    # --- helpers -----------------------------------------------------------------------

    def count(self, base: int) -> int:
        return 0 if self.rate <= 0 or base <= 0 else max(1, round(self.rate * base))

    def shuffled(self, items) -> list:
        items = list(items)
        self.rng.shuffle(items)
        return items

    def span(self, cls: int) -> tuple[dt.datetime, dt.datetime]:
        s = self.sessions[cls]
        return s[0][1], s[-1][2]

    def overlapping_pairs(self, *, other_institution: bool) -> list[tuple[int, int]]:
        """Pairs of classes (a < b) with at least one pair of sessions overlapping ≥ 10 min,
        in a seeded random order."""
        by_day: dict[dt.date, list[tuple]] = defaultdict(list)
        for cls, rows in self.sessions.items():
            for _pk, start, end in rows:
                by_day[timezone.localtime(start).date()].append((cls, start, end))
        pairs: set[tuple[int, int]] = set()
        for day in sorted(by_day):
            rows = sorted(by_day[day], key=lambda r: (r[1], r[0]))
            for i, (a, a0, a1) in enumerate(rows):
                for b, b0, b1 in rows[i + 1:]:
                    if b0 >= a1:
                        break
                    if a == b or (min(a1, b1) - max(a0, b0)).total_seconds() < 600:
                        continue
                    if other_institution and self.classes[a][0] == self.classes[b][0]:
                        continue
                    pairs.add((min(a, b), max(a, b)))
        return self.shuffled(sorted(pairs))

    def checkins(self, cls: int, *, located: bool = False) -> list[tuple]:
        qs = AttendanceEvent.objects.filter(training_class_id=cls, kind=CHECK_IN,
                                            voided_at__isnull=True, session__isnull=False)
        if located:
            qs = qs.filter(latitude__isnull=False, longitude__isnull=False, too_far=False)
        return [row for row in qs.order_by("pk").values_list(
            "pk", "session_id", "enrollment_id", "enrollment__person_id", "occurred_at",
            "latitude", "longitude", "method") if row[0] not in self.planted_events]

    def free_classes(self) -> list[int]:
        out = [c for c in self.classes if c not in self.busy_classes and self.sessions.get(c)]
        return self.shuffled(out)

    def enroll(self, rows: list[tuple[int, int]]) -> None:
        """New enrollments (class, person), as the training demo writes them."""
        if not rows:
            return
        first = self.allocate(Enrollment, len(rows))
        now = timezone.now()
        self.writer(Enrollment, ["id", "training_class_id", "person_id", "status",
                                 "enrolled_at", "enrolled_by", "late_reason", "draws_pension",
                                 "eligibility", "withdrawn_reason", "attended_hours",
                                 "completed", "completion_rule"]).write(
            [(first + i, cls, person, "enrolled", now, "demo", "", None, [], "", None, None, "")
             for i, (cls, person) in enumerate(rows)])
        self.enrolled.update(rows)

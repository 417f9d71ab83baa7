"""Class-level patterns (one per class): attendance and teachers (R03–R07, R17D) and
assessment (R10A, R10C, R11B); R05 (site capacities) runs last."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from jineng.assessment.models import AssessmentSitting, Candidate, SittingExaminer
from jineng.core import pii
from jineng.registry.models import TrainingSite
from jineng.supervision.demo.base import _PlanterBase
from jineng.supervision.demo.common import (
    CHECK_IN,
    EVENT_COLUMNS,
    INTERACTION,
    METHOD_ONLINE,
    ONLINE,
)
from jineng.training.models import AttendanceEvent, Teacher, TrainingClass


class _ClassPatterns(_PlanterBase):

    def r03(self) -> None:
        want = self.count(len(self.classes))
        sites = dict(TrainingSite.objects.values_list("pk", "latitude"))
        for cls in self.free_classes():
            if len(self.cases["R03"]) >= want:
                break
            events = self.checkins(cls)
            site_lat = sites.get(self.classes[cls][1])
            if len(events) < 20 or site_lat is None:
                continue
            moved = self.rng.sample([e[0] for e in events], math.ceil(0.45 * len(events)))
            AttendanceEvent.objects.filter(pk__in=moved).update(
                too_far=True, latitude=Decimal(site_lat) + Decimal("0.030000"),
                longitude=TrainingSite.objects.get(pk=self.classes[cls][1]).longitude,
                distance_m=3336, method=2,
                # now a phone's check-in: the trainee's own phone, not the room's terminal
                device=Concat(Value("demo-phone"), Cast("enrollment_id", CharField())))
            self.busy_classes.add(cls)
            self.cases["R03"].append(str(cls))

    def r04(self) -> None:
        want = self.count(len(self.classes))
        plans = []
        for a, b in self.overlapping_pairs(other_institution=True):
            if len(plans) >= want:
                break
            if a in self.busy_classes or b in self.busy_classes:
                continue
            self.busy_classes.update((a, b))
            plans.append((a, b))
        teachers, links = [], []
        for i, (a, b) in enumerate(plans):
            number = f"FRAUD-TEACHER-{self.seed}-{i}"
            h = pii.keyed_hash(number)
            for cls in (a, b):
                teachers.append((self.classes[cls][0], f"兼职教师{i + 1:03d}", h, "", "", True))
                links.append(cls)
            self.cases["R04"].append(h)
        self._teachers(teachers, links)

    def _teachers(self, teachers: list[tuple], classes: list[int]) -> None:
        if not teachers:
            return
        first = self.allocate(Teacher, len(teachers))
        self.writer(Teacher, ["id", "organization_id", "name", "id_hash", "id_masked",
                              "qualification", "is_active"]).write(
            [(first + i, *row) for i, row in enumerate(teachers)])
        through = TrainingClass.teachers.through
        first_link = self.allocate(through, len(classes))
        self.writer(through, ["id", "trainingclass_id", "teacher_id"]).write(
            [(first_link + i, cls, first + i) for i, cls in enumerate(classes)])

    def r05(self) -> None:
        by_site: dict[int, list[int]] = defaultdict(list)
        for cls, row in self.classes.items():
            if row[1] is not None and self.sessions.get(cls):
                by_site[row[1]].append(cls)
        want = self.count(len(by_site))
        for site in self.shuffled(sorted(by_site)):
            if len(self.cases["R05"]) >= want:
                break
            people: dict[int, set[int]] = defaultdict(set)
            for ses, person in AttendanceEvent.objects.filter(
                    training_class_id__in=by_site[site], kind=CHECK_IN,
                    voided_at__isnull=True, session__isnull=False).values_list(
                    "session_id", "enrollment__person_id"):
                people[ses].add(person)
            most = max((len(v) for v in people.values()), default=0)
            if most < 8:
                continue
            TrainingSite.objects.filter(pk=site).update(capacity=most - 3)
            self.cases["R05"].append(str(site))

    def r06(self) -> None:
        want = self.count(len(self.classes))
        for cls in self.free_classes():
            if len(self.cases["R06"]) >= want:
                break
            by_session: dict[int, list[tuple]] = defaultdict(list)
            for e in self.checkins(cls):
                by_session[e[1]].append(e)
            ses = next((s for s in sorted(by_session)
                        if len({e[3] for e in by_session[s]}) >= 10), None)
            if ses is None:
                continue
            seen, chosen = set(), []
            for e in sorted(by_session[ses], key=lambda e: (e[4], e[0])):
                if e[3] not in seen:
                    seen.add(e[3])
                    chosen.append(e)
            chosen = chosen[:10]
            at = chosen[0][4].replace(microsecond=0)
            AttendanceEvent.objects.filter(pk__in=[e[0] for e in chosen]).update(
                occurred_at=at, received_at=at)
            self.busy_classes.add(cls)
            self.cases["R06"].append(str(cls))

    def r07(self) -> None:
        want = self.count(len(self.classes))
        for cls in self.free_classes():
            if len(self.cases["R07"]) >= want:
                break
            first_by_person: dict[int, int] = {}
            for pk, _s, _e, person, _at, _lat, _lon, method in self.checkins(cls):
                if method != 1 and person not in first_by_person:
                    first_by_person[person] = pk
            if len(first_by_person) < 6:
                continue
            device = f"fraud-phone-{self.seed}-{len(self.cases['R07'])}"
            AttendanceEvent.objects.filter(pk__in=list(first_by_person.values())[:6]).update(
                device=device)
            self.busy_classes.add(cls)
            self.cases["R07"].append(device)

    def r17d(self) -> None:
        """Online hours with nobody there: in a class learning online, an interaction an hour
        learned (at its segments, five minutes in) for every trainee but one who learned at
        least ten hours, who gets none."""
        want = self.count(len(self.classes))
        hour = 3600
        rows: list[tuple] = []
        for cls in self.free_classes():
            if len(self.cases["R17D"]) >= want:
                break
            segments: dict[tuple[int, int], list[dt.datetime]] = defaultdict(list)
            learned: dict[tuple[int, int], int] = defaultdict(int)
            for enr, person, at, seconds in AttendanceEvent.objects.filter(
                    training_class_id=cls, kind=ONLINE, voided_at__isnull=True).order_by(
                    "pk").values_list("enrollment_id", "enrollment__person_id", "occurred_at",
                                      "online_seconds"):
                segments[(enr, person)].append(at)
                learned[(enr, person)] += seconds
            idle = [k for k in segments if learned[k] >= 10 * hour
                    and k[1] not in self.busy_persons]
            if len(segments) < 3 or not idle:
                continue
            chosen = self.rng.choice(idle)
            for key, times in segments.items():
                if key == chosen:
                    continue
                for k in range(math.ceil(learned[key] / hour)):
                    at = times[k % len(times)] + dt.timedelta(minutes=5 + k // len(times))
                    rows.append((cls, key[0], at))
            self.busy_classes.add(cls)
            self.busy_persons.add(chosen[1])
            self.cases["R17D"].append(str(chosen[1]))
        if not rows:
            return
        first = self.allocate(AttendanceEvent, len(rows))
        self.writer(AttendanceEvent, list(EVENT_COLUMNS)).write([
            (first + i, self.classes[cls][0], cls, None, enr, INTERACTION, METHOD_ONLINE, at,
             at, None, None, None, 0, False, False, f"xapi:fraud{first + i}", "")
            for i, (cls, enr, at) in enumerate(rows)])

    def _sitting_classes(self) -> dict[int, set[int]]:
        out: dict[int, set[int]] = defaultdict(set)
        for sitting, cls, enr_cls in Candidate.objects.filter(absent=False).values_list(
                "sitting_id", "sitting__training_class_id", "enrollment__training_class_id"):
            if cls or enr_cls:
                out[sitting].add(cls or enr_cls)
        return out

    def r10a(self) -> None:
        sittings = self._sitting_classes()
        ends = dict(TrainingClass.objects.filter(
            pk__in={c for cs in sittings.values() for c in cs}).values_list("pk", "end_date"))
        want = self.count(len(ends))
        for sitting in self.shuffled(sorted(sittings)):
            if len(self.cases["R10A"]) >= want:
                break
            classes = sittings[sitting]
            if sitting in self.busy_sittings or not all(c in ends for c in classes):
                continue
            day = min(ends[c] for c in classes) - dt.timedelta(days=3)
            AssessmentSitting.objects.filter(pk=sitting).update(sitting_date=day)
            self.busy_sittings.add(sitting)
            self.assessed_classes.update(classes)
            self.cases["R10A"].extend(str(c) for c in sorted(classes))

    def r10c(self) -> None:
        sittings = self._sitting_classes()
        examiners: dict[int, list[str]] = defaultdict(list)
        for sitting, h in SittingExaminer.objects.exclude(id_hash="").order_by("pk").values_list(
                "sitting_id", "id_hash"):
            examiners[sitting].append(h)
        want = self.count(len(self.classes))
        used_hashes: set[str] = set()
        teachers, links = [], []
        for sitting in self.shuffled(sorted(examiners)):
            if len(self.cases["R10C"]) >= want:
                break
            classes = sorted(c for c in sittings.get(sitting, ()) if c in self.classes)
            h = next((h for h in examiners[sitting] if h not in used_hashes), None)
            if not classes or h is None:
                continue
            cls = classes[0]
            inst = self.classes[cls][0]
            if Teacher.objects.filter(organization_id=inst, id_hash=h).exists():
                continue
            used_hashes.add(h)
            self.assessed_classes.add(cls)
            teachers.append((inst, f"考评兼教师{len(teachers) + 1:03d}", h, "", "", True))
            links.append(cls)
            self.cases["R10C"].append(h)
        self._teachers(teachers, links)

    def r11b(self) -> None:
        rows: dict[int, list[tuple]] = defaultdict(list)
        for pk, cls, enr_cls, score, mark in Candidate.objects.filter(
                absent=False, theory_score__isnull=False,
                sitting__theory_pass_mark__isnull=False).order_by("pk").values_list(
                "pk", "sitting__training_class_id", "enrollment__training_class_id",
                "theory_score", "sitting__theory_pass_mark"):
            if cls or enr_cls:
                rows[cls or enr_cls].append((pk, score, mark))
        want = self.count(len(rows))
        for cls in self.shuffled(sorted(rows)):
            if len(self.cases["R11B"]) >= want:
                break
            cands = rows[cls]
            passing = [c for c in cands if c[1] >= c[2]]
            if len(cands) < 10 or len(passing) < 0.7 * len(cands):
                continue
            for pk, _score, mark in passing:
                heaped = mark + Decimal(self.rng.randrange(0, 6)) / 2  # +0 … +2.5
                Candidate.objects.filter(pk=pk).update(theory_score=heaped)
            self.assessed_classes.add(cls)
            self.cases["R11B"].append(str(cls))

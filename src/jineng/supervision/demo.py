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
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from jineng.assessment.models import AssessmentSitting, Candidate, Certificate, SittingExaminer
from jineng.core import audit, pii
from jineng.core.models import AuditAction, AuditEvent
from jineng.outcomes.models import InsuranceImport, InsuranceRecord
from jineng.registry.models import Organization, Person, TrainingSite
from jineng.supervision.choices import RunStatus
from jineng.supervision.models import RiskAlert, RiskRun
from jineng.training.models import AttendanceEvent, ClassSession, Enrollment, Teacher, TrainingClass

DEFAULT_FRAUD_RATE = 0.002  # small, but every pattern is planted at least once
PLANTED_ENTITY = "supervision.demo_fraud"
PATTERNS = ("R01", "R02", "R03", "R04", "R05", "R06", "R07", "R09", "R10A", "R10B", "R10C",
            "R11B", "R12", "R17D")
ATTENDED = ("open", "suspended", "finished", "assessed", "settled")
CHECK_IN = 1
ONLINE, INTERACTION, METHOD_ONLINE = 3, 4, 4  # training's EventKind and AttendanceMethod
ASSESSED_KINDS = ("skill_level", "special_ability")  # certificates issued on an assessment

Allocate = Callable[[Any, int], int]  # (model, n) → first primary key of a recorded block
Writer = Callable[[Any, list[str]], Any]  # (model, fields) → object with write(rows)


class _Planter:
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

    # --- the patterns ------------------------------------------------------------------

    def r01(self) -> None:
        want = self.count(self.n_enrollments)
        rows = []
        for a, b in self.overlapping_pairs(other_institution=False):
            if len(rows) >= want:
                break
            pick = next((p for _e, p in self.roster[a]
                         if p not in self.busy_persons and (b, p) not in self.enrolled), None)
            if pick is None:
                continue
            self.busy_persons.add(pick)
            rows.append((b, pick))
            self.cases["R01"].append(str(pick))
        self.enroll(rows)

    def r02(self) -> None:
        want = self.count(self.n_enrollments)
        rows = []
        for cls in self.shuffled(self.classes):
            if len(rows) >= want:
                break
            for _pk, ses, enr, person, at, lat, lon, _m in self.checkins(cls, located=True):
                if person in self.busy_persons:
                    continue
                self.busy_persons.add(person)
                rows.append((cls, ses, enr, person, at + dt.timedelta(minutes=15),
                             Decimal(lat) + Decimal("0.450000"), Decimal(lon)))
                break
        if not rows:
            return
        first = self.allocate(AttendanceEvent, len(rows))
        out = []
        for i, (cls, ses, enr, person, at, lat, lon) in enumerate(rows):
            pk = first + i
            out.append((pk, self.classes[cls][0], cls, ses, enr, CHECK_IN, 2, at, at, lat, lon,
                        50_000, 0, False, True, f"fraud{pk}", f"fraud-travel-{self.seed}-{i}"))
            self.planted_events.add(pk)
            self.cases["R02"].append(str(person))
        self.writer(AttendanceEvent, list(EVENT_COLUMNS)).write(out)

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

    def r09(self) -> None:
        """A trainee's contribution month during the class moved to the training institution
        (the employer's credit code only: the record keeps its region, so no revision is
        written, and the outcomes' record counts stay as built); where no trainee of the class
        has a record during it, a new record."""
        want = self.count(self.n_enrollments)
        source = InsuranceImport.objects.order_by("pk").values_list("pk", flat=True).first()
        codes = dict(Organization.objects.filter(
            pk__in={row[0] for row in self.classes.values()}).values_list("pk", "credit_code"))
        regions = dict(Organization.objects.filter(pk__in=list(codes)).values_list(
            "pk", "region_id"))
        new_rows = []
        for cls in self.shuffled(self.classes):
            if len(self.cases["R09"]) >= want:
                break
            inst, _site, _occ, _lvl, start, end = self.classes[cls]
            code = codes[inst]
            free = {p for _e, p in self.roster[cls] if p not in self.busy_persons}
            if not free:
                continue
            record = (InsuranceRecord.objects.filter(
                person_id__in=free, month__gte=start.replace(day=1), month__lte=end,
                link__isnull=True).exclude(employer_code=code).order_by("pk")
                .values_list("pk", "person_id", "id_hash", "month").first())
            if record is not None:
                pk, person, id_hash, month = record
                if InsuranceRecord.objects.filter(id_hash=id_hash, employer_code=code,
                                                  month=month).exists():
                    continue
                InsuranceRecord.objects.filter(pk=pk).update(employer_code=code)
            elif source is not None:
                person = min(free)
                id_hash = Person.objects.get(pk=person).id_hash
                month = start.replace(day=1)
                if InsuranceRecord.objects.filter(id_hash=id_hash, employer_code=code,
                                                  month=month).exists():
                    continue
                new_rows.append((id_hash, person, code, regions[inst], month, True, True, True,
                                 Decimal("4200.00"), source, None, timezone.now()))
            else:
                continue
            self.busy_persons.add(person)
            self.cases["R09"].append(str(person))
        if new_rows:
            first = self.allocate(InsuranceRecord, len(new_rows))
            self.writer(InsuranceRecord, [
                "id", "id_hash", "person_id", "employer_code", "employer_region_id", "month",
                "pension", "unemployment", "injury", "wage_base", "source_import_id",
                "link_id", "updated_at"]).write(
                [(first + i, *r) for i, r in enumerate(new_rows)])

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

    def r10b(self) -> None:
        days: dict[tuple[int, int], list[dt.date]] = defaultdict(list)
        sat_at: dict[tuple[int, int], list[int]] = defaultdict(list)
        for person, sitting, cls, enr_cls, day in Candidate.objects.filter(
                absent=False).order_by("pk").values_list(
                "person_id", "sitting_id", "sitting__training_class_id",
                "enrollment__training_class_id", "sitting__sitting_date"):
            if cls or enr_cls:
                days[(person, cls or enr_cls)].append(day)
                sat_at[(person, cls or enr_cls)].append(sitting)
        certs = list(Certificate.objects.filter(  # those an assessment issues
            status="valid", person__isnull=False, training_class__isnull=False,
            kind__in=ASSESSED_KINDS).order_by(
            "pk").values_list("pk", "person_id", "training_class_id", "issued_on"))
        want = self.count(len(certs))
        for pk, person, cls, issued in self.shuffled(certs):
            if len(self.cases["R10B"]) >= want:
                break
            sat = days.get((person, cls))
            if not sat or issued < max(sat) or person in self.busy_persons:
                continue  # no sitting, or already before one (left as the demo made it)
            Certificate.objects.filter(pk=pk).update(issued_on=max(sat) - dt.timedelta(days=5))
            self.busy_persons.add(person)
            self.busy_sittings.update(sat_at[(person, cls)])  # R10A moves only others
            self.cases["R10B"].append(str(person))

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

    def r12(self) -> None:
        want = self.count(self.n_enrollments)
        groups: dict[tuple, list[int]] = defaultdict(list)
        for cls, row in self.classes.items():
            if row[2] is not None and row[3] is not None and self.sessions.get(cls):
                groups[(row[2], row[3])].append(cls)
        rows = []
        for key in self.shuffled(sorted(k for k, v in groups.items() if len(v) >= 3)):
            if len(self.cases["R12"]) >= want:
                break
            ordered = sorted(groups[key], key=lambda c: self.span(c)[0])
            for a in ordered:
                later = [a]
                for b in ordered:
                    if self.span(b)[0] > self.span(later[-1])[1]:
                        later.append(b)
                    if len(later) == 3:
                        break
                if len(later) < 3:
                    continue
                person = next((p for _e, p in self.roster[a] if p not in self.busy_persons
                               and all((c, p) not in self.enrolled for c in later[1:])), None)
                if person is None:
                    continue
                self.busy_persons.add(person)
                rows += [(later[1], person), (later[2], person)]
                self.cases["R12"].append(str(person))
                break
        self.enroll(rows)


    # --- data-quality issues (not fraud: the scan reports them apart) --------------------

    def quality_issues(self) -> dict[str, list[int]]:
        """Classes (one per kind, more at higher rates) with: a session with most of its
        roster lost, located check-ins without coordinates, a session's check-ins eight hours
        early (a device clock on UTC), duplicate check-ins (an upload sent twice). Only classes
        without a fraud pattern, so that the rules' silence on them shows; one class may
        carry several kinds (on different sessions) when the demo is small."""
        want = self.count(len(self.classes))
        issues: dict[str, list[int]] = {k: [] for k in (  # the most demanding first
            "partial_roster", "missing_coordinates", "clock_skew", "duplicate_event")}
        pool = [c for c in self.free_classes() if c not in self.assessed_classes]
        touched: set[int] = set()  # sessions given an issue already
        copies = []
        for kind in issues:
            for cls in sorted(pool, key=lambda c: any(c in v for v in issues.values())):
                if len(issues[kind]) >= want:
                    break
                if cls in issues[kind]:
                    continue
                # (never the events of a trainee in a fraud pattern: R02 compares
                # consecutive ones)
                events = [e for e in self.checkins(cls)
                          if e[3] not in self.busy_persons and e[1] not in touched]
                by_session: dict[int, list[tuple]] = defaultdict(list)
                for e in events:
                    by_session[e[1]].append(e)
                if not by_session:
                    continue
                session = sorted(by_session, key=lambda s: (-len(by_session[s]), s))[0]
                rows = by_session[session]
                if kind == "missing_coordinates":
                    rows = [e for e in rows if e[7] in (2, 3)][:5]
                    if not rows:
                        continue
                    AttendanceEvent.objects.filter(pk__in=[e[0] for e in rows]).update(
                        latitude=None, longitude=None, distance_m=None)
                elif kind == "clock_skew":
                    for e in rows[:3]:
                        utc = e[4] - dt.timedelta(hours=8)  # the device's clock on UTC
                        AttendanceEvent.objects.filter(pk=e[0]).update(occurred_at=utc,
                                                                       received_at=utc)
                elif kind == "duplicate_event":
                    copies += [(cls, e) for e in rows[:3]]
                else:
                    # Enough people lost that fewer than half the roster checked in. The
                    # session also holds check-ins of trainees in fraud patterns, which stay,
                    # so two thirds of the others is not always enough.
                    enrolled = len(set(Enrollment.objects.filter(
                        training_class_id=cls, status="enrolled").values_list(
                        "person_id", flat=True)))
                    present = {e[3] for e in self.checkins(cls) if e[1] == session}
                    may_lose = sorted({e[3] for e in rows})
                    lose = max(len(present) - (enrolled - 1) // 2, len(may_lose) * 2 // 3)
                    if len(may_lose) < 3 or lose > len(may_lose):
                        continue
                    gone = set(may_lose[:lose])
                    AttendanceEvent.objects.filter(
                        pk__in=[e[0] for e in rows if e[3] in gone]).delete()
                touched.add(session)
                issues[kind].append(cls)
        self.busy_classes.update(c for v in issues.values() for c in v)
        if copies:
            first = self.allocate(AttendanceEvent, len(copies))
            got = {pk: row for pk, *row in AttendanceEvent.objects.filter(
                pk__in=[e[0] for _c, e in copies]).values_list("pk", *EVENT_COLUMNS[1:])}
            out = []
            for i, (_cls, e) in enumerate(copies):
                row = list(got[e[0]])
                row[EVENT_COLUMNS.index("idempotency_key") - 1] = f"dup{first + i}"
                out.append((first + i, *row))
            self.writer(AttendanceEvent, list(EVENT_COLUMNS)).write(out)
        return issues


EVENT_COLUMNS = ("id", "institution_id", "training_class_id", "session_id", "enrollment_id",
                 "kind", "method", "occurred_at", "received_at", "latitude", "longitude",
                 "distance_m", "online_seconds", "outside_window", "too_far", "idempotency_key",
                 "device")


def plant_fraud(*, seed: int, rate: float, allocate: Allocate, writer: Writer) -> dict:
    """Plant every pattern (see the module docstring); answers rule → subjects planted. The
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


__all__ = ["DEFAULT_FRAUD_RATE", "PATTERNS", "build_demo_supervision", "plant_fraud",
           "planted_cases", "run_demo_scan"]

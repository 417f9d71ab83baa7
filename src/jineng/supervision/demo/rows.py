"""Row-level patterns: they pick trainees (R01, R02, R09, R12) and certificates (R10B), and
run first."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from jineng.assessment.models import Candidate, Certificate
from jineng.outcomes.models import InsuranceImport, InsuranceRecord
from jineng.registry.models import Organization, Person
from jineng.supervision.demo.base import _PlanterBase
from jineng.supervision.demo.common import ASSESSED_KINDS, CHECK_IN, EVENT_COLUMNS
from jineng.training.models import AttendanceEvent


class _RowPatterns(_PlanterBase):

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

"""Data-quality issues planted beside the fraud (not fraud: the scan reports them apart)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from jineng.supervision.demo.base import _PlanterBase
from jineng.supervision.demo.common import EVENT_COLUMNS
from jineng.training.models import AttendanceEvent, Enrollment


class _QualityIssues(_PlanterBase):

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

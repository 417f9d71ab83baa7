"""`build_demo_training`: plans the classes, gives them statuses, names and teachers, writes
them with their sessions and history, then the enrollments and a year of attendance."""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from array import array
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from jineng.core import audit
from jineng.registry.choices import OrganizationKind, OrganizationStatus
from jineng.registry.models import (
    KeyGroupMembership,
    Occupation,
    Organization,
    Person,
    SkillLevel,
    TrainingSite,
)
from jineng.training import plan_facts
from jineng.training.demo.planning import (
    _anchor_story,
    _Catalogs,
    _Planner,
    _status_on,
    _step_times,
    _weekday_from,
)
from jineng.training.demo.shares import (
    ABSENT,
    DROPOUT,
    EARLY_LEAVE,
    FAR_AWAY,
    FORGOT_UNTIL_EVENING,
    HISTORY_ACTIONS,
    HISTORY_REASONS,
    LATE,
    LATE_JOIN,
    NO_CHECK_OUT,
    PLAN_FACTS_SOURCE,
    TARGET_GROUPS,
    TIER_ENROLLMENTS,
    TZ,
    WINDOW_AFTER,
    WINDOW_BEFORE,
)
from jineng.training.demo.storage import (
    CHUNK,
    NULL,
    Block,
    _Clock,
    _copy_enrollments,
    _copy_line,
    _drop_secondary_indexes,
    _EventSink,
    _insert,
    _insert_m2m,
    _next_pk,
    _reset_sequences,
    _restore_secondary_indexes,
    _write_enrollments,
)
from jineng.training.models import (
    AttendanceEvent,
    ClassSession,
    ClassStatusChange,
    Enrollment,
    Teacher,
    TrainingClass,
)
from jineng.training.rules import attendance as att_rules


def build_demo_training(*, scale: str, seed: int, today: dt.date,
                        anchors: dict[str, int] | None = None) -> dict:
    """Build the training demo on top of the demo registry; returns counts, seconds and the
    primary-key blocks made (`blocks`: [model label, first, last], dependencies first)."""
    started = time.perf_counter()
    rng = random.Random(f"jineng-training-demo:{seed}:{scale}")
    now = timezone.now() if today == timezone.localdate() else dt.datetime.combine(
        today, dt.time(12), tzinfo=TZ)
    sites = list(TrainingSite.objects.filter(
        is_active=True, organization__kind=OrganizationKind.TRAINING,
        organization__status=OrganizationStatus.LISTED).order_by("pk").values_list(
        "pk", "organization_id", "region_id", "latitude", "longitude", "capacity"))
    if not sites:
        return {"classes": 0, "seconds": 0.0, "blocks": []}
    enterprises = list(Organization.objects.filter(kind=OrganizationKind.ENTERPRISE)
                       .order_by("pk").values_list("pk", flat=True))
    levels = dict(SkillLevel.objects.values_list("code", "pk"))
    catalogs = _Catalogs(today - dt.timedelta(days=WINDOW_BEFORE),
                         today + dt.timedelta(days=WINDOW_AFTER))

    # persons safely inside the age limits on every day of the window (SYNTHETIC pool)
    oldest = dt.date(today.year - 54, today.month, 1)
    youngest = dt.date(today.year - 18, today.month, 1)
    pool = array("q", Person.objects.filter(birth_date__gt=oldest, birth_date__lt=youngest)
                 .order_by("pk").values_list("pk", flat=True).iterator(chunk_size=50_000))
    rng.shuffle(pool)  # type: ignore[arg-type]
    groups: dict[str, list[int]] = defaultdict(list)
    for person_id, group in (KeyGroupMembership.objects
                             .filter(group__in=list(TARGET_GROUPS), start_date__lte=today)
                             .order_by("pk").values_list("person_id", "group")
                             .iterator(chunk_size=50_000)):
        groups[group].append(person_id)
    target = min(TIER_ENROLLMENTS.get(scale, TIER_ENROLLMENTS["S"]), len(pool))
    used: set[int] = set()

    # --- plan classes on the sites' timelines --------------------------------------------
    # Each class is one its institution is listed for in the training-institutions catalog
    # (occupation, level, site) on its first and last day, with a subsidy standard in force
    # on its first day; its hours and attendance threshold are the standard's.
    window_start = today - dt.timedelta(days=WINDOW_BEFORE)
    window_end = today + dt.timedelta(days=WINDOW_AFTER)
    avg_size = 38
    wanted = max(1, math.ceil(target / avg_size / 0.9))
    first_class = _next_pk(TrainingClass)
    first_session = _next_pk(ClassSession)
    planner = _Planner(rng=rng, catalogs=catalogs, levels=levels, enterprises=enterprises,
                       first_class=first_class, first_session=first_session)
    anchor = (anchors or {}).get(OrganizationKind.TRAINING)
    anchor_sites = [s for s in sites if s[1] == anchor]
    if anchor_sites:  # the demo institution's own story around today (see _anchor_story)
        _anchor_story(planner, anchor_sites, today, window_start,
                      employer=(anchors or {}).get(OrganizationKind.ENTERPRISE))
    told = len(planner.plans)
    # Every site's timeline runs through the whole window; then classes are dropped at random
    # down to the tier's number, so that classes run on every day of the window, the demo
    # date included (filling sites until the number was reached ended them months before).
    free_from = {s[0]: window_start + dt.timedelta(days=rng.randint(0, 30)) for s in sites}
    active_sites = [s for s in sites if s[1] != anchor]
    site_index = 0
    while active_sites:
        site = active_sites[site_index % len(active_sites)]
        site_index += 1
        start = free_from[site[0]]
        if start > window_end:
            active_sites.remove(site)
            continue
        plan = planner.plan(site, _weekday_from(start))
        if plan is None:  # nothing this institution may run here then: try a week later
            free_from[site[0]] = start + dt.timedelta(days=7)
            continue
        free_from[site[0]] = plan.sessions[-1][1].date() + dt.timedelta(days=rng.randint(1, 12))
    generic = planner.plans[told:]
    keep = max(wanted - told, wanted // 2)
    if len(generic) > keep:
        kept = sorted(rng.sample(range(len(generic)), keep))
        # At least one other institution's class runs today next to the demo institution's
        # own: without it a small tier can have no two institutions teaching at the same
        # time, and the supervision demo has nowhere to plant one teacher in two places (R04).
        running = [i for i, p in enumerate(generic)
                   if p.sessions[0][1].date() <= today <= p.sessions[-1][1].date()]
        if running and not set(running) & set(kept):
            kept = sorted([*kept[:-1], rng.choice(running)])
        generic = [generic[i] for i in kept]
    plans = planner.plans[:told] + generic
    session_pk = first_session
    for number, p in enumerate(plans):  # primary keys in order again after the thinning
        p.pk = first_class + number
        p.sessions = [(session_pk + j, a, b, h) for j, (_pk, a, b, h) in enumerate(p.sessions)]
        session_pk += len(p.sessions)
    if not plans:
        return {"classes": 0, "seconds": round(time.perf_counter() - started, 1),
                "blocks": []}

    # --- statuses, names, teachers ---------------------------------------------------------
    occupation_names = dict(Occupation.objects.filter(
        pk__in={p.occupation for p in plans}).values_list("pk", "name"))
    level_names = dict(SkillLevel.objects.values_list("code", "name"))
    runs: dict[tuple, int] = defaultdict(int)
    for p in plans:
        if not p.status:
            p.status, p.resubmitted = _status_on(p, today, rng)
        runs[(p.institution, p.occupation, p.level)] += 1
        p.name = (f"{occupation_names[p.occupation]}（{level_names[p.level]}）"
                  f"第{runs[(p.institution, p.occupation, p.level)]}期")
    teachers: list[tuple] = []
    teacher_free: dict[int, list[list]] = defaultdict(list)  # institution → [pk, free_from]
    first_teacher = _next_pk(Teacher)
    for p in sorted(plans, key=lambda p: p.sessions[0][1]):
        first, last = p.sessions[0][1].date(), p.sessions[-1][1].date()
        free = next((t for t in teacher_free[p.institution] if t[1] <= first), None)
        if free is None:
            pk = first_teacher + len(teachers)
            teachers.append((pk, p.institution, f"教师{len(teachers) + 1:05d}", "", "",
                             rng.choice(("高级技师", "技师", "高级工", "讲师")), True))
            free = [pk, first]
            teacher_free[p.institution].append(free)
        free[1] = last + dt.timedelta(days=1)
        p.teacher = free[0]

    # --- write classes, sessions, teachers, history ----------------------------------------
    _insert(Teacher, ["id", "organization_id", "name", "id_hash", "id_masked",
                      "qualification", "is_active"], teachers)
    class_rows, session_rows, m2m_rows, history_rows = [], [], [], []
    created = timezone.now()
    first_history = _next_pk(ClassStatusChange)
    path = {"declared": ["declared"], "approved": ["declared", "approved"],
            "rejected": ["declared", "rejected"], "cancelled": ["declared", "cancelled"],
            "returned": ["declared", "returned"],
            "open": ["declared", "approved", "open"],
            "suspended": ["declared", "approved", "open", "suspended"],
            "finished": ["declared", "approved", "open", "finished"],
            "assessed": ["declared", "approved", "open", "finished", "assessed"],
            "settled": ["declared", "approved", "open", "finished", "assessed", "settled"]}
    for p in plans:
        scheduled = sum((s[3] for s in p.sessions), Decimal(0))
        when = _step_times(p, created)
        class_rows.append((
            p.pk, p.name, p.institution, p.site[0], p.site[2], p.occupation, levels[p.level],
            p.training_type, p.order_form, p.employer, p.sector, p.target_group,
            p.planned_size, p.funding, p.online_share, p.sessions[0][1].date(),
            p.sessions[-1][1].date(), Decimal(p.required_hours), p.min_share, scheduled,
            p.standard_version, p.standard_entry, 500, p.status,
            "open" if p.status == "suspended" else "",
            when["resubmitted" if p.resubmitted else p.status], when["declared"], "demo"))
        for seq, (spk, start, end, hours) in enumerate(p.sessions, start=1):
            session_rows.append((spk, p.pk, seq, start.date(), start, end, hours, ""))
        m2m_rows.append((p.pk, p.teacher))
        previous = ""
        steps = (["declared", "returned", "resubmitted"] if p.resubmitted
                 else path[p.status])
        for step in steps:
            action, to = HISTORY_ACTIONS.get(step, (step, step))
            history_rows.append((first_history + len(history_rows), p.pk, action, previous,
                                 to, HISTORY_REASONS.get(step, ""), None, "demo", when[step],
                                 {}))
            previous = to
    _insert(TrainingClass, [
        "id", "name", "institution_id", "site_id", "region_id", "occupation_id", "level_id",
        "training_type", "order_form", "employer_id", "sector", "target_group",
        "planned_size", "funding_source", "online_share", "start_date", "end_date",
        "required_hours", "min_attendance_share", "scheduled_hours", "standard_version_id",
        "standard_entry_id", "checkin_radius_m", "status", "status_before_suspension",
        "status_changed_at", "declared_at", "declared_by"], class_rows)
    _insert(ClassSession, ["id", "training_class_id", "seq", "date", "starts_at", "ends_at",
                           "hours", "topic"], session_rows)
    through = TrainingClass.teachers.through
    first_m2m = _next_pk(through)
    _insert_m2m(through._meta.db_table, ("id", "trainingclass_id", "teacher_id"),
                [(first_m2m + i, c, t) for i, (c, t) in enumerate(m2m_rows)])
    _insert(ClassStatusChange, ["id", "training_class_id", "action", "from_status",
                                "to_status", "reason", "actor_id", "actor_username", "at",
                                "note"],
            history_rows)

    # --- enrollments and attendance ---------------------------------------------------------
    first_enrollment = _next_pk(Enrollment)
    first_event = _next_pk(AttendanceEvent)
    enrollment_pk, event_pk = first_enrollment, first_event
    phases = {"plan_and_classes": round(time.perf_counter() - started, 1)}
    large = connection.vendor == "postgresql" and target >= 200_000
    saved_indexes = _drop_secondary_indexes() if large else []
    sink = _EventSink()
    clock = _Clock(sink.postgres)
    enrollment_rows: list[tuple] = []
    enrollment_lines: list[str] = []
    cursor_pool = 0
    group_cursor: dict[str, int] = defaultdict(int)
    attended_states = {"open", "suspended", "finished", "assessed", "settled"}
    frozen_states = {"finished", "assessed", "settled"}
    fill = {"declared": (0.0, 0.6), "returned": (0.0, 0.4), "approved": (0.3, 0.9),
            "rejected": (0, 0), "cancelled": (0, 0)}
    now_ord = timezone.localtime(now).date().toordinal()
    now_sec = (now_ord, timezone.localtime(now).hour * 3600 + timezone.localtime(now).minute * 60)
    rand = rng.random
    lines = sink.lines
    for p in plans:
        low, high = fill.get(p.status, (0.85, 1.0))
        size = int(p.planned_size * rng.uniform(low, high))
        members: list[int] = []
        if p.target_group:
            candidates = groups.get(p.target_group, [])
            while len(members) < size and group_cursor[p.target_group] < len(candidates):
                pid = candidates[group_cursor[p.target_group]]
                group_cursor[p.target_group] += 1
                if pid not in used:
                    members.append(pid)
                    used.add(pid)
        else:
            while len(members) < size and cursor_pool < len(pool):
                pid = pool[cursor_pool]
                cursor_pool += 1
                if pid not in used:
                    members.append(pid)
                    used.add(pid)
        site_lat, site_lon = float(p.site[3]), float(p.site[4])
        metres_lat = att_rules.EARTH_RADIUS_M * math.pi / 180
        metres_lon = metres_lat * math.cos(math.radians(site_lat))
        required = Decimal(p.required_hours)
        # (pk, day ordinal, start and end in local seconds of day, counted seconds)
        sessions = []
        for spk, start, end, hours in p.sessions:
            s0 = start.hour * 3600 + start.minute * 60
            sessions.append((spk, start.date().toordinal(), s0,
                             end.hour * 3600 + end.minute * 60, int(hours * 3600)))
        recording = p.status in attended_states
        head = f"\t{p.institution}\t{p.pk}\t"
        for pid in members:
            epk = enrollment_pk
            enrollment_pk += 1
            late_join = recording and rand() < LATE_JOIN
            dropout_at = 1 + int(rand() * len(sessions)) \
                if recording and rand() < DROPOUT else None
            offline = 0
            online = 0
            for index, (spk, day, start, end, seconds) in enumerate(sessions, start=1):
                if not recording or (day, start) >= now_sec:
                    break
                if dropout_at is not None and index >= dropout_at:
                    break
                if (late_join and index == 1) or rand() < ABSENT:
                    continue
                roll = rand()
                check_in = start + (300 + int(rand() * 2400) if roll < LATE
                                    else -int(rand() * 1200))
                method = 1 if roll < 0.6 else 2 if roll < 0.85 else 3
                far = method == 2 and rand() < FAR_AWAY
                if method == 1:
                    place = f"{NULL}\t{NULL}\t{NULL}"
                else:
                    if far:
                        lat, lon = site_lat + 0.02 + rand() * 0.06, site_lon
                    else:
                        lat = site_lat + (rand() - 0.5) * 0.003
                        lon = site_lon + (rand() - 0.5) * 0.003
                    # equirectangular: within a metre of the haversine at these distances
                    dist = round(math.hypot((lat - site_lat) * metres_lat,
                                            (lon - site_lon) * metres_lon))
                    place = f"{lat:.6f}\t{lon:.6f}\t{dist}"
                flag = "1" if far else "0"
                # the class room's terminal, else the trainee's own phone (one device per trainee:
                # one device checking in many people is a risk pattern, R07)
                device = f"demo-terminal{p.pk}" if method == 1 else f"demo-phone{epk}"
                stamp = clock(day, check_in)
                lines.append(f"{event_pk}{head}{spk}\t{epk}\t1\t{method}\t{stamp}\t{stamp}"
                             f"\t{place}\t0\t0\t{flag}\tdemo{event_pk}\t{device}\n")
                event_pk += 1
                roll = rand()
                if roll < NO_CHECK_OUT or (day, end) > now_sec:
                    continue
                outside = roll < NO_CHECK_OUT + FORGOT_UNTIL_EVENING
                if outside:
                    check_out = end + 7200 + int(rand() * 7200)
                elif roll < NO_CHECK_OUT + FORGOT_UNTIL_EVENING + EARLY_LEAVE:
                    check_out = end - 900 - int(rand() * 4500)
                else:
                    check_out = end + int(rand() * 900)
                stamp = clock(day, check_out)
                lines.append(f"{event_pk}{head}{spk}\t{epk}\t2\t{method}\t{stamp}\t{stamp}"
                             f"\t{place}\t0\t{'1' if outside else '0'}\t{flag}"
                             f"\tdemo{event_pk}\t{device}\n")
                event_pk += 1
                if not far:  # the credit rule of rules.attendance, on plain seconds
                    overlap = min(end, check_out) - max(start, check_in)
                    if overlap > 0:
                        offline += min(overlap, seconds)
            if recording and p.online_share and dropout_at is None:
                goal = int(float(required * p.online_share) * 3600 * rng.uniform(0.5, 1.1))
                day = sessions[0][1]
                while goal > 0 and (day, 72000) < now_sec:
                    piece = min(goal, 1800 + int(rand() * 5400))
                    stamp = clock(day, 72000)
                    lines.append(f"{event_pk}{head}{NULL}\t{epk}\t3\t4\t{stamp}\t{stamp}"
                                 f"\t{NULL}\t{NULL}\t{NULL}\t{piece}\t0\t0"
                                 f"\txapi:demo{event_pk}\tlms\n")
                    event_pk += 1
                    online += piece
                    goal -= piece
                    day += 1
            if len(lines) >= 50_000:
                sink.flush()
                lines = sink.lines
            attended = completed = None
            rule = ""
            if p.status in frozen_states:
                result = att_rules.completion(
                    offline_seconds=offline, online_seconds=online, required_hours=required,
                    min_share=p.min_share, online_share=p.online_share)
                attended, rule = result.attended_hours, result.rule
                completed = result.completed and dropout_at is None
            row = (epk, p.pk, pid, "withdrawn" if dropout_at else "enrolled", created, "demo",
                   "报名截止后补录" if late_join else "", None, [],
                   "中途退学" if dropout_at else "", attended, completed, rule)
            if sink.postgres:
                enrollment_lines.append(_copy_line(row))
            else:
                enrollment_rows.append(row)
                if len(enrollment_rows) >= CHUNK:
                    _write_enrollments(enrollment_rows)
                    enrollment_rows = []
    _write_enrollments(enrollment_rows)
    sink.close()
    phases["attendance"] = round(time.perf_counter() - started - sum(phases.values()), 1)
    if enrollment_lines:
        _copy_enrollments(enrollment_lines)
    if saved_indexes:
        mark = time.perf_counter()
        _restore_secondary_indexes(saved_indexes)
        phases["indexes"] = round(time.perf_counter() - mark, 1)
    _reset_sequences(Teacher, TrainingClass, ClassSession, ClassStatusChange, Enrollment,
                     AttendanceEvent, through)
    counts = {"classes": len(plans), "sessions": len(session_rows), "teachers": len(teachers),
              "enrollments": enrollment_pk - first_enrollment,
              "attendance_events": event_pk - first_event}
    if plans:  # what finishing these classes would have added to the plans' progress
        mark = time.perf_counter()
        counts["plan_facts"] = plan_facts.record_finished_classes(
            actor=None, class_ids=(first_class, first_class + len(plans) - 1),
            source=PLAN_FACTS_SOURCE)
        phases["plan_facts"] = round(time.perf_counter() - mark, 1)
    audit.record(actor=None, action="import", entity_type="training.demo",
                 label=f"demo training {scale}/{seed}", after=counts)
    blocks = [Block("training.teacher", first_teacher, first_teacher + len(teachers) - 1),
              Block("training.trainingclass", first_class, first_class + len(plans) - 1),
              Block("training.classsession", first_session, session_pk - 1),
              Block("training.trainingclass_teachers", first_m2m, first_m2m + len(m2m_rows) - 1),
              Block("training.classstatuschange", first_history,
                    first_history + len(history_rows) - 1),
              Block("training.enrollment", first_enrollment, enrollment_pk - 1),
              Block("training.attendanceevent", first_event, event_pk - 1)]
    return {**counts, "seconds": round(time.perf_counter() - started, 1), "phases": phases,
            "blocks": [[b.model, b.first, b.last] for b in blocks if b.last >= b.first]}

# ruff: noqa: C408 - rows read best as dict(column=value)
"""Small hand-built snapshot tables: for every rule a case that fires and a near miss that
does not, with the alert rows expected (tests/supervision/test_conformance.py)."""

from __future__ import annotations

from jineng.supervision.analytics.schema import from_rows

T0 = 1_750_000_000  # an even epoch second
D = 20_000  # a day number


def build() -> dict:
    enr, ses, ev, sites, teach, cand, exam, certs, classes = ([] for _ in range(9))
    eid = iter(range(1, 100_000))

    def event(person, cls, inst, t, *, session=None, enrollment=None, lat=None, lon=None,
              too_far=False, outside=False, device="", method=2, kind=1):
        ev.append(dict(event_id=next(eid), enrollment_id=enrollment or person * 10,
                       person_id=person, class_id=cls, session_id=session, institution_id=inst,
                       kind=kind, method=method, occurred_s=t, latitude=lat, longitude=lon,
                       too_far=too_far, outside_window=outside, device=device))

    # R01 overlapping enrollments / R04 teacher in two places
    for e, p, c, i in ((101, 1, 10, 1), (102, 1, 11, 2), (103, 2, 12, 3), (104, 2, 13, 4)):
        enr.append(dict(enrollment_id=e, person_id=p, class_id=c, institution_id=i))
    for s, c, i, site, a, b in ((1000, 10, 1, 10, T0, T0 + 3600),
                                (1100, 11, 2, 11, T0 + 1800, T0 + 5400),
                                (1200, 12, 3, 12, T0, T0 + 3600),
                                (1300, 13, 4, 13, T0 + 3600, T0 + 7200),
                                (1400, 14, 1, 14, T0 + 600, T0 + 1200)):
        ses.append(dict(session_id=s, class_id=c, institution_id=i, site_id=site, starts_s=a,
                        ends_s=b))
    teach += [dict(class_id=10, institution_id=1, teacher_hash="h1"),
              dict(class_id=11, institution_id=2, teacher_hash="h1"),
              dict(class_id=12, institution_id=3, teacher_hash="h2"),
              dict(class_id=13, institution_id=4, teacher_hash="h2"),
              dict(class_id=10, institution_id=1, teacher_hash="h3"),
              dict(class_id=14, institution_id=1, teacher_hash="h3")]
    # R02 impossible travel (person 3) and a plausible trip (person 4), missing coordinates
    event(3, 14, 1, T0, lat=26.60, lon=106.70)
    first_fast = len(ev)
    event(3, 14, 1, T0 + 600, lat=28.20, lon=112.90)
    event(4, 14, 1, T0, lat=26.60, lon=106.70)
    event(4, 14, 1, T0 + 3600, lat=26.90, lon=106.70)
    event(4, 14, 1, T0 + 7200)
    # R03 far or outside: class 15 (4 of 10 flagged) fires, class 16 (3 of 10) does not
    for k in range(10):
        event(150 + k, 15, 5, T0 + 60 * k, too_far=k < 2, outside=2 <= k < 4)
        event(160 + k, 16, 6, T0 + 60 * k, too_far=k < 3)
    # R05 capacity: site 3 (capacity 3) with four people in two overlapping sessions
    for s, c, i, site, a, b in ((3000, 30, 6, 3, T0, T0 + 3600),
                                (3001, 31, 7, 3, T0 + 1800, T0 + 5400),
                                (4000, 40, 8, 4, T0, T0 + 3600)):
        ses.append(dict(session_id=s, class_id=c, institution_id=i, site_id=site, starts_s=a,
                        ends_s=b))
    for p, s, c, i in ((30, 3000, 30, 6), (31, 3000, 30, 6), (32, 3001, 31, 7),
                       (33, 3001, 31, 7)):
        event(p, c, i, T0 + 1900 + 60 * p, session=s)
    for p in range(40, 44):
        event(p, 40, 8, T0 + 60 * p, session=4000)
    # R06 machine-like: 8 people in the same two seconds (session 6000), 7 in session 6100
    for s, c, i, site in ((6000, 60, 9, 6), (6100, 61, 10, 7)):
        ses.append(dict(session_id=s, class_id=c, institution_id=i, site_id=site, starts_s=T0,
                        ends_s=T0 + 3600))
    first_machine = len(ev) + 1
    for p in range(60, 68):
        event(p, 60, 9, T0 + 10 + (p % 2), session=6000)
    for p in range(70, 77):
        event(p, 61, 10, T0 + 10, session=6100)
    # R07 one phone checking in five people; four on another; six on a site terminal
    first_device = len(ev) + 1
    for k in range(5):
        event(700 + k, 70, 11, T0 + 600 * k, device="dev-A")
    for k in range(4):
        event(710 + k, 71, 11, T0 + 600 * k, device="dev-B")
    for k in range(6):
        event(720 + k, 72, 11, T0 + 600 * k, device="term-1", method=1)
    sites += [dict(site_id=s, capacity=cap, latitude=26.6, longitude=106.7)
              for s, cap in ((3, 3), (4, 4), (6, 100), (7, 100), (10, 50), (11, 50), (12, 50),
                             (13, 50), (14, 50))]
    # R10: class 80 assessed five days before its end, a certificate the day before that,
    # an examiner teaching the class; class 81 assessed on its last day by an outsider
    classes += [dict(class_id=80, institution_id=12, site_id=None, end_day=D + 10),
                dict(class_id=81, institution_id=12, site_id=None, end_day=D + 10)]
    cand += [dict(candidate_id=8000, sitting_id=800, person_id=80, class_id=80, sitting_day=D + 5),
             dict(candidate_id=8001, sitting_id=800, person_id=81, class_id=80, sitting_day=D + 5),
             dict(candidate_id=8010, sitting_id=801, person_id=82, class_id=81,
                  sitting_day=D + 10)]
    certs += [dict(certificate_id=900, person_id=80, class_id=80, issued_day=D + 4),
              dict(certificate_id=901, person_id=81, class_id=80, issued_day=D + 5)]
    exam += [dict(sitting_id=800, examiner_hash="h9"), dict(sitting_id=801,
                                                            examiner_hash="h10")]
    teach += [dict(class_id=80, institution_id=12, teacher_hash="h9"),
              dict(class_id=81, institution_id=12, teacher_hash="h11")]
    # R11A: class 110 passes everyone, its peers half; class 113 (80 %) against 60 % does not
    cid = iter(range(11_000, 20_000))
    for c, inst, occ, n, passed in ((110, 13, 1, 10, 10), (111, 14, 1, 10, 5),
                                    (112, 15, 1, 10, 5), (113, 16, 2, 10, 8),
                                    (114, 17, 2, 20, 12)):
        classes.append(dict(class_id=c, institution_id=inst, end_day=D, occupation_id=occ,
                            level_id=1))
        for k in range(n):
            cand.append(dict(candidate_id=next(cid), sitting_id=c * 10, person_id=c * 100 + k,
                             class_id=c, sitting_day=D + 20, passed=k < passed))
    # R11B: class 120 all at 61 of 60, class 121 half
    for c, inst, near in ((120, 18, 10), (121, 19, 5)):
        classes.append(dict(class_id=c, institution_id=inst, end_day=D))
        for k in range(10):
            cand.append(dict(candidate_id=next(cid), sitting_id=c * 10, person_id=c * 100 + k,
                             class_id=c, sitting_day=D + 20, score=61.0 if k < near else 80.0,
                             pass_mark=60.0))
    # R09: person 90 insured by institution 20 (class 90's) in the class's month; person 91 by
    # another employer, person 92 by institution 20 the month after the class
    inst_rows = [dict(institution_id=20, credit_code="91520100MA000000X1")]
    employment = [dict(person_id=90, employer_code="91520100MA000000X1", month=24_300),
                  dict(person_id=91, employer_code="91520100MA000000Y2", month=24_300),
                  dict(person_id=92, employer_code="91520100MA000000X1", month=24_302)]
    classes.append(dict(class_id=90, institution_id=20, end_day=D, start_month=24_300,
                        end_month=24_301))
    for e, p in ((901, 90), (902, 91), (903, 92)):
        enr.append(dict(enrollment_id=e, person_id=p, class_id=90, institution_id=20))
    # R12: person 95 in three classes of occupation 3 level 2, person 96 in two
    for c, inst in ((95, 21), (96, 22), (97, 23)):
        classes.append(dict(class_id=c, institution_id=inst, end_day=D, occupation_id=3,
                            level_id=2))
    for e, p, c, inst in ((951, 95, 95, 21), (952, 95, 96, 22), (953, 95, 97, 23),
                          (961, 96, 95, 21), (962, 96, 96, 22)):
        enr.append(dict(enrollment_id=e, person_id=p, class_id=c, institution_id=inst))
    tables = {"enrollments": enr, "sessions": ses, "events": ev, "sites": sites,
              "teaching": teach, "candidates": cand, "examiners": exam, "certificates": certs,
              "classes": classes, "institutions": inst_rows, "employment": employment}
    expected = {
        ("R01", "person", "1", 10, 1, 101, 102, 1.0),
        ("R02", "person", "3", 14, 1, first_fast, first_fast + 1, None),  # speed checked apart
        ("R03", "class", "15", 15, 5, 4, 10, 0.4),
        ("R04", "teacher", "h1", 10, 1, 1000, 1100, 30.0),
        ("R05", "site", "3", 30, 6, 3000, 3, 4.0),
        ("R05", "site", "3", 31, 7, 3001, 3, 4.0),
        ("R06", "class", "60", 60, 9, 6000, first_machine, 8.0),
        ("R07", "device", "dev-A", 70, 11, first_device, 1, 5.0),
        ("R09", "person", "90", 90, 20, 901, 90, 1.0),
        ("R12", "person", "95", 97, 23, 3, 2, 3.0),
        ("R10A", "class", "80", 80, 12, 800, 2, 5.0),
        ("R10B", "person", "80", 80, None, 900, 8000, 1.0),
        ("R10C", "teacher", "h9", 80, 12, 800, 80, 2.0),
        ("R11A", "class", "110", 110, 13, 10, 10, 1.0),
        ("R11B", "class", "120", 120, 18, 10, 10, 1.0),
    }
    return {name: from_rows(name, rows) for name, rows in tables.items()}, expected

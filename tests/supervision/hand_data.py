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
    # R12 with subsidies: person 97 in classes 95 and 96 plus a training subsidy imported
    # from the previous system (3); person 98 in class 95 with a claim for that class (counted
    # once) and a living allowance (not a training): 1
    claims = [dict(claim_id=-1, person_id=97, person_key="k97", kind="training",
                   occupation_id=3, level_id=2, claim_day=D - 400, year=2024),
              dict(claim_id=50, person_id=98, person_key="k98", kind="training", class_id=95,
                   occupation_id=3, level_id=2, claim_day=D, year=2024),
              dict(claim_id=51, person_id=98, person_key="k98", kind="living_allowance",
                   occupation_id=3, level_id=2, claim_day=D, year=2024)]
    for e, p, c, inst in ((971, 97, 95, 21), (972, 97, 96, 22), (981, 98, 95, 21)):
        enr.append(dict(enrollment_id=e, person_id=p, class_id=c, institution_id=inst))
    # R08 rings: persons 200–204 (classes 200, 201) chained by two phones, an account and a
    # phone: five people; persons 210–213 chained likewise are four (299 is no trainee)
    for e, p, c, inst in ((2000, 200, 200, 30), (2001, 201, 200, 30), (2002, 202, 201, 31),
                          (2003, 203, 201, 31), (2004, 204, 201, 31), (2100, 210, 202, 32),
                          (2101, 211, 202, 32), (2102, 212, 203, 33), (2103, 213, 203, 33)):
        enr.append(dict(enrollment_id=e, person_id=p, class_id=c, institution_id=inst))
    contacts = []
    for kind, value, people in (("phone", "ph-a", (200, 201)), ("account", "acc-x", (201, 202)),
                                ("phone", "ph-b", (202, 203)), ("phone", "ph-c", (203, 204)),
                                ("phone", "ph-1", (210, 211)), ("account", "acc-y", (211, 212)),
                                ("phone", "ph-2", (212, 213)), ("phone", "ph-3", (213, 299)),
                                ("phone", "ph-alone", (204,))):
        contacts += [dict(person_id=p, kind=kind, value_hash=value) for p in people]
    # R13: institution 40's quarters 10, 10, 12 then 40 enrollments over a site of 15 seats;
    # institution 41 the same over 30 seats (40 ≤ 2 × 30)
    pid = iter(range(100_000, 200_000))
    enr_id = iter(range(100_000, 200_000))
    for inst, site in ((40, 40), (41, 41)):
        for q, n in enumerate((10, 10, 12, 40)):
            c = inst * 10 + q
            classes.append(dict(class_id=c, institution_id=inst, site_id=site, end_day=D,
                                start_month=24_300 + 3 * q, end_month=24_300 + 3 * q))
            for _ in range(n):
                enr.append(dict(enrollment_id=next(enr_id), person_id=next(pid), class_id=c,
                                institution_id=inst))
    sites += [dict(site_id=40, capacity=15), dict(site_id=41, capacity=30)]
    # R14A: person 300's certificate and evaluation claims on certificate 7000; person 301's
    # on two certificates. R14B: the unregistered person k-302 paid twice before jineng for
    # occupation 6 level 4; person 303 at two levels. R14C: person 304 four times in 2025,
    # person 305 three times (and once in 2024)
    def claim(cid, person, key, kind, *, cert=None, occ=None, lvl=None, year=2025):
        claims.append(dict(claim_id=cid, person_id=person, person_key=key, kind=kind,
                           certificate_key=cert, occupation_id=occ, level_id=lvl,
                           claim_day=D, year=year))

    claim(60, 300, "k300", "certificate", cert="id:7000")
    claim(61, 300, "k300", "evaluation", cert="id:7000")
    claim(62, 301, "k301", "certificate", cert="id:7001")
    claim(63, 301, "k301", "certificate", cert="id:7002")
    claim(-3, None, "k-302", "training", occ=6, lvl=4, year=2023)
    claim(-4, None, "k-302", "certificate", occ=6, lvl=4, year=2024)
    claim(64, 303, "k303", "training", occ=6, lvl=4)
    claim(65, 303, "k303", "training", occ=6, lvl=3)
    for k in range(4):
        claim(66 + k, 304, "k304", "training", occ=7 + k, lvl=1)
        claim(70 + k, 305, "k305", "training", occ=7 + k, lvl=1, year=2025 if k < 3 else 2024)
    # R15: class 500 at site 50 in Guiyang (520100): person 500 insured in Anshun (520400) in
    # its month; 501 in Guiyang; 502 in Anshun the month after
    classes.append(dict(class_id=500, institution_id=50, site_id=50, end_day=D,
                        start_month=24_300, end_month=24_301))
    site_cities = [dict(site_id=50, city="520100")]
    insured = [dict(person_id=500, month=24_300, city="520400"),
               dict(person_id=501, month=24_301, city="520100"),
               dict(person_id=502, month=24_302, city="520400")]
    for e, p in ((5000, 500), (5001, 501), (5002, 502)):
        enr.append(dict(enrollment_id=e, person_id=p, class_id=500, institution_id=50))
    # R16: class 600 runs D … D + 30; person 600 on a student list open since before it, 601
    # on a pension list ended the day before; 602 reached retirement age ten days before the
    # start, 603 reaches it the day after; 604 came of age the day before
    classes.append(dict(class_id=600, institution_id=60, end_day=D + 30, start_day=D))
    persons = [dict(person_id=600, id_hash="x600", adult_day=D - 9000, retire_day=D + 9000),
               dict(person_id=601, id_hash="x601", adult_day=D - 9000, retire_day=D + 9000),
               dict(person_id=602, id_hash="x602", adult_day=D - 9000, retire_day=D - 10),
               dict(person_id=603, id_hash="x603", adult_day=D - 9000, retire_day=D + 1),
               dict(person_id=604, id_hash="x604", adult_day=D - 1, retire_day=D + 9000)]
    exclusions = [dict(id_hash="x600", list_kind="student", from_day=D - 100),
                  dict(id_hash="x601", list_kind="pension", from_day=D - 100, to_day=D - 1)]
    for k in range(5):
        enr.append(dict(enrollment_id=6000 + k, person_id=600 + k, class_id=600,
                        institution_id=60))
    # R17 online learning (China time): 800 learns 6 × 2 h in a day (12 h), 801 5 × 2 h;
    # 802 two hours after midnight, 803 one; 804 in classes 170 and 171 overlapping 30 min,
    # 805 five minutes
    night = ((T0 + 8 * 3600) // 86_400 + 1) * 86_400 - 8 * 3600  # a local midnight
    online = []
    oid = iter(range(50_000, 60_000))

    def learn(person, cls, at, seconds):
        online.append(dict(event_id=next(oid), enrollment_id=person * 10, person_id=person,
                           class_id=cls, institution_id=70, occurred_s=night + at,
                           seconds=seconds))
        return online[-1]["event_id"]

    h = 3600
    first_day = learn(800, 170, 8 * h, 2 * h)
    for k in range(1, 6):
        learn(800, 170, 8 * h + 2 * h * k, 2 * h)
    for k in range(5):
        learn(801, 170, 8 * h + 2 * h * k, 2 * h)
    first_night = learn(802, 170, 1 * h, h)
    learn(802, 170, 2 * h, h)
    learn(803, 170, 1 * h, h)
    learn(803, 170, 5 * h, h)
    parallel = learn(804, 170, 10 * h, h)
    learn(804, 171, 10 * h + 1800, h)
    learn(805, 170, 10 * h, h)
    learn(805, 171, 10 * h + 55 * 60, h)
    # R17D: class 172's platform sends interactions; 806 learns 10 h there (2 h a day) with 2
    # interactions (0.2 an hour), 807 10 h with 6 (0.6), 809 7.5 h with none (under 8 h);
    # 808 learns 10 h with none in class 173, whose platform sends none at all (not judged)
    interactions = []

    def interact(person, cls, at):
        interactions.append(dict(event_id=next(oid), enrollment_id=person * 10,
                                 person_id=person, class_id=cls, institution_id=70,
                                 occurred_s=night + at))

    for person, cls, n in ((806, 172, 2), (807, 172, 6), (808, 173, 0)):
        for k in range(5):
            learn(person, cls, 8 * h + 86_400 * (k + 1), 2 * h)
        for k in range(n):
            interact(person, cls, 8 * h + 86_400 * (k % 5 + 1) + 600 * k)
    for k in range(3):
        learn(809, 172, 8 * h + 86_400 * (k + 1), int(2.5 * h))
    day = (night + 8 * 3600) // 86_400
    tables = {"enrollments": enr, "sessions": ses, "events": ev, "sites": sites,
              "teaching": teach, "candidates": cand, "examiners": exam, "certificates": certs,
              "classes": classes, "institutions": inst_rows, "employment": employment,
              "claims": claims, "contacts": contacts, "site_cities": site_cities,
              "insured_cities": insured, "persons": persons, "exclusions": exclusions,
              "online": online, "interactions": interactions}
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
        ("R12", "person", "97", 96, 22, 3, 2, 3.0),
        ("R08", "person", "200", 200, 30, 2, 2, 5.0),
        ("R13", "institution", "40", None, 40, 24_309, 10, 40.0),
        ("R14A", "person", "300", None, None, 60, 61, 2.0),
        ("R14B", "person", "k-302", None, None, -4, -3, 2.0),
        ("R14C", "person", "304", None, None, 2025, 69, 4.0),
        ("R15", "person", "500", 500, 50, 5000, 520400, 1.0),
        ("R16A", "person", "600", 600, 60, 6000, 2, 31.0),
        ("R16B", "person", "602", 600, 60, 6002, 1, 10.0),
        ("R17A", "person", "800", 170, 70, day, first_day, 12.0),
        ("R17B", "person", "802", 170, 70, day, first_night, 2.0),
        ("R17C", "person", "804", 170, 70, parallel, parallel + 1, 30.0),
        ("R17D", "person", "806", 172, 70, 10, 2, 0.2),
    }
    return {name: from_rows(name, rows) for name, rows in tables.items()}, expected

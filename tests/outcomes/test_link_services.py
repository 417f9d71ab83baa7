"""Record linkage services: link_pending's decisions by the province's thresholds, the record a
link writes (once), staff confirm / reject / reopen, scope and the row lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditEvent
from jineng.outcomes.choices import BusinessKind, ImportKind, LinkStatus
from jineng.outcomes.models import (
    BusinessRegistration,
    IndicatorSettings,
    InsuranceRecord,
    RecordLink,
)
from jineng.outcomes.services import linkage as services
from tests import factories as f
from tests.outcomes import link_support as s

pytestmark = pytest.mark.django_db
B1 = dt.date(1990, 5, 17)


@pytest.fixture
def world():
    p1 = s.person("张伟", B1, f.COUNTY, 11)
    p2 = s.person("张伟", B1, f.OTHER_COUNTY, 23)  # namesake born the same day, same city
    p3 = s.person("李明", dt.date(1988, 3, 4), f.COUNTY, 59)
    others = [s.person(n, dt.date(1980 + i, 1 + i % 12, 1 + i), f.COUNTY, 100 + i)
              for i, n in enumerate(["王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"])]
    imp = s.an_import()
    return {"p1": p1, "p2": p2, "p3": p3, "others": others, "imp": imp,
            "staff": f.staff()}


def test_link_pending_decides_by_threshold_and_writes_once(world):
    imp, p1, p3 = world["imp"], world["p1"], world["p3"]
    auto = s.link(imp, name="张伟", birth=B1, id_given=s.wrong_check(p1.plain_id))
    review = s.link(imp, name="张伟", birth=B1)  # namesakes: a person decides
    typo = s.link(imp, name="李鸣", birth=dt.date(1988, 3, 4))
    nobody = s.link(imp, name="欧阳修", birth=dt.date(1960, 1, 1))
    summary = services.link_pending(actor=world["staff"], source_import_id=imp.pk)
    assert (summary.proposed, summary.linked, summary.pending, summary.unmatched) == (4, 2, 1, 1)
    for row in (auto, review, typo, nobody):
        row.refresh_from_db()
    assert (auto.status, auto.candidate_id) == (LinkStatus.LINKED, p1.pk)
    assert auto.comparison["id_digits"] == "region_and_sequence"
    assert (review.status, review.candidate_id) == (LinkStatus.PENDING, p1.pk)
    assert 0.5 <= review.match_probability < 0.99
    assert (typo.status, typo.candidate_id) == (LinkStatus.LINKED, p3.pk)
    assert (nobody.status, nobody.candidate_id) == (LinkStatus.UNMATCHED, None)
    record = InsuranceRecord.objects.get(link=auto)
    assert (record.person_id, record.id_hash) == (p1.pk, p1.id_hash)
    assert record.month == dt.date(2026, 3, 1) and str(record.wage_base) == "4500.00"
    assert InsuranceRecord.objects.count() == 2
    assert AuditEvent.objects.filter(entity_type="outcomes.recordlink").count() == 1
    # Run again (and retry the unmatched): nothing doubles, decided rows are left alone.
    again = services.link_pending(actor=world["staff"], retry_unmatched=True)
    assert (again.proposed, again.linked, again.unmatched) == (1, 0, 1)
    assert InsuranceRecord.objects.count() == 2


def test_thresholds_come_from_the_province_settings(world):
    IndicatorSettings.objects.create(region=f.region(f.PROVINCE), valid_from=dt.date(2020, 1, 1),
                                     link_auto_probability=1.0, link_review_probability=0.99)
    assert services.thresholds_for("52") == (1.0, 0.99)
    assert services.thresholds_for("53") == (0.99, 0.5)
    review = s.link(world["imp"], name="张伟", birth=B1)
    services.link_pending(actor=world["staff"])
    review.refresh_from_db()
    assert review.status == LinkStatus.UNMATCHED  # below 0.99 now


def test_a_record_already_on_file_is_not_doubled(world):
    p1 = world["p1"]
    row = s.link(world["imp"], name="张伟", birth=B1, id_given=s.wrong_check(p1.plain_id))
    InsuranceRecord.objects.create(
        id_hash=p1.id_hash, person=p1, employer_code=row.payload["employer_code"],
        employer_region=f.region(f.CITY), month=dt.date(2026, 3, 1), pension=True,
        wage_base="3000", source_import=world["imp"])
    services.link_pending(actor=world["staff"])
    row.refresh_from_db()
    assert row.status == LinkStatus.LINKED
    assert InsuranceRecord.objects.filter(id_hash=p1.id_hash).count() == 1


def test_confirm_writes_the_record_once_and_reopen_removes_it(world):
    row = s.link(world["imp"], name="张伟", birth=B1)
    services.link_pending(actor=world["staff"])
    row.refresh_from_db()
    assert row.status == LinkStatus.PENDING
    city = f.staff(Role.CITY_STAFF, f.CITY)
    done = services.link_confirm(actor=city, link_id=row.pk, reason="电话核实")
    assert (done.status, done.decided_by_id) == (LinkStatus.CONFIRMED, city.pk)
    assert InsuranceRecord.objects.filter(link=row, person=world["p1"]).count() == 1
    with pytest.raises(Conflict):
        services.link_confirm(actor=city, link_id=row.pk, reason="again")
    services.link_pending(actor=world["staff"])
    assert InsuranceRecord.objects.filter(link=row).count() == 1
    reopened = services.link_reopen(actor=city, link_id=row.pk, reason="核实有误")
    assert reopened.status == LinkStatus.PENDING
    assert not InsuranceRecord.objects.filter(link=row).exists()
    services.link_reject(actor=city, link_id=row.pk, reason="不是本人")
    row.refresh_from_db()
    assert row.status == LinkStatus.REJECTED and not InsuranceRecord.objects.exists()


def test_confirm_another_person_by_id_number(world):
    row = s.link(world["imp"], name="张伟", birth=B1)
    services.link_pending(actor=world["staff"])
    done = services.link_confirm(actor=world["staff"], link_id=row.pk,
                                 id_number=world["p2"].plain_id, reason="身份证复印件")
    assert done.candidate_id == world["p2"].pk
    event = AuditEvent.objects.filter(entity_id=str(row.pk), action="transition").get()
    assert event.after["person_found_by"] == "id_number"
    assert world["p2"].plain_id not in str(event.after)
    with pytest.raises(DomainError):
        services.link_reopen(actor=world["staff"], link_id=row.pk, reason="")


def test_scope_and_roles(world):
    row = s.link(world["imp"], name="张伟", birth=B1)
    services.link_pending(actor=world["staff"])
    other_city = f.staff(Role.CITY_STAFF, f.OTHER_CITY)
    with pytest.raises(NotFound):
        services.link_confirm(actor=other_city, link_id=row.pk, reason="x")
    with pytest.raises(NotFound):
        services.link_reject(actor=f.operator(f.OrganizationFactory()), link_id=row.pk,
                             reason="x")
    with pytest.raises(Forbidden):
        services.link_reject(actor=f.staff(Role.COUNTY_STAFF, f.COUNTY), link_id=row.pk,
                             reason="x")
    with pytest.raises(Forbidden):
        services.link_pending(actor=f.operator(f.OrganizationFactory()))
    with pytest.raises(NotFound):
        services.link_pending(actor=other_city, source_import_id=world["imp"].pk + 10_000)
    row.refresh_from_db()
    assert row.status == LinkStatus.PENDING and row.decided_by_id is None


def test_business_row_fills_the_legal_person(world):
    p1 = world["p1"]
    imp = s.an_import(kind=ImportKind.BUSINESSES)
    code = f.credit_code_for(f.COUNTY, 77001)
    row = s.link(imp, name="张伟", birth=B1, id_given=s.wrong_check(p1.plain_id),
                 kind=ImportKind.BUSINESSES,
                 payload={"credit_code": code, "kind": BusinessKind.INDIVIDUAL,
                          "name": "张伟小吃店", "founded_on": "2026-02-01", "closed_on": None,
                          "region": f.COUNTY})
    services.link_pending(actor=world["staff"])
    business = BusinessRegistration.objects.get(credit_code=code)
    assert (business.person_id, business.legal_person_hash, business.link_id) == (
        p1.pk, p1.id_hash, row.pk)
    services.link_reopen(actor=world["staff"], link_id=row.pk, reason="核实")
    business.refresh_from_db()
    assert business.person_id is None and business.link_id is None


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite locks the "
                           "whole database and answers the second writer with an error")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reviewers_cannot_both_decide():
    from tests.concurrency import in_threads

    s.person("张伟", B1, f.COUNTY, 11)
    s.person("张伟", B1, f.OTHER_COUNTY, 23)
    row = s.link(s.an_import(), name="张伟", birth=B1)
    a, b = f.staff(), f.staff(Role.CITY_STAFF, f.CITY)
    services.link_pending(actor=a)
    row.refresh_from_db()
    assert row.status == LinkStatus.PENDING

    def confirm():
        return services.link_confirm(actor=a, link_id=row.pk, reason="A")

    def reject():
        return services.link_reject(actor=b, link_id=row.pk, reason="B")

    results = in_threads(confirm, reject)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    row.refresh_from_db()
    written = InsuranceRecord.objects.filter(link=row).count()
    assert written == (1 if row.status == LinkStatus.CONFIRMED else 0)
    assert RecordLink.objects.get(pk=row.pk).decided_by_id in (a.pk, b.pk)


def test_a_large_run_from_a_page_goes_to_a_background_job(world, monkeypatch):
    from jineng.jobs.models import Job
    from tests.jobs.worker import run_worker

    monkeypatch.setattr(services, "JOB_MIN_ROWS", 2)  # the threshold, not the behaviour
    s.link(world["imp"], name="张伟", birth=B1, id_given=s.wrong_check(world["p1"].plain_id))
    s.link(world["imp"], name="李明", birth=dt.date(1988, 3, 4))
    started = services.link_run_start(actor=world["staff"])
    assert started.job_id is not None and started.proposed == 0
    assert RecordLink.objects.filter(candidate__isnull=True).count() == 2
    run_worker()
    job = Job.objects.get(pk=started.job_id)
    assert job.status == "succeeded", job.error
    assert RecordLink.objects.filter(status=LinkStatus.LINKED).count() == 2

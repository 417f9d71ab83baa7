"""Finishing a class counts its completed trainees in the plans' progress (docs/plans.md, the
fact contract): person-times trained for the county, its city and province; dropouts and
trainees short of hours do not count; an order class counts once; a replay counts once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jineng.core.errors import DomainError
from jineng.plans import actuals
from jineng.plans import selectors as plan_selectors
from jineng.plans import services as plans
from jineng.plans.models import ActualFact
from jineng.plans.rules import vocabulary as v
from jineng.plans.rules.packs import read_shipped
from jineng.registry.choices import KeyGroup, OrganizationKind
from jineng.registry.models import KeyGroupMembership, Region
from jineng.training import plan_facts, services
from jineng.training.choices import Sector, TrainingType
from tests import factories as f
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def test_every_training_type_maps_to_the_plans_vocabulary():
    assert set(plan_facts.PLANS_TRAINING_TYPE) == set(TrainingType.values)
    for code in TrainingType.values:
        assert plan_facts.plans_training_type(code) in {*v.TRAINING_TYPES, ""}
    assert plan_facts.plans_training_type("employment") == "employment_skills"
    assert plan_facts.plans_training_type("upskilling") == "post_upgrading"
    assert plan_facts.plans_training_type("special_operation") == "safety"
    # the class's sectors and key groups are the plans' own codes
    assert set(Sector.values) <= set(v.SECTORS)
    assert set(KeyGroup.values) <= set(v.KEY_GROUPS)


def _attend(w, cls, enrollment):
    events = [{"idempotency_key": f"{enrollment.pk}-{s.pk}-{kind}", "class_id": cls.pk,
               "kind": kind, "method": "terminal", "enrollment_id": enrollment.pk,
               "occurred_at": h.at(s.date, hour, 50).isoformat()}
              for s in cls.sessions.all() for kind, hour in (("check_in", 8), ("check_out", 16))]
    assert services.attendance_ingest(actor=w.operator, events=events).accepted == len(events)


def _class(w, *, completed: int, absent: int = 0, dropouts: int = 0, key_groups=(),
           **overrides):
    """An open class with `completed` trainees attending every session, `absent` never coming
    and `dropouts` attending every session but withdrawn before the end."""
    cls = h.declare(w, **overrides)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    people = [h.enroll(w, cls, key_groups=key_groups)
              for _ in range(completed + absent + dropouts)]
    services.class_transition(actor=w.operator, training_class=cls, action="open")
    for e in people[:completed] + people[completed + absent:]:
        _attend(w, cls, e)
    for e in people[completed + absent:]:
        services.enrollment_withdraw(actor=w.operator, enrollment=e, reason="外出务工")
    return cls, people


def _employer():
    return f.OrganizationFactory(kind=OrganizationKind.ENTERPRISE, institution_type="")


def _finish(w, cls):
    return services.class_transition(actor=w.operator, training_class=cls, action="finish")


@pytest.fixture
def plan(db):
    return plans.plan_load_pack(actor=f.staff(), text=read_shipped("guizhou-2025-2027"))


def _progress(plan, code: str) -> dict[str, Decimal | None]:
    rows = plan_selectors.progress(actor=f.staff(), plan=plan,
                                   region=Region.objects.get(code=code),
                                   as_of=timezone.localdate())
    return {r.target.key: r.actual.value for r in rows}


def test_finishing_adds_completed_trainees_to_county_city_and_province(plan):
    w = h.world()
    cls, people = _class(w, completed=3, absent=1, dropouts=1)
    before = _progress(plan, f.PROVINCE)
    assert before["total"] == 0
    _finish(w, cls)
    for code in (f.COUNTY, f.CITY, f.PROVINCE):
        progress = _progress(plan, code)
        assert progress["total"] == 3, code
        assert progress["sector.elderly_child_care"] == 3, code
        assert progress["sector.digital_economy"] == 0, code
    # neighbours are untouched
    assert _progress(plan, f.OTHER_CITY)["total"] == 0
    assert _progress(plan, f.OTHER_COUNTY)["total"] == 0
    facts = ActualFact.objects.filter(source="training", metric="person_times_trained")
    assert sorted(facts.values_list("source_ref", flat=True)) == sorted(
        f"training.completion:{e.pk}" for e in people[:3])
    fact = facts.first()
    assert (fact.metric, fact.day, fact.region_code, fact.organization_id, fact.sector,
            fact.training_type, fact.key_group, fact.value) == (
        "person_times_trained", timezone.localdate(), f.COUNTY, w.org.pk,
        "elderly_child_care", "employment_skills", "", 1)
    # the institution's figures
    assert actuals.actual(actuals.ActualQuery(
        metric="person_times_trained", region_code=f.COUNTY, start=dt.date(2025, 1, 1),
        end=timezone.localdate(), organization_id=w.org.pk,
        training_type="employment_skills")).value == 3


@pytest.fixture
def subsidized_plan(db):
    """Lianyungang's city plan (10万 person-times of subsidized training, 一), run by the test
    world's city."""
    return plans.plan_load_pack(actor=f.staff(), text=read_shipped("lianyungang-2025-2027"),
                                key="lianyungang-here", region=Region.objects.get(code=f.CITY))


def _pay_first(w, cls, enrollments, source: str) -> None:
    """The class assessed, its trainees certified, their training subsidies claimed and
    approved, then a payment batch where the bank pays the first claim and fails the second
    (the subsidy app's own steps are tested in tests/subsidy)."""
    from jineng.subsidy import services as subsidy
    from jineng.training.models import TrainingClass
    from tests.subsidy import helpers as sh

    TrainingClass.objects.filter(pk=cls.pk).update(status="assessed")
    cls.refresh_from_db()
    for e in enrollments:
        sh.certificate(e)
    sh.budget(source=source)
    claims = sh.approved(sh.Assessed(world=w, cls=cls, enrollments=enrollments))
    assert len(claims) == len(enrollments)
    city = f.staff("city_staff", f.CITY)
    batch = subsidy.payment_batch_create(actor=city, region_code=f.CITY, fund_source=source)
    subsidy.payment_batch_export(actor=city, batch_id=batch.pk)
    refs = {i.claim.enrollment_id: i.reference for i in batch.items.select_related("claim")}
    lines = "转账参考号,结果,失败原因\n" + "".join(
        f"{refs[e.pk]},{'成功' if i == 0 else '失败'},{'' if i == 0 else '账户已销户'}\n"
        for i, e in enumerate(enrollments))
    subsidy.payment_results_import(actor=city, batch_id=batch.pk, data=lines.encode())


def test_a_subsidized_person_time_counts_when_the_subsidy_is_paid_not_at_finish(
        subsidized_plan, monkeypatch):
    """docs/subsidy.md, "Plans facts": finishing a class paid by public funds counts its
    trainees as trained only; each counts as subsidized when the bank pays its training
    subsidy (under the shared reference `training.subsidized:<enrollment>`), a failed payment
    counts nothing."""
    from tests.subsidy import helpers as sh

    sh.use_params(monkeypatch)
    w = h.world()
    cls, people = _class(w, completed=2, absent=1, funding_source="skills_account")
    _finish(w, cls)
    assert ActualFact.objects.filter(metric="person_times_trained").count() == 2
    assert not ActualFact.objects.filter(metric="person_times_subsidized").exists()
    assert _progress(subsidized_plan, f.CITY)["subsidized_total"] == 0
    _pay_first(w, cls, people[:2], "skills_account")
    subsidized = ActualFact.objects.filter(metric="person_times_subsidized")
    assert list(subsidized.values_list("source_ref", "source", "value")) == [
        (plan_facts.subsidized_ref(people[0].pk), "subsidy", 1)]
    for code in (f.COUNTY, f.CITY):
        assert _progress(subsidized_plan, code)["subsidized_total"] == 1, code
    # a replay of the class's facts adds no subsidized person-time
    plan_facts.record_finished_classes(actor=None)
    assert subsidized.count() == 1


def test_a_class_paid_by_the_enterprise_is_trained_but_not_subsidized(subsidized_plan):
    w = h.world()
    cls, _ = _class(w, completed=2, funding_source="enterprise")
    _finish(w, cls)
    assert ActualFact.objects.filter(metric="person_times_trained").count() == 2
    assert not ActualFact.objects.filter(metric="person_times_subsidized").exists()
    assert _progress(subsidized_plan, f.CITY)["subsidized_total"] == 0


def test_a_class_where_nobody_completed_adds_nothing(plan):
    w = h.world()
    cls, _ = _class(w, completed=0, absent=2, dropouts=1)
    _finish(w, cls)
    assert _progress(plan, f.PROVINCE)["total"] == 0
    assert not ActualFact.objects.exists()


def test_an_order_class_adds_one_order_class_and_its_key_group(plan):
    w = h.world()
    cls, _ = _class(w, completed=2, absent=1, order_form="order", employer=_employer(),
                    target_group=KeyGroup.MIGRANT_WORKER,
                    key_groups=((KeyGroup.MIGRANT_WORKER, h.D(2025, 1, 1)),))
    _finish(w, cls)
    for code in (f.COUNTY, f.CITY, f.PROVINCE):
        progress = _progress(plan, code)
        assert progress["group.migrant_worker.order_classes"] == 1, code
        assert progress["total"] == 2, code
    keyed = ActualFact.objects.filter(metric="person_times_trained")
    assert set(keyed.values_list("key_group", flat=True)) == {"migrant_worker"}
    assert ActualFact.objects.get(metric="order_classes").source_ref == \
        f"training.order_class:{cls.pk}"


def test_an_open_market_class_adds_no_order_class(plan):
    w = h.world()
    cls, _ = _class(w, completed=1)
    _finish(w, cls)
    assert _progress(plan, f.PROVINCE)["group.migrant_worker.order_classes"] == 0
    assert not ActualFact.objects.filter(metric="order_classes").exists()


def test_without_a_target_group_the_trainee_counts_in_one_active_group(plan):
    w = h.world()
    cls, people = _class(w, completed=3)
    youth, unemployed_and_veteran, _none = (e.person for e in people)
    for person, group, start, end in (
            (youth, KeyGroup.GRADUATE, h.D(2025, 7, 1), None),
            (unemployed_and_veteran, KeyGroup.VETERAN, h.D(2024, 1, 1), None),
            (unemployed_and_veteran, KeyGroup.UNEMPLOYED, h.D(2025, 1, 1), None),
            (_none, KeyGroup.MIGRANT_WORKER, h.D(2024, 1, 1), h.D(2025, 12, 31))):  # ended
        KeyGroupMembership.objects.create(person=person, group=group, start_date=start,
                                          end_date=end)
    _finish(w, cls)
    by_person = dict(ActualFact.objects.filter(metric="person_times_trained").values_list(
        "source_ref", "key_group"))
    assert by_person == {f"training.completion:{people[0].pk}": "graduate",
                         f"training.completion:{people[1].pk}": "unemployed",
                         f"training.completion:{people[2].pk}": ""}


def test_finishing_twice_or_replaying_counts_once(plan):
    w = h.world()
    cls, _ = _class(w, completed=2, order_form="named", employer=_employer())
    _finish(w, cls)
    with pytest.raises(DomainError):
        _finish(w, cls)  # the state machine refuses a second finish
    cls.refresh_from_db()
    assert plan_facts.record_finished_class(cls) == 0  # a replay adds nothing
    progress = _progress(plan, f.PROVINCE)
    assert progress["total"] == 2
    assert progress["group.migrant_worker.order_classes"] == 0  # no target group: not 农民工
    assert ActualFact.objects.filter(metric="order_classes").count() == 1
    assert ActualFact.objects.count() == 3  # 2 trained, 1 order class (subsidized: at payment)


def test_a_class_at_a_region_above_a_county_is_finished_but_not_counted():
    w = h.world()
    cls, _ = _class(w, completed=1)
    cls.region = Region.objects.get(code=f.CITY)
    assert plan_facts.record_finished_class(cls) == 0
    assert not ActualFact.objects.exists()


FACT_FIELDS = ("metric", "day", "region_code", "organization_id", "sector", "key_group",
               "training_type", "value", "source_ref")


def test_many_classes_at_once_write_exactly_what_finishing_each_writes(plan):
    """The bulk path (a backfill, the demo) and the transition give the same facts, and
    neither counts twice."""
    w = h.world()

    def term(n: int) -> dict:  # one class after another, so the teacher is free
        return {"name": f"养老护理员（初级）就业技能培训第{n}期",
                "sessions": h.sessions(h.START + dt.timedelta(weeks=2 * n))}

    ordered, _ = _class(w, completed=2, absent=1, order_form="order", employer=_employer(),
                        target_group=KeyGroup.MIGRANT_WORKER,
                        key_groups=((KeyGroup.MIGRANT_WORKER, h.D(2025, 1, 1)),), **term(1))
    mixed, people = _class(w, completed=2, dropouts=1, funding_source="enterprise", **term(2))
    KeyGroupMembership.objects.create(person=people[0].person, group=KeyGroup.GRADUATE,
                                      start_date=h.D(2025, 1, 1))
    nobody, _ = _class(w, completed=0, absent=1, order_form="named", employer=_employer(),
                       **term(3))
    still_open, _ = _class(w, completed=1, **term(4))
    for cls in (ordered, mixed, nobody):
        _finish(w, cls)
    live = set(ActualFact.objects.values_list(*FACT_FIELDS))
    assert len(live) == 2 + 1 + 2 + 1  # trained, order class; trained; order class
    assert plan_facts.record_finished_classes(actor=None) == 0  # all recorded already
    assert set(ActualFact.objects.values_list(*FACT_FIELDS)) == live
    ActualFact.objects.all().delete()
    plans.rollup_rebuild(start=dt.date(2025, 1, 1), end=timezone.localdate())
    assert _progress(plan, f.PROVINCE)["total"] == 0
    assert plan_facts.record_finished_classes(actor=None, source="backfill") == len(live)
    assert set(ActualFact.objects.values_list(*FACT_FIELDS)) == live
    assert set(ActualFact.objects.values_list("source", flat=True)) == {"backfill"}
    progress = _progress(plan, f.PROVINCE)
    assert progress["total"] == 4 and progress["group.migrant_worker.order_classes"] == 1
    assert not ActualFact.objects.filter(source_ref__endswith=f":{still_open.pk}",
                                         metric="order_classes").exists()

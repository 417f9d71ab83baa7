"""Wish matches follow the classes and the wishes (services.matching_refresh): a class
approved is matched to the wishes waiting for it, one cancelled or suspended is taken back
(and the worker told), a class moved out of reach loses its matches, a repeated wish is matched
again — through training's class_changed hook and the background task, on the real worker."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django_tasks_db.models import DBTaskResult

from jineng.core.models import AuditEvent
from jineng.demand import services
from jineng.demand.choices import WishStatus
from jineng.demand.models import TrainingWish, WishMatch
from jineng.demand.services import matching_refresh as refresh
from jineng.registry.models import TrainingSite
from jineng.training import services as training_services
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.demand import factories as df
from tests.demand import matching_support as ms
from tests.jobs.worker import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = ms.world()
    DBTaskResult.objects.all().delete()  # the world's own approval: not what these test
    return world


@pytest.fixture
def sms_log(settings, caplog):
    settings.DEBUG = True
    settings.JINENG_SMS_BACKEND = ""
    caplog.set_level(logging.WARNING, logger="jineng.sms")
    return caplog


def sms_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "jineng.sms"]


def queued(task: str) -> list[dict]:
    return [r.args_kwargs["kwargs"] for r in DBTaskResult.objects.filter(
        task_path=f"jineng.demand.services.matching_jobs.{task}", status="READY")]


def matched(wish) -> set[int]:
    return set(WishMatch.objects.filter(wish=wish).values_list("training_class_id", flat=True))


def status(wish) -> str:
    return TrainingWish.objects.get(pk=wish.pk).status


def test_an_approved_class_is_matched_to_the_waiting_wishes_and_they_are_told(
        w, sms_log, django_capture_on_commit_callbacks):
    services.wish_match(actor=w.county_staff, wish=w.wish)
    assert matched(w.wish) == {w.upcoming.pk}
    waiting = ms.wish(preferred_time="any")  # not matched yet: open
    far = ms.wish(latitude=Decimal("27.700000"), longitude=Decimal("106.900000"))
    electrician = ms.wish(occupations=[df.occupation("电工")])
    cls = ms.upcoming_class(w.training, days=15, name="养老护理员第2期")  # approve → queued
    assert queued("refresh_class_matches") == [{"class_id": cls.pk}]
    with django_capture_on_commit_callbacks(execute=True):  # the messages go after commit
        run_worker()
    assert not queued("refresh_class_matches")
    assert matched(w.wish) == {w.upcoming.pk, cls.pk}
    assert matched(waiting) == {cls.pk} and status(waiting) == WishStatus.MATCHED
    assert not matched(far) and not matched(electrician)
    reasons = WishMatch.objects.get(wish=waiting, training_class=cls).reasons
    assert {r["rule"] for r in reasons} >= {"occupation", "dates", "distance", "time"}
    lines = sms_lines(sms_log)
    told = [line for line in lines if cls.name in line]
    assert len(told) == 2 and all(w.upcoming.name not in line for line in told)
    event = AuditEvent.objects.filter(entity_id=f"class-{cls.pk}").get()
    assert event.actor_username == "system" and event.after["added"] == 2
    # Nothing changed: a second refresh adds and tells nothing.
    again = refresh.class_matches_refresh(cls.pk)
    assert (again.added, again.removed, again.told) == (0, 0, 0)


def test_a_cancelled_class_is_taken_back_and_the_worker_told(
        w, sms_log, django_capture_on_commit_callbacks):
    services.wish_match(actor=w.county_staff, wish=w.wish)
    training_services.class_transition(actor=w.county_staff, training_class=w.upcoming,
                                       action="cancel", reason="报名不足")
    assert queued("refresh_class_matches") == [{"class_id": w.upcoming.pk}]
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()
    assert not matched(w.wish) and status(w.wish) == WishStatus.OPEN
    withdrawn = [line for line in sms_lines(sms_log) if "no longer offered" in line
                 or "不再" in line]
    assert len(withdrawn) == 1 and w.upcoming.name in withdrawn[0]


def test_suspended_then_resumed_the_class_goes_and_comes_back(w):
    services.wish_match(actor=w.county_staff, wish=w.wish)
    training_services.class_transition(actor=w.county_staff, training_class=w.upcoming,
                                       action="suspend", reason="场地检查")
    run_worker()
    assert not matched(w.wish)
    training_services.class_transition(actor=w.county_staff,
                                       training_class=TrainingClass.objects.get(
                                           pk=w.upcoming.pk),
                                       action="resume", reason="检查完毕")
    run_worker()
    assert matched(w.wish) == {w.upcoming.pk} and status(w.wish) == WishStatus.MATCHED


def test_a_class_moved_out_of_reach_loses_its_match_one_moved_nearer_is_rescored(w):
    services.wish_match(actor=w.county_staff, wish=w.wish)
    before = WishMatch.objects.get(wish=w.wish)
    # The class's site moves 1.5 km nearer the wish: the match stays, with today's numbers.
    TrainingSite.objects.filter(pk=w.upcoming.site_id).update(
        latitude=ms.SITE_POINT[0] + Decimal("0.006"))
    run = refresh.class_matches_refresh(w.upcoming.pk)
    assert (run.updated, run.removed) == (1, 0)
    after = WishMatch.objects.get(wish=w.wish)
    assert after.distance_km < before.distance_km and after.score > before.score
    # Then 60 km away (beyond the wished 20 km): taken back.
    TrainingSite.objects.filter(pk=w.upcoming.site_id).update(
        latitude=ms.SITE_POINT[0] + Decimal("0.55"))
    run = refresh.class_matches_refresh(w.upcoming.pk)
    assert run.removed == 1 and not matched(w.wish)


def test_a_new_class_does_not_push_in_below_five_better_ones(w):
    services.wish_match(actor=w.county_staff, wish=w.wish)
    held = WishMatch.objects.get(wish=w.wish)
    # Four more (fake) matches above any real score: five held, all better.
    others = [ms.upcoming_class(w.training, days=20 + i, name=f"养老护理员第{i + 3}期",
                                planned_size=5)
              for i in range(4)]
    WishMatch.objects.bulk_create([WishMatch(wish=w.wish, training_class=c, score=99,
                                             reasons=[]) for c in others])
    WishMatch.objects.filter(pk=held.pk).update(score=99)
    late = ms.upcoming_class(w.training, days=40, name="养老护理员第9期", planned_size=5)
    run = refresh.class_matches_refresh(late.pk)
    assert run.added == 0 and late.pk not in matched(w.wish)
    # One of them cancelled (four left): the new class now gets in.
    WishMatch.objects.filter(training_class=others[0]).delete()
    assert refresh.class_matches_refresh(late.pk).added == 1


def test_a_repeated_wish_is_matched_again_in_the_background(w, sms_log):
    poster = df.PosterFactory()
    occ, other = df.occupation(), df.occupation("电工")
    data = services.WishInput(
        poster_token=str(poster.token), name="王五", id_number=f.id_number_for(n=771),
        phone="13700000001", occupation_ids=[occ.pk], consent=True,
        latitude=str(ms.SITE_POINT[0] + Decimal("0.02")), longitude=str(ms.SITE_POINT[1]),
        preferred_time="any", max_distance_km=20)
    first = services.wish_submit(actor=AnonymousUser(), data=data, client_address="10.9.0.1")
    assert not queued("refresh_wish_matches")  # a new wish waits for staff's matching
    wish = TrainingWish.objects.get(pk=first.wish_id)
    services.wish_match(actor=w.county_staff, wish=wish)
    assert matched(wish) == {w.upcoming.pk}
    # The worker now wants 电工 only: the 养老护理员 class no longer fits.
    DBTaskResult.objects.all().delete()
    data.occupation_ids, data.phone = [other.pk], "13700000002"  # (no challenge)
    services.wish_submit(actor=AnonymousUser(), data=data, client_address="10.9.0.1")
    assert queued("refresh_wish_matches") == [{"wish_id": wish.pk}]
    run_worker()
    assert not matched(wish) and status(wish) == WishStatus.OPEN
    # Back to 养老护理员 with a second class on offer: matched again (by staff, as a wish
    # without matches waits for them), then moved out of reach: none left.
    data.occupation_ids, data.phone = [occ.pk], "13700000003"
    services.wish_submit(actor=AnonymousUser(), data=data, client_address="10.9.0.1")
    assert not queued("refresh_wish_matches")
    services.wish_match(actor=w.county_staff, wish=wish)
    assert matched(wish) == {w.upcoming.pk}
    data.latitude, data.phone = "27.900000", "13700000004"
    services.wish_submit(actor=AnonymousUser(), data=data, client_address="10.9.0.1")
    run_worker()
    assert not matched(wish) and status(wish) == WishStatus.OPEN


def test_nothing_is_queued_for_a_class_that_never_had_or_gets_matches(w):
    cls = ms.th.declare(w.training, name="养老护理员第7期", sessions=ms.th.sessions(
        start=ms.weekday_on_or_after(ms.today() + ms.dt.timedelta(days=30))), teachers=())
    training_services.class_transition(actor=w.county_staff, training_class=cls,
                                       action="reject", reason="材料不全")
    assert not queued("refresh_class_matches")

"""The demo on the day it is built: classes running, waiting for review, returned, finishing
and finished; every class consistent with the catalogs in force; every demo role with work.

The province is built once for the module (tier XS, today) inside a transaction that is
rolled back at the end, so the other tests never see it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from jineng.catalog import selectors as catalog
from jineng.training import selectors as training
from jineng.training.models import ClassStatusChange, TrainingClass


@pytest.fixture(scope="module")
def province(demo_province):  # the shared build (tests/demo_fixture.py)
    return demo_province


def user(name: str):
    return get_user_model().objects.select_related("region", "organization").get(username=name)


def test_every_class_is_one_its_institution_is_listed_for_with_a_standard(province, db):
    classes = list(TrainingClass.objects.select_related(
        "institution", "site__region", "occupation", "level"))
    assert len(classes) > 10
    for c in classes:
        for day in (c.start_date, c.end_date):
            listing = catalog.institution_listed_as_of(c.institution, c.occupation, c.level,
                                                       c.site, day)
            assert listing, (c.name, c.institution.name, day, listing.reason)
        standard = catalog.subsidy_standard_as_of(c.occupation, c.level, c.site.region,
                                                  c.training_type, c.start_date)
        assert standard is not None, c.name
        # the class carries the standard it was declared under, as class_declare stores it
        assert c.standard_entry_id == standard.entry.pk
        assert c.standard_version_id == standard.version_id
        assert c.required_hours == standard.entry.required_hours
        assert c.min_attendance_share == standard.entry.min_attendance_share
        assert c.scheduled_hours >= c.required_hours * (1 - c.online_share)


def test_the_demo_date_has_classes_in_every_stage(province, db):
    today = timezone.localdate()
    week_end = today + dt.timedelta(days=max(0, 4 - today.weekday()))
    classes = TrainingClass.objects.all()
    running = classes.filter(status="open", sessions__date=today).distinct()
    assert running.exists()
    assert classes.filter(status="open", end_date__gte=today, end_date__lte=week_end).exists()
    assert classes.filter(status="declared", start_date__gt=today).exists()
    assert classes.filter(status="returned").exists()
    resubmitted = ClassStatusChange.objects.filter(action="resubmit").values("training_class")
    assert classes.filter(status="declared", pk__in=resubmitted).exists()
    assert classes.filter(status__in=["finished", "assessed", "settled"],
                          end_date__lt=today).exists()
    # a returned class's history says why
    returned = classes.filter(status="returned").first()
    step = returned.status_history.get(to_status="returned")
    assert step.action == "return" and step.reason


def test_each_demo_role_has_something_to_do(province, db):
    trainer = user("trainer")
    assert training.today_board(actor=trainer)
    assert training.class_list(actor=trainer, status="declared").exists()
    assert training.class_list(actor=trainer, status="returned").exists()
    assert training.trainees_short_of_hours(actor=trainer)
    for name in ("county", "city", "province"):
        assert training.classes_waiting_review(actor=user(name)).exists(), name
    industry = user("industry")
    assert training.class_list(actor=industry).exists()
    assert set(training.class_list(actor=industry).values_list("sector", flat=True)) == {
        industry.sector}
    enterprise = user("enterprise")
    orders = training.class_list(actor=enterprise)
    assert orders.filter(employer=enterprise.organization, status="open").exists()
    assert orders.filter(employer=enterprise.organization, start_date__gt=timezone.localdate()
                         ).exists()
    assert training.class_list(actor=user("inspector")).exists()

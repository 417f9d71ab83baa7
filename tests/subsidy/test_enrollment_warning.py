"""The training app's enrollment warning shows the person's subsidy limits (issue 12): the
subsidies used this year (n of the limit) and the same occupation and level subsidized before,
counted from the imported history as well as jineng's claims."""

from __future__ import annotations

import io

import pytest

from jineng.subsidy.services import history
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.subsidy import helpers as sh
from tests.training import helpers as h

pytestmark = pytest.mark.django_db


def _import(number: str, occupation: str, level: str, days: list[str]) -> None:
    head = "claim_number,id_number,name,kind,region,claim_date,amount,level,occupation_code," \
           "paid_on\n"
    rows = [f"W-{i},{number},赵六,training,{f.COUNTY},{d},800,{level},{occupation},{d}"
            for i, d in enumerate(days)]
    data = io.BytesIO((head + "\n".join(rows) + "\n").encode())
    data.name = "old.csv"
    assert history.subsidy_history_import(actor=f.staff(), file=data).ok


def _enroll(w, cls: TrainingClass, number: str):
    return OpenApiClient().login(w.operator).call(
        "training_enrollment_create", path={"class_id": cls.pk},
        json_body={"id_number": number, "name": "赵六", "late_reason": "补录"})


def _warnings(answer) -> list[str]:
    return [c["text"] for c in answer.body["eligibility"] if c["code"] == "subsidy_frequency"]


def test_the_warning_shows_the_limits(monkeypatch):
    sh.use_params(monkeypatch)
    w = h.world()
    cls = h.declare(w)
    number = f.id_number_for(n=321)
    _import(number, cls.occupation.code or "", cls.level.code, ["2026-01-10", "2026-02-10"])
    answer = _enroll(w, cls, number)
    assert answer.status == 201, answer.body
    texts = _warnings(answer)
    assert any("2 of 3" in t for t in texts), texts
    assert any("same occupation and level" in t for t in texts), texts
    # Warnings only: the person is enrolled.
    assert answer.body["status"] == "enrolled"


def test_no_history_no_warning(monkeypatch):
    sh.use_params(monkeypatch)
    w = h.world()
    cls = h.declare(w)
    answer = _enroll(w, cls, f.id_number_for(n=322))
    assert answer.status == 201 and _warnings(answer) == []


def test_the_limit_reached_is_said(monkeypatch):
    sh.use_params(monkeypatch)
    w = h.world()
    cls = h.declare(w)
    number = f.id_number_for(n=323)
    _import(number, "", "", ["2026-01-10", "2026-01-11", "2026-01-12"])
    texts = _warnings(_enroll(w, cls, number))
    assert any("3 of 3" in t and "limit is reached" in t for t in texts), texts

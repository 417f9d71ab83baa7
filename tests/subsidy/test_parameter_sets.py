"""Parameter sets in the database: uploaded YAML checked with line numbers, published,
overlapping periods refused, and claims computed with the published chain (city → province →
national) whose version they record."""

from __future__ import annotations

import datetime as dt

import pytest

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden
from jineng.subsidy import evaluation, services
from jineng.subsidy.choices import ParameterStatus
from jineng.subsidy.models import ParameterSet
from jineng.subsidy.rules import parameters as loader
from tests import factories as f
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db


def _text(name: str) -> str:
    return (loader.PARAMETERS_DIR / f"{name}.yaml").read_text(encoding="utf-8")


def _admin():
    return f.UserFactory(role=Role.SYSTEM_ADMIN)


def publish(name: str, actor=None) -> ParameterSet:
    actor = actor or _admin()
    row = services.parameter_set_upload(actor=actor, yaml_text=_text(name))
    return services.parameter_set_publish(actor=actor, parameter_set_id=row.pk)


def test_province_staff_upload_and_publish_their_set():
    staff = f.staff()
    row = services.parameter_set_upload(actor=staff, yaml_text=_text("guizhou"))
    assert row.status == ParameterStatus.DRAFT and row.version == "guizhou-2025"
    assert row.region.code == "520000" and row.parsed["version"] == "guizhou-2025"
    row = services.parameter_set_publish(actor=staff, parameter_set_id=row.pk)
    assert row.status == ParameterStatus.PUBLISHED and row.published_by == staff


def test_errors_name_their_lines():
    text = _text("guizhou").replace("  claim_window_months: 12", "  claim_window_months: x12")
    with pytest.raises(DomainError) as refused:
        services.parameter_set_upload(actor=f.staff(), yaml_text=text)
    line = text.splitlines().index("  claim_window_months: x12") + 1
    assert f"Line {line}" in refused.value.message
    assert ParameterSet.objects.count() == 0


def test_who_sets_which_region():
    with pytest.raises(Forbidden):
        services.parameter_set_upload(actor=f.staff(Role.CITY_STAFF, f.CITY),
                                      yaml_text=_text("guizhou"))
    with pytest.raises(Forbidden):
        services.parameter_set_upload(actor=f.staff(), yaml_text=_text("national"))
    with pytest.raises(Forbidden):
        services.parameter_set_upload(actor=f.staff(), yaml_text=_text("lianyungang"))


def test_overlapping_published_periods_are_refused():
    publish("guizhou", f.staff())
    later = _text("guizhou").replace("version: guizhou-2025", "version: guizhou-2026") \
        .replace("valid_from: 2025-09-30", "valid_from: 2026-07-01")
    row = services.parameter_set_upload(actor=f.staff(), yaml_text=later)
    with pytest.raises(Conflict) as refused:
        services.parameter_set_publish(actor=f.staff(), parameter_set_id=row.pk)
    assert refused.value.code == "overlap"
    row.refresh_from_db()
    assert row.status == ParameterStatus.DRAFT
    with pytest.raises(Conflict):  # the same version twice
        services.parameter_set_upload(actor=f.staff(), yaml_text=_text("guizhou"))


def test_claims_use_the_published_chain_and_record_its_version():
    publish("national")
    publish("guizhou", f.staff())
    params = evaluation.parameters_for(f.region(f.COUNTY), dt.date(2026, 6, 1))
    assert params.version == "guizhou-2025 < national-2024"
    a = sh.assessed_class(1)
    claim = sh.drafts(a).created[0]
    assert claim.parameter_version == "guizhou-2025 < national-2024"
    assert evaluation.parameters_for(f.region(f.COUNTY), dt.date(2023, 6, 1)) is None


def test_a_published_set_is_closed_so_that_a_new_version_takes_over():
    staff = f.staff()
    old = publish("guizhou", staff)
    day = dt.date(2026, 6, 1)
    with pytest.raises(DomainError):  # not into the past
        services.parameter_set_close(actor=staff, parameter_set_id=old.pk,
                                     last_day=dt.date(2026, 5, 31), today=day)
    services.parameter_set_close(actor=staff, parameter_set_id=old.pk,
                                 last_day=dt.date(2026, 6, 30), today=day)
    old.refresh_from_db()
    assert old.status == ParameterStatus.SUPERSEDED and old.valid_to == dt.date(2026, 6, 30)
    new = _text("guizhou").replace("version: guizhou-2025", "version: guizhou-2026h2") \
        .replace("valid_from: 2025-09-30", "valid_from: 2026-07-01")
    row = services.parameter_set_upload(actor=staff, yaml_text=new)
    services.parameter_set_publish(actor=staff, parameter_set_id=row.pk)
    region = f.region(f.COUNTY)
    assert evaluation.parameters_for(region, dt.date(2026, 6, 30)).version == "guizhou-2025"
    assert evaluation.parameters_for(region, dt.date(2026, 7, 1)).version == "guizhou-2026h2"
    overlapping = _text("guizhou").replace("version: guizhou-2025", "version: guizhou-x") \
        .replace("valid_from: 2025-09-30", "valid_from: 2026-06-15")
    row = services.parameter_set_upload(actor=staff, yaml_text=overlapping)
    with pytest.raises(Conflict):  # overlaps the closed set's remaining days
        services.parameter_set_publish(actor=staff, parameter_set_id=row.pk)

"""Concurrent forecast writes on PostgreSQL: two builds of the same region and quarter make one
forecast (the partial unique constraint decides; the loser answers a conflict and writes
nothing), and two staff publishing the same approved forecast at once take one step (the row is
locked; one catalog version)."""

from __future__ import annotations

import pytest
from django.db import connection

from jineng.catalog.models import CatalogVersion
from jineng.core.errors import DomainError
from jineng.demand.models import DemandForecast, ForecastStatusChange
from jineng.demand.services import forecasts as fs
from tests import factories as f
from tests.concurrency import in_threads
from tests.demand import forecast_support as fx

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrent transactions need PostgreSQL; SQLite serializes "
                              "every write"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]



@pytest.fixture
def slow_forecast_inserts():
    table = DemandForecast._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE OR REPLACE FUNCTION jineng_test_slow_fc() RETURNS trigger AS "
                       "$$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END $$ LANGUAGE plpgsql")
        cursor.execute(f"CREATE TRIGGER jineng_test_slow_fc BEFORE INSERT ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION jineng_test_slow_fc()")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER jineng_test_slow_fc ON {table}")
        cursor.execute("DROP FUNCTION jineng_test_slow_fc()")


def test_two_concurrent_builds_make_one_forecast(slow_forecast_inserts):
    w = fx.world()
    province = f.region(f.PROVINCE)

    def build():
        return fs.forecast_build(actor=w.province_staff, region=province, year=fx.YEAR,
                                 quarter=fx.QUARTER)

    results = in_threads(build, build)
    made = [r for r in results if isinstance(r, DemandForecast)]
    refused = [r for r in results if isinstance(r, DomainError)]
    # Either both ran one after the other (the second rebuilt the draft in place) or one lost
    # the race to the constraint; never two forecasts.
    assert len(made) + len(refused) == 2 and made
    assert DemandForecast.objects.filter(region=province, year=fx.YEAR,
                                         quarter=fx.QUARTER).count() == 1
    assert all(r.code == "forecast_exists" for r in refused)


def test_two_concurrent_publications_take_one_step():
    w = fx.world()
    forecast = fx.approved(w)

    def publish():
        return fs.forecast_transition(actor=w.province_staff, forecast=forecast,
                                      action="publish")

    results = in_threads(publish, publish)
    assert sum(isinstance(r, DemandForecast) for r in results) == 1
    assert sum(isinstance(r, DomainError) for r in results) == 1
    assert ForecastStatusChange.objects.filter(forecast=forecast, action="publish").count() == 1
    assert CatalogVersion.objects.filter(catalog__kind="urgent_occupation").count() == 1

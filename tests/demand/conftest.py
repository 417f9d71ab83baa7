"""Fixtures of the demand tests. Shared by the demand helpers: add to it, keep what is there."""

from __future__ import annotations

import pytest

from jineng.accounts.models import Role
from tests import factories as f
from tests.demand import factories as df

# --- training wishes -------------------------------------------------------------------------

@pytest.fixture
def poster(db):
    """A poster in a community of 南明区 (the home county)."""
    return df.PosterFactory()


@pytest.fixture
def other_city_poster(db):
    """A poster in 红花岗区 (遵义市), out of the home county's and city's scope."""
    return df.PosterFactory(region=f.region(f.OTHER_CITY_COUNTY))


@pytest.fixture
def city_staff(db):
    return f.staff(Role.CITY_STAFF, f.CITY)


@pytest.fixture
def industry_staff(db):
    return f.staff(Role.INDUSTRY_STAFF, f.PROVINCE, sector="manufacturing")

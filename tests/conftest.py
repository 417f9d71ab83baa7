import pytest

from tests import factories as f


@pytest.fixture
def province_staff(db):
    return f.staff()


@pytest.fixture
def county_staff(db):
    return f.staff("county_staff", f.COUNTY)


@pytest.fixture
def training_org(db):
    return f.OrganizationFactory()

import pytest
from django.utils import translation

from tests import factories as f

pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def english_messages(settings):
    """Tests read messages and pages in English, whatever the default language (zh-hans).
    tests/test_i18n.py checks the Chinese default by asking for it explicitly."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def province_staff(db):
    return f.staff()


@pytest.fixture
def county_staff(db):
    return f.staff("county_staff", f.COUNTY)


@pytest.fixture
def training_org(db):
    return f.OrganizationFactory()

import uuid

import pytest
from django.utils import translation
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests import factories as f
from tests import fast_rollback

fast_rollback.install()

# CI runs on two shared cores: Hypothesis's timing health checks measure the machine, not the
# properties (a generated example is slow when another worker is busy). Examples keep their
# count; only the time-based checks and deadlines are off.
hypothesis_settings.register_profile("shared-cores", deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("shared-cores")

pytest_plugins = ["tests.browser"]


@pytest.fixture(autouse=True)
def english_messages(settings):
    """Tests read messages and pages in English, whatever the default language (zh-hans).
    tests/test_i18n.py checks the Chinese default by asking for it explicitly."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def training_history_window(settings):
    """Training tests date their classes on fixed days of 2026 (tests/training/helpers.py), so
    they declare them after the fact (with a late reason): widen the late-declaration window.
    The tests of that rule set it back to the default."""
    settings.TRAINING_LATE_DECLARATION_MAX_DAYS = 100_000


@pytest.fixture(autouse=True)
def uploaded_files_in_a_temporary_folder(settings, tmp_path_factory):
    """Uploads (certificate photos) written by tests go to a temporary folder, not var/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def risk_cache_of_the_test(settings, tmp_path_factory):
    """The full scan's event cache (a DuckDB file per database name, kept between scans) lives
    in a folder of the test's own, made only if a scan uses it, not in var/ where every test of
    a worker (and every earlier run) shared it: a scan must not depend on what an earlier test
    left. Tests of the cache set their own."""
    settings.RISK_CACHE_ROOT = tmp_path_factory.getbasetemp() / "risk-cache" / uuid.uuid4().hex


@pytest.fixture
def province_staff(db):
    return f.staff()


@pytest.fixture
def county_staff(db):
    return f.staff("county_staff", f.COUNTY)


@pytest.fixture
def training_org(db):
    return f.OrganizationFactory()

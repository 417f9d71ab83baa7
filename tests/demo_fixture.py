"""One tiny demo province (tier XS, seed 1) per test module, shared by its tests.

Building it takes seconds, so a module's tests share one build: it is made inside a transaction
rolled back at the end of the module, and each test runs in a savepoint rolled back after it
(pytest-django's `db`), so a test still sees the province as built. Tests that need committed
data (a live server, `transactional_db`) cannot run inside that transaction: they build their
own (tests/portal/test_overview_browser.py). Nor can a test that builds a province itself:
tests/demo/conftest.py runs those before the module's readers of the shared build.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from jineng.demo.generator import generate


@pytest.fixture(scope="module")
def demo_province(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield generate("XS", seed=1, progress=False)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_province, db):
    """A tiny demo province with its demo users (tier XS): the module's shared build."""
    return demo_province

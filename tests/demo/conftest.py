import pytest

from jineng.demo.generator import generate


@pytest.fixture
def demo(db):
    """A tiny demo province (tier XS: 30 organizations, 300 persons)."""
    return generate("XS", seed=1, progress=False)

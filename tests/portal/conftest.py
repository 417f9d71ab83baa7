import pytest

from jineng.demo.generator import generate


@pytest.fixture
def demo(db):
    """A tiny demo province with its demo users (tier XS)."""
    return generate("XS", seed=1, progress=False)

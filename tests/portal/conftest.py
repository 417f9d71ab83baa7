# Every test of a module here that uses the demo reads it (or changes it in its own savepoint),
# so the module's tests share one build (tests/demo_fixture.py).
from tests.demo_fixture import demo, demo_province  # noqa: F401

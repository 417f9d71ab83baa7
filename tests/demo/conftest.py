from pathlib import Path

from tests.demo_fixture import demo, demo_province  # noqa: F401

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Within each module here, the tests that build a province of their own run first and the
    tests that read the module's shared `demo` build run after them: the shared build stays
    open (in a transaction) from its first reader to the end of the module, and a build made
    inside it would find a demo province already there. Stable otherwise; the same order on
    every xdist worker."""
    by_module: dict[Path, list[int]] = {}
    for index, item in enumerate(items):
        if Path(item.path).parent == HERE:
            by_module.setdefault(Path(item.path), []).append(index)
    for positions in by_module.values():
        module_items = [items[i] for i in positions]
        module_items.sort(key=lambda item: "demo" in item.fixturenames)
        for position, item in zip(positions, module_items, strict=True):
            items[position] = item

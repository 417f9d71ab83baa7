"""The import contracts of pyproject.toml (run by `python3 dev.py test` through lint-imports)
hold on the code and break on the violations they exist for: a lower app importing a higher
one, and another app reaching past an app's public modules."""

from __future__ import annotations

import copy as copy_module
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.contracts.layers import LayersContract
from scripts.import_contracts import PublicSurfaceContract

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _options(type_name: str) -> dict:
    found = [c for c in CONTRACTS["contracts"] if c["type"] == type_name]
    assert len(found) == 1
    return {k: v for k, v in found[0].items() if k not in ("name", "type")}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("jineng", include_external_packages=False)


def _layers(graph) -> bool:
    contract = LayersContract("layers", {"root_packages": ["jineng"]}, _options("layers"))
    return contract.check(graph, verbose=False).kept


def _surface(graph):
    contract = PublicSurfaceContract("surface", {"root_packages": ["jineng"]},
                                     _options("public_surface"))
    return contract.check(graph, verbose=False)


def test_the_code_keeps_both_contracts(graph):
    assert _layers(graph)
    check = _surface(graph)
    assert check.kept, check.metadata


@pytest.mark.parametrize(("importer", "imported"), [
    ("jineng.registry.models", "jineng.training.models"),   # the get_model that was
    ("jineng.training.selectors", "jineng.plans.services"),  # fine (plans is lower) …
    ("jineng.registry.api", "jineng.accounts.api_auth"),     # the accounts ↔ registry cycle
    ("jineng.plans.services", "jineng.demo.generator"),      # the plans ↔ demo cycle
    ("jineng.core.audit", "jineng.registry.models"),
])
def test_a_lower_app_importing_a_higher_one_breaks_the_layers(graph, importer, imported):
    copy = copy_module.deepcopy(graph)
    copy.add_import(importer=importer, imported=imported)
    lower_imports_higher = importer != "jineng.training.selectors"
    assert _layers(copy) is not lower_imports_higher


@pytest.mark.parametrize(("importer", "imported", "kept"), [
    # training querying the registry's internals, not its selectors
    ("jineng.training.services.enrollment", "jineng.registry.importers", False),
    ("jineng.training.views", "jineng.registry.forms", False),
    ("jineng.plans.selectors", "jineng.catalog.kinds", False),
    ("jineng.training.services.classes", "jineng.registry.selectors", True),
    ("jineng.training.services.classes", "jineng.registry.hooks", True),
    ("jineng.training.plan_facts", "jineng.plans.choices", True),
    # an app's own modules are free; the wiring in config may import anything
    ("jineng.training.api", "jineng.training.services.attendance_store", True),
    ("jineng.config.urls", "jineng.training.views", True),
])
def test_reaching_past_an_apps_public_modules_breaks_the_surface(graph, importer, imported,
                                                                  kept):
    copy = copy_module.deepcopy(graph)
    copy.add_import(importer=importer, imported=imported)
    check = _surface(copy)
    assert check.kept is kept
    if not kept:
        assert [(i, m) for i, m, _lines in check.metadata["violations"]] == [(importer,
                                                                               imported)]

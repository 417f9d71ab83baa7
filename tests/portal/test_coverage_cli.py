"""`jineng coverage`: import, run (with its figures), place with export; refusals name the
row or field and exit non-zero."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from jineng.portal.models import CoverageRun, PlacementProposal
from tests import factories as f
from tests.portal import coverage_support as cs

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = io.StringIO()
    call_command("coverage", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_cli_import_run_place(tmp_path):
    w = cs.world(population=False)
    user = w.city_staff.username
    good = tmp_path / "pop.csv"
    good.write_bytes(cs.population_csv())
    assert "created 4" in _call("import-population", str(good), "--as", user)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(cs.population_csv(extra="520102009,坏镇,,,106.7,26.5,hill,,2025,x,synthetic,s,"))
    with pytest.raises(CommandError):
        _call("import-population", str(bad), "--as", user)
    out = _call("run", "--region", f.CITY, "--as", user)
    run = CoverageRun.objects.get()
    assert f"run {run.pk}" in out and "20000/28000" in out and "synthetic" in out
    with pytest.raises(CommandError, match="threshold_minutes"):
        _call("run", "--region", f.CITY, "--as", user, "--threshold", "1")
    cands = tmp_path / "c.csv"
    cands.write_text("乙,106.88,26.52\n520102002\n", encoding="utf-8")
    xlsx = tmp_path / "p.xlsx"
    out = _call("place", "--run", str(run.pk), "--k", "1", "--as", user, "--candidates",
                str(cands), "--output", str(xlsx))
    assert "+5000" in out and PlacementProposal.objects.count() == 1
    assert cs.xlsx_rows(xlsx.read_bytes())[1][1] == "乙"

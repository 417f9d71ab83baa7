"""Registry migration 0005 (status history in core's shape) keeps existing rows and fills the
new columns: run forward and back on a database of its own (migration_0005_check.py; on
PostgreSQL run the script by hand with DATABASE_URL pointing at a scratch database)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("migration_0005_check.py")
SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.slow  # migrates the whole schema back and forth: slow tier (`dev.py test --all`)
def test_status_history_migration_keeps_rows_forward_and_back(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'm0005.db'}",
           "PYTHONPATH": str(SRC), "DJANGO_DEBUG": "1"}
    env.pop("PYTEST_VERSION", None)
    done = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("OK 5 rows sqlite")

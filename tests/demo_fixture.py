"""One tiny demo province (tier XS, seed 1) per test module, shared by its tests.

Building it takes seconds, so a module's tests share one build: it is made inside a transaction
rolled back at the end of the module, and each test runs in a savepoint rolled back after it
(pytest-django's `db`), so a test still sees the province as built. Tests that need committed
data (a live server, `transactional_db`) cannot run inside that transaction: they build their
own (tests/portal/test_overview_browser.py). Nor can a test that builds a province itself:
tests/demo/conftest.py runs those before the module's readers of the shared build.

A worker builds it for real once (about 12 s). `shared_build` then keeps the rows that build
wrote, table by table, and the next module gets the same rows written back in about 0.6 s
(eleven modules share it; the tests of the generator itself still build their own).
The copy is taken only when it is exact: every table read whole before and after the build,
the build only adding rows. If the build ever changes or deletes a row that was there before,
or the database refuses the copy's prerequisites, every module builds for real again (slower,
never wrong).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from jineng.demo.generator import generate


@dataclass
class _Copy:
    """The rows one demo build added, per table, in the database's own transfer format
    (PostgreSQL: COPY text lines; SQLite: row tuples)."""

    counts: dict
    rows: dict[str, list] = field(default_factory=dict)


_COPIES: dict[str, _Copy | None] = {}  # per test database of this worker; None: do not copy


def _tables() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _read(table: str) -> list:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY {qn(table)} TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            return buffer.getvalue().splitlines(keepends=True)
        cursor.execute(f"SELECT * FROM {qn(table)}")
        return cursor.fetchall()


def _copyable() -> bool:
    if connection.vendor == "postgresql":  # triggers are set aside by a replication role
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser') = 'on'")
            return cursor.fetchone()[0]
    return connection.vendor == "sqlite"


def _write(rows: dict[str, list]) -> None:
    """Write the rows back as they were, with the tables' own triggers (published catalogs are
    immutable, audit events append-only) set aside meanwhile: they guard changes, and these
    rows are a change already made and checked once."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, lines in rows.items():
                with cursor.cursor.copy(f"COPY {qn(table)} FROM STDIN") as copy:
                    copy.write(b"".join(lines))
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            models = apps.get_models(include_auto_created=True)
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            return
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {qn(name)}")
        for table, values in rows.items():
            marks = ", ".join(["%s"] * len(values[0]))
            cursor.executemany(f"INSERT INTO {qn(table)} VALUES ({marks})", values)
        for _name, sql in triggers:
            cursor.execute(sql)


def shared_build() -> dict:
    """`generate("XS", seed=1)` inside the caller's transaction; its counts. The first call of a
    worker builds; later ones write the same rows back (see the module's docstring)."""
    key = connection.settings_dict["NAME"]
    if _COPIES.get(key) is not None:
        copy = _COPIES[key]
        _write(copy.rows)
        return dict(copy.counts)
    copyable = key not in _COPIES and _copyable()
    before = {table: _read(table) for table in _tables()} if copyable else {}
    counts = generate("XS", seed=1, progress=False)
    if not copyable:
        _COPIES[key] = None
        return counts
    copy = _Copy(counts=dict(counts))
    for table in _tables():
        old = before.get(table, [])
        new = _read(table)
        seen = set(old)
        if not seen <= set(new):  # the build changed or deleted a row it found
            _COPIES[key] = None
            return counts
        added = [row for row in new if row not in seen]
        if added:
            copy.rows[table] = added
    _COPIES[key] = copy
    return counts


@pytest.fixture(scope="module")
def demo_province(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield shared_build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(demo_province, db):
    """A tiny demo province with its demo users (tier XS): the module's shared build."""
    return demo_province

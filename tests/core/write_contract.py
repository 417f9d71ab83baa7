"""The write contract's machinery: find every write service, and the table of cases.

A write service is a public function of `jineng.<app>.services` (a module, or a package whose
submodules are walked) with a keyword-only `actor` parameter. Each one needs a case in a
`tests/core/write_contract_<app>.py` module:

    @case("registry.site_create", audit=[(AuditAction.CREATE, "registry.trainingsite")])
    def _site_create() -> Attempts:
        org = f.OrganizationFactory()
        ...   # build the world with tests/factories.py and the apps' own services
        return Attempts(
            ok={"actor": ..., "data": ...},                 # a call that succeeds
            refused=[Refused({"actor": stranger, ...}, Forbidden, "another institution")],
        )

A case function may name pytest fixtures as parameters (`settings`, `tmp_path`, …).
`audit` lists the (action, entity_type) events the successful call writes, one per event.
Every refusal must raise its error, change no row of any table and write no audit event
(unless it lists the events a refusal writes on purpose in `audit`). tests/core/
test_write_contract.py runs every case; a service without a case fails there.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connection, models, transaction

from jineng.core.errors import DomainError
from jineng.core.models import AuditEvent

Event = tuple[str, str]  # (action, entity_type)


@dataclass
class Refused:
    """A call that must be refused with `error` (a DomainError subclass)."""

    kwargs: dict[str, Any]
    error: type[DomainError]
    why: str  # wrong actor / out of scope / invalid …, shown when the check fails
    audit: list[Event] = field(default_factory=list)  # events written on purpose when refused


@dataclass
class Attempts:
    ok: dict[str, Any]
    refused: list[Refused] = field(default_factory=list)
    # A service that nobody can be refused (e.g. recording an export the caller already
    # allowed) says why here instead of listing refusals.
    no_refusal: str = ""
    # Tables a call may change even when it fails, with the reason (e.g. the throttling state
    # a wrong one-time code leaves on the device, kept on purpose): {"app.Model": "why"}.
    side_effects: dict[str, str] = field(default_factory=dict)
    # The events of the successful call when their number depends on the world built (one per
    # target split, …); otherwise the case's `audit` holds.
    audit: list[Event] | None = None


@dataclass
class Case:
    service: str  # "<app label>.<function name>"
    build: Callable[[], Attempts]
    audit: list[Event]


CASES: dict[str, Case] = {}


def case(service: str, *, audit: Iterable[Event]) -> Callable:
    def register(build: Callable[[], Attempts]) -> Callable[[], Attempts]:
        if service in CASES:
            raise ValueError(f"Two write-contract cases for {service}.")
        CASES[service] = Case(service=service, build=build, audit=list(audit))
        return build
    return register


def load_cases() -> dict[str, Case]:
    """Import every tests/core/write_contract_<app>.py module (each registers its cases)."""
    import tests.core as here

    for info in pkgutil.iter_modules(here.__path__):
        if info.name.startswith("write_contract_"):
            importlib.import_module(f"{here.__name__}.{info.name}")
    return CASES


# --- finding the services --------------------------------------------------------------------

def _modules(package_name: str) -> list:
    try:
        root = importlib.import_module(package_name)
    except ModuleNotFoundError as exc:
        if exc.name == package_name:
            return []
        raise
    found = [root]
    if hasattr(root, "__path__"):  # a package: its submodules too
        for info in pkgutil.walk_packages(root.__path__, root.__name__ + "."):
            found.append(importlib.import_module(info.name))
    return found


def _takes_actor(fn: Callable) -> bool:
    param = inspect.signature(fn).parameters.get("actor")
    return param is not None and param.kind is inspect.Parameter.KEYWORD_ONLY


def discover() -> dict[str, Callable]:
    """"<app label>.<name>" → the function, for every write service of every jineng app."""
    services: dict[str, Callable] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("jineng."):
            continue
        prefix = f"{config.name}.services"
        for module in _modules(prefix):
            for name, fn in vars(module).items():
                if name.startswith("_") or not inspect.isfunction(fn):
                    continue
                if not fn.__module__.startswith(prefix) or not _takes_actor(fn):
                    continue
                services.setdefault(f"{config.label}.{name}", fn)
    return services


# --- watching the database -------------------------------------------------------------------

def _tables() -> list[tuple[str, str, str]]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if model is AuditEvent or meta.proxy or not meta.managed:
            continue
        found.append((meta.label, meta.db_table, meta.pk.column))
    return found


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (but the audit trail, which is checked by itself); raw SQL,
    as this runs several times per case."""
    data = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for label, table, pk in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")
            data[label] = cursor.fetchall()
    return data


def differences(before: dict[str, list[tuple]], after: dict[str, list[tuple]],
                tolerated: Iterable[str] = ()) -> list[str]:
    out = []
    for label, rows in after.items():
        if label in tolerated:
            continue
        old = before.get(label, [])
        if rows != old:
            new_rows, old_rows = Counter(map(repr, rows)), Counter(map(repr, old))
            added = sum((new_rows - old_rows).values())
            gone = sum((old_rows - new_rows).values())
            out.append(f"{label}: {added} row(s) new or changed, {gone} row(s) gone or changed")
    return out


def last_audit_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def events_after(pk: int) -> Counter:
    return Counter(AuditEvent.objects.filter(pk__gt=pk).values_list("action", "entity_type"))


def refresh(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Reload the records passed to a service, so that one call's changes to the instances in
    memory (a status set before a failed save) do not leak into the next call."""
    for value in kwargs.values():
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, models.Model) and item.pk is not None:
                item.refresh_from_db()
    return kwargs


# --- an audit trail that refuses every insert ------------------------------------------------
# Used to prove that a service writes its audit event in the same transaction as its change:
# when the audit insert fails, the change must be gone too.

class AuditRefused(DatabaseError):
    pass


def _refuse_audit_insert(execute, sql, params, many, context):
    if sql.lstrip().upper().startswith("INSERT") and "core_auditevent" in sql:
        raise AuditRefused("audit trail unavailable (write contract)")
    return execute(sql, params, many, context)


def change_survives_failed_audit(fn: Callable, kwargs: dict[str, Any],
                                 tolerated: Iterable[str] = (),
                                 before: dict[str, list[tuple]] | None = None) -> str:
    """Call `fn` while every audit insert fails; "" if the call failed and left every table as
    it was (`before`, taken now if not given), else what went wrong. The database is restored
    either way."""
    before = snapshot() if before is None else before
    mark = transaction.savepoint()
    problem = ""
    try:
        with connection.execute_wrapper(_refuse_audit_insert):
            try:
                fn(**refresh(kwargs))
            except Exception:  # whatever the service turned the failure into
                pass
            else:
                problem = ("it succeeded although the audit trail refused every insert: it "
                           "writes no audit event")
        if not problem and connection.needs_rollback:
            problem = ("the failed audit insert broke the caller's transaction: the service "
                       "does not wrap its change and its audit event in its own "
                       "transaction.atomic()")
            transaction.set_rollback(False)  # what an inner atomic block would have done
        if not problem:
            changed = differences(before, snapshot(), tolerated)
            if changed:
                problem = ("its change outlived the failed audit insert (not one "
                           "transaction): " + "; ".join(changed))
    finally:
        transaction.set_rollback(False)
        transaction.savepoint_rollback(mark)
    return problem

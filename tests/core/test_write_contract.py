"""The write contract, for every write service of every app (found, not listed by hand):

- a successful call writes exactly the audit events its case names, in the same transaction
  as its change (when the audit insert fails, the change is gone too);
- a refused call (wrong actor, out of scope, invalid input) raises its domain error, changes no
  row of any table and writes no audit event.

The cases live in tests/core/write_contract_<app>.py (see tests/core/write_contract.py)."""

from __future__ import annotations

import inspect
from collections import Counter

import pytest

from tests.core.write_contract import (
    change_survives_failed_audit,
    differences,
    discover,
    events_after,
    last_audit_id,
    load_cases,
    refresh,
    snapshot,
)

# Services that legitimately write no audit event. Keep this short; say why.
EXEMPT = {
    # Creates the user's own unconfirmed TOTP device so the set-up page can show its QR code;
    # it has no effect on login until otp_confirm, which is audited.
    "accounts.otp_device_pending",
}

SERVICES = discover()
CASES = load_cases()
HOW_TO_ADD = (
    "Add a case for it in tests/core/write_contract_<app>.py: "
    '@case("{name}", audit=[(AuditAction.…, "<app>.<model>")]) on a function that builds the '
    "world with tests/factories.py and returns Attempts(ok={{…kwargs of a call that "
    "succeeds}}, refused=[Refused({{…kwargs}}, Forbidden, 'wrong actor'), …]). "
    "See tests/core/write_contract.py."
)


def test_services_are_found_in_every_app_with_services():
    apps_found = {name.split(".")[0] for name in SERVICES}
    assert {"accounts", "registry", "catalog", "training", "plans"} <= apps_found
    assert "registry.person_register" in SERVICES
    assert "training.class_transition" in SERVICES  # inside a services package


def test_every_case_names_a_service_that_exists():
    stale = sorted(set(CASES) - set(SERVICES))
    assert not stale, f"Write-contract cases for services that no longer exist: {stale}"
    assert not EXEMPT & set(CASES), "A service is both exempt and has a case."


@pytest.mark.parametrize("name", sorted(set(SERVICES) - EXEMPT))
def test_write_contract(name, db, request):
    if name not in CASES:
        pytest.fail(f"{name} takes a keyword `actor` but has no write-contract case. "
                    + HOW_TO_ADD.format(name=name))
    fn, spec = SERVICES[name], CASES[name]
    # A case may ask for pytest fixtures by naming them as parameters (settings, tmp_path, …).
    fixtures = {p: request.getfixturevalue(p) for p in inspect.signature(spec.build).parameters}
    attempts = spec.build(**fixtures)
    assert attempts.refused or attempts.no_refusal, (
        f"{name}: give at least one refused call (wrong actor, out of scope, invalid), or say "
        "in no_refusal why none exists.")

    world = snapshot()  # every refusal must leave it exactly so
    for refusal in attempts.refused:
        mark = last_audit_id()
        with pytest.raises(refusal.error) as refused:
            fn(**refresh(refusal.kwargs))
        # The same answer too: a Forbidden (403) is not an acceptable "invalid" (400).
        assert refused.value.status == refusal.error.status, (
            f"{name} refused ({refusal.why}) with {type(refused.value).__name__} "
            f"({refused.value.status}), expected {refusal.error.__name__}")
        changed = differences(world, snapshot(), attempts.side_effects)
        assert not changed, f"{name} refused ({refusal.why}) but changed: {changed}"
        written = events_after(mark)
        assert written == Counter(refusal.audit), (
            f"{name} refused ({refusal.why}) but wrote audit events {dict(written)}")

    problem = change_survives_failed_audit(fn, attempts.ok, attempts.side_effects,
                                           before=None if attempts.side_effects else world)
    assert not problem, f"{name}: {problem}"

    mark = last_audit_id()
    fn(**refresh(attempts.ok))
    written, expected = events_after(mark), Counter(
        spec.audit if attempts.audit is None else attempts.audit)
    assert expected, f"{name}: its case expects no audit event (exempt it instead)"
    assert written == expected, (
        f"{name} wrote audit events {dict(written)}; its case expects {dict(expected)}")

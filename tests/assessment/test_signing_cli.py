"""`jineng certificate-verify` and `jineng certificate-keys`: offline checks with exported
keys and status list."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jineng.accounts.models import Role
from jineng.assessment import selectors, services
from jineng.assessment.rules import documents
from tests import factories as f
from tests.assessment.signing_support import issued_certificate

pytestmark = pytest.mark.django_db


def _run(*args) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as done:
        return int(done.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_offline_verify_with_exported_keys_and_status_list(tmp_path):
    old = issued_certificate()
    services.signing_key_rotate(actor=f.staff(Role.SYSTEM_ADMIN))
    new = issued_certificate()
    revoked = issued_certificate()
    services.certificate_revoke(actor=f.staff(), certificate=revoked, reason="fraud",
                                note="冒名")
    keys = tmp_path / "keys.json"
    code, out = _run("certificate-keys", "export", "--output", str(keys))
    assert code == 0 and len(json.loads(keys.read_text())["keys"]) == 2
    status = tmp_path / "status.json"
    status.write_text(json.dumps(selectors.status_list_document()))
    folder = tmp_path / "certificates"
    folder.mkdir()
    files = {}
    for name, certificate in (("old", old), ("new", new), ("revoked", revoked)):
        files[name] = folder / f"{name}.json"
        files[name].write_bytes(documents.document_bytes(
            selectors.certificate_document(certificate)))
    document = json.loads(files["new"].read_bytes())
    document["payload"]["holder"]["name"] = "冒名者"
    files["tampered"] = folder / "tampered.json"
    files["tampered"].write_text(json.dumps(document, ensure_ascii=False))
    files["garbage"] = folder / "garbage.json"
    files["garbage"].write_bytes(b"\x00\x01 not json")

    with CaptureQueriesContext(connection) as queries:
        code, out = _run("certificate-verify", str(files["old"]), str(files["new"]),
                         "--keys", str(keys), "--status-list", str(status))
        assert code == 0, out
        assert out.count(": valid") == 2
        code, out = _run("certificate-verify", str(folder), "--keys", str(keys),
                         "--status-list", str(status), "--json")
    assert len(queries) == 0  # offline: nothing from the database
    assert code == 1
    rows = {json.loads(line)["file"].rsplit("/", 1)[-1]: json.loads(line)["result"]
            for line in out.splitlines() if line.startswith("{")}
    assert rows == {"old.json": "valid", "new.json": "valid", "revoked.json": "revoked",
                    "tampered.json": "tampered", "garbage.json": "tampered"}
    # Keys of another installation: unknown key.
    other = tmp_path / "other-keys.json"
    other.write_text(json.dumps({"keys": []}))
    code, out = _run("certificate-verify", str(files["new"]), "--keys", str(other))
    assert code == 1 and "unknown_key" in out
    # Without a status list the revoked file's signature is still good.
    code, out = _run("certificate-verify", str(files["revoked"]), "--keys", str(keys))
    assert code == 0


def test_verify_with_database_keys_and_bad_inputs(tmp_path):
    certificate = issued_certificate()
    path = tmp_path / "c.json"
    path.write_bytes(documents.document_bytes(selectors.certificate_document(certificate)))
    code, out = _run("certificate-verify", str(path))
    assert code == 0 and "valid" in out
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        _run("certificate-verify", str(path), "--keys", str(bad))
    with pytest.raises(CommandError):
        _run("certificate-verify", str(path), "--keys", str(tmp_path / "missing.json"))
    with pytest.raises(CommandError):
        _run("certificate-verify", str(path), "--status-list", str(bad))
    code, out = _run("certificate-verify", str(tmp_path / "nope.json"))
    assert code == 1 and "tampered" in out


def test_rotate_from_the_command_line():
    issued_certificate()
    admin = f.staff(Role.SYSTEM_ADMIN)
    code, out = _run("certificate-keys", "rotate", "--user", admin.username)
    assert code == 0 and "new signing key" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        _run("certificate-keys", "rotate", "--user", f.staff(Role.CITY_STAFF, f.CITY).username)

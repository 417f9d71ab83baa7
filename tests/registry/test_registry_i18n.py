"""The registry writes some texts into the audit trail in Chinese whatever the request's
language (services.persons._in_chinese); their Chinese lives in i18n/registry.po."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import i18n  # noqa: E402  (scripts/i18n.py: the fragments' reader)

STORED_IN_CHINESE = [
    "Refused: no permission to see whole ID numbers.",
    "Search by whole ID number",
]


def test_texts_stored_in_the_audit_trail_have_chinese_in_the_registry_fragment():
    entries = {e.msgid: e for e in i18n.load_po(ROOT / "i18n" / "registry.po")}
    for msgid in STORED_IN_CHINESE:
        assert msgid in entries, msgid
        assert re.search(r"[\u4e00-\u9fff]", entries[msgid].msgstr[0]), msgid


def test_every_audit_text_the_services_store_is_listed_here():
    source = "\n".join(path.read_text() for path in sorted(
        (ROOT / "src" / "jineng" / "registry" / "services").glob("*.py")))
    used = re.findall(r'_in_chinese\(gettext_lazy\(\s*"([^"]+)"(?:\s*"([^"]+)")?', source)
    assert {a + b for a, b in used} == set(STORED_IN_CHINESE)

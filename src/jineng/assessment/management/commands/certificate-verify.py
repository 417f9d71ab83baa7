"""`jineng certificate-verify FILE… [--keys keys.json] [--status-list FILE] [--json]
[--jobs N]`: check certificate files — valid, revoked, tampered or unknown_key.

Offline: with `--keys` (the answer of GET /api/assessment/keys, saved) nothing is read from
the database or the network; add `--status-list` (the answer of GET
/api/assessment/status-list, or its `encoded_list` text alone) to see revocations as of that
list. Without `--keys`, the keys are read from this installation's database. A directory
argument checks every `*.json` file in it.

Exit status: 0 when every file is valid; 1 when any is revoked, tampered or signed by an
unknown key; 2 when the keys or the status list cannot be read.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jineng.assessment.rules import documents, status_list


def read_keys(path: Path) -> dict:
    """A keys.json file: {"keys": [{"key_id", "public_key" (base64), "valid_from",
    "valid_until"}]} (or the list alone)."""
    try:
        data = json.loads(path.read_bytes())
        items = data["keys"] if isinstance(data, dict) else data
        return {item["key_id"]: (documents.b64_std_decode(item["public_key"]),
                                 documents.parse_time(item.get("valid_from")),
                                 documents.parse_time(item.get("valid_until")))
                for item in items}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CommandError(f"{path}: not a keys file ({error})", returncode=2) from error


def read_status_list(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        text = raw.decode("ascii").strip()
        if text.startswith("{"):
            data = json.loads(text)
            text = data.get("encoded_list") or data.get("encodedList") or ""
        return status_list.decode(text)
    except (OSError, ValueError, UnicodeDecodeError, AttributeError,
            status_list.StatusListError) as error:
        raise CommandError(f"{path}: not a status list ({error})", returncode=2) from error


def expand(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(path.glob("*.json")))
        else:
            found.append(path)
    return found


_KEYS: dict = {}
_BITS: bytes | None = None


def _init(keys: dict, bits: bytes | None) -> None:
    global _KEYS, _BITS
    _KEYS, _BITS = keys, bits


def check_files(paths: list[str]) -> list[tuple[str, str, str, str]]:
    """(path, result, reason, number) of each file, with the worker's keys and list."""
    results = []
    for name in paths:
        try:
            with open(name, "rb", buffering=0) as handle:
                data = handle.read(documents.MAX_DOCUMENT_BYTES + 1)
        except OSError as error:
            results.append((name, documents.TAMPERED, f"unreadable: {error.strerror}", ""))
            continue
        outcome = documents.verify_document(data, _KEYS, _BITS)
        results.append((name, outcome.result, outcome.reason, outcome.number))
    return results


def verify_paths(paths: list[Path], keys: dict, bits: bytes | None, *, jobs: int = 1
                 ) -> list[tuple[str, str, str, str]]:
    names = [str(p) for p in paths]
    if jobs <= 1 or len(names) < 2000:
        _init(keys, bits)
        return check_files(names)
    size = -(-len(names) // (jobs * 4))
    chunks = [names[i:i + size] for i in range(0, len(names), size)]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init,
                             initargs=(keys, bits)) as pool:
        return [row for part in pool.map(check_files, chunks) for row in part]


class Command(BaseCommand):
    help = "Check certificate files offline: valid, revoked, tampered or unknown_key."

    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="certificate files or directories")
        parser.add_argument("--keys", help="keys.json (GET /api/assessment/keys); without it "
                                           "the keys come from the database")
        parser.add_argument("--status-list", dest="status_list",
                            help="status list (GET /api/assessment/status-list)")
        parser.add_argument("--json", action="store_true", help="one JSON line per file")
        parser.add_argument("--jobs", type=int, default=1,
                            help="worker processes for many files (default 1; 0: one per CPU)")
        parser.add_argument("--summary", action="store_true",
                            help="print only the counts by result")

    def handle(self, *args, **options):
        if options["keys"]:
            keys = read_keys(Path(options["keys"]))
        else:
            from jineng.assessment.selectors import key_table

            keys = key_table()
        bits = read_status_list(Path(options["status_list"])) if options["status_list"] \
            else None
        paths = expand(options["files"])
        jobs = options["jobs"] or (os.cpu_count() or 1)
        rows = verify_paths(paths, keys, bits, jobs=jobs)
        counts = Counter(result for _path, result, _reason, _number in rows)
        if not options["summary"]:
            for path, result, reason, number in rows:
                if options["json"]:
                    self.stdout.write(json.dumps({"file": path, "result": result,
                                                  "reason": reason, "number": number},
                                                 ensure_ascii=False))
                else:
                    detail = f" ({reason})" if reason and result != documents.VALID else ""
                    self.stdout.write(f"{path}: {result}{detail} {number}".rstrip())
        if options["summary"] or len(rows) > 1:
            self.stdout.write(" ".join(f"{name}={counts[name]}" for name in (
                documents.VALID, documents.REVOKED, documents.TAMPERED, documents.UNKNOWN_KEY)))
        if any(result != documents.VALID for _p, result, _r, _n in rows):
            sys.exit(1)

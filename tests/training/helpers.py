"""Helpers for training tests: published catalogs through the catalog app's real services, an
institution with a site, an operator and teachers, and classes declared through the service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from jineng.catalog import services as catalog_services
from jineng.catalog.choices import CatalogKind
from jineng.registry.models import Occupation, Organization, SkillLevel, TrainingSite
from jineng.training import services
from jineng.training.models import Teacher, TrainingClass
from tests import factories as f

D = dt.date
TZ = ZoneInfo("Asia/Shanghai")
CATALOG_START = D(2025, 1, 1)
START = D(2026, 3, 2)  # a Monday
OCCUPATION = "养老护理员"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def occupation(name: str = OCCUPATION) -> Occupation:
    return Occupation.objects.filter(name=name).order_by("pk").first()


def level(code: str = "grade5") -> SkillLevel:
    return SkillLevel.objects.get(code=code)


def publish_catalogs(institutions: list[Organization], *, occupation_name: str = OCCUPATION,
                     required_hours: int = 30, share: str = "80%",
                     training_types: tuple[str, ...] = ("就业技能培训", "岗位技能提升培训"),
                     start: dt.date = CATALOG_START) -> None:
    """Province-wide subsidy standards and the institution catalog, published."""
    system = catalog_services.SYSTEM
    region = f.region(f.PROVINCE)
    subsidy = catalog_services.catalog_create(actor=system, kind=CatalogKind.SUBSIDY_STANDARD,
                                              region=region)
    version = catalog_services.version_create_draft(actor=system, catalog=subsidy,
                                                    effective_from=start)
    for t in training_types:
        for skill_level in ("初级工", "技师"):  # the institutions are listed up to 高级工
            catalog_services.entry_add(actor=system, version=version, values={
                "occupation": occupation_name, "skill_level": skill_level, "training_type": t,
                "amount": "1500", "required_hours": str(required_hours),
                "min_attendance_share": share})
    catalog_services.version_submit(actor=system, version=version)
    catalog_services.version_publish(actor=system, version=version)
    listed = catalog_services.catalog_create(
        actor=system, kind=CatalogKind.TRAINING_INSTITUTION, region=region)
    version = catalog_services.version_create_draft(actor=system, catalog=listed,
                                                    effective_from=start)
    for org in institutions:
        catalog_services.entry_add(actor=system, version=version, values={
            "credit_code": org.credit_code, "occupation": occupation_name,
            "min_level": "初级工", "max_level": "高级工"})
    catalog_services.version_submit(actor=system, version=version)
    catalog_services.version_publish(actor=system, version=version)


@dataclass
class World:
    org: Organization
    site: TrainingSite
    operator: object
    teacher: Teacher
    other_org: Organization
    other_site: TrainingSite
    other_operator: object
    county_staff: object


def world(**catalog_kw) -> World:
    org = f.OrganizationFactory()
    other = f.OrganizationFactory()
    site = f.SiteFactory(organization=org, capacity=60, latitude=Decimal("26.570000"),
                         longitude=Decimal("106.710000"))
    other_site = f.SiteFactory(organization=other, capacity=60)
    operator = f.operator(org)
    publish_catalogs([org, other], **catalog_kw)
    teacher = services.teacher_create(actor=operator, name="王老师",
                                      id_number=f.id_number_for(birth=D(1980, 1, 1)))
    return World(org=org, site=site, operator=operator, teacher=teacher, other_org=other,
                 other_site=other_site, other_operator=f.operator(other),
                 county_staff=f.staff("county_staff", f.COUNTY))


def sessions(start: dt.date = START, n: int = 5, begin: int = 9, end: int = 16,
             hours: str = "6") -> tuple[services.SessionInput, ...]:
    """n weekday sessions from `start`."""
    out, day = [], start
    while len(out) < n:
        if day.weekday() < 5:
            out.append(services.SessionInput(at(day, begin), at(day, end), Decimal(hours)))
        day += dt.timedelta(days=1)
    return tuple(out)


LATE = "补录：开班后申报（测试）"


def class_input(w: World, **overrides) -> services.ClassInput:
    """A valid declaration; one whose first session is past carries a late reason."""
    values = {
        "name": "养老护理员（初级）就业技能培训第1期", "site": w.site,
        "occupation": occupation(), "level": level(), "training_type": "employment",
        "sector": "elderly_child_care", "planned_size": 30,
        "funding_source": "employment_subsidy", "sessions": sessions(),
        "teachers": (w.teacher,),
    }
    values.update(overrides)
    first = min(s.starts_at for s in values["sessions"]) if values["sessions"] else None
    if "late_reason" not in overrides and first is not None \
            and first.astimezone(TZ).date() < dt.date.today():
        values["late_reason"] = LATE
    return services.ClassInput(**values)


def declare(w: World, **overrides) -> TrainingClass:
    return services.class_declare(actor=w.operator, data=class_input(w, **overrides))


def open_class(w: World, **overrides) -> TrainingClass:
    cls = declare(w, **overrides)
    services.class_transition(actor=w.county_staff, training_class=cls, action="approve")
    return services.class_transition(actor=w.operator, training_class=cls, action="open")


BIRTH = D(1990, 5, 17)


def enroll(w: World, cls: TrainingClass, *, birth: dt.date = BIRTH, n: int | None = None,
           name: str | None = None, **kw):
    id_number = f.id_number_for(birth=birth, n=n)
    return services.enrollment_create(
        actor=w.operator, training_class=cls,
        data=services.EnrollmentInput(id_number=id_number, name=name or f"学员{id_number[-4:]}",
                                      **kw))

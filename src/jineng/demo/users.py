"""Demo logins: one user per role, with one fixed, public password (demo databases only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission

from jineng.accounts.models import Role
from jineng.demo.models import DemoUser

DEMO_PASSWORD = "jineng-demo"
UNMASK_PERMISSION = ("registry", "unmask_id_number")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    region_code: str = ""  # staff roles
    organization: str = ""  # organization roles: which anchor organization (kind)
    sector: str = ""
    unmask: bool = False
    superuser: bool = False


# The region codes are real: 贵州省, 贵阳市, 南明区 (a county of 贵阳).
DEMO_USERS: tuple[DemoLogin, ...] = (
    DemoLogin("province", Role.PROVINCE_STAFF, region_code="520000", unmask=True),
    DemoLogin("city", Role.CITY_STAFF, region_code="520100"),
    DemoLogin("county", Role.COUNTY_STAFF, region_code="520102"),
    # The sector is a training.Sector code, so the industry user sees its sector's classes.
    DemoLogin("industry", Role.INDUSTRY_STAFF, region_code="520000", sector="digital_economy"),
    DemoLogin("trainer", Role.TRAINING_OPERATOR, organization="training"),
    DemoLogin("assessor", Role.EVALUATION_OPERATOR, organization="evaluation"),
    DemoLogin("enterprise", Role.ENTERPRISE, organization="enterprise"),
    DemoLogin("inspector", Role.INSPECTOR, region_code="520000"),
    DemoLogin("admin", Role.SYSTEM_ADMIN, superuser=True),
)
DEMO_USERNAMES = tuple(u.username for u in DEMO_USERS)


class DemoUserConflict(Exception):
    """A user with a demo user name exists and was not made by the demo."""


def ensure_demo_users(*, regions: dict[str, int], anchors: dict[str, int]) -> list[int]:
    """Create or update the demo users; returns their ids. `regions` maps code → Region pk,
    `anchors` kind → Organization pk. Passwords are set directly (`make_password`), so the
    password validators that guard real accounts do not apply to this public demo password."""
    User = get_user_model()
    existing = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    known_demo_ids = set(DemoUser.objects.values_list("user_id", flat=True))
    strangers = sorted(name for name, u in existing.items() if u.pk not in known_demo_ids)
    if strangers:
        raise DemoUserConflict(", ".join(strangers))
    permission = Permission.objects.get(content_type__app_label=UNMASK_PERMISSION[0],
                                        codename=UNMASK_PERMISSION[1])
    hashed = make_password(DEMO_PASSWORD)  # one slow hash for all: the password is public
    ids = []
    for spec in DEMO_USERS:
        user = existing.get(spec.username) or User(username=spec.username)
        user.role = spec.role
        user.region_id = regions[spec.region_code] if spec.region_code else None
        user.organization_id = anchors[spec.organization] if spec.organization else None
        user.sector = spec.sector
        user.is_superuser = user.is_staff = spec.superuser
        user.is_active = True
        user.password = hashed
        user.save()
        if spec.unmask:
            user.user_permissions.add(permission)
        if user.pk not in known_demo_ids:
            DemoUser.objects.create(user=user)
        ids.append(user.pk)
    return ids


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    role: str
    where: str
    exists: bool


def demo_logins() -> list[Login]:
    """The demo logins as a table: user name, password, role, region or organization."""
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)
             .select_related("region", "organization")}
    rows = []
    for spec in DEMO_USERS:
        user = users.get(spec.username)
        role = str(Role(spec.role).label)
        if user is None:
            rows.append(Login(spec.username, DEMO_PASSWORD, role, "", False))
            continue
        where = (user.organization.name if user.organization_id
                 else f"{user.region.name}（{user.region.code}）" if user.region_id else "—")
        rows.append(Login(spec.username, DEMO_PASSWORD, role, where, True))
    return rows

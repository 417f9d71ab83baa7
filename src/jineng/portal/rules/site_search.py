"""Pure rules of the public training map and class search: great-circle distance, the box that
holds a circle (a cheap first filter before the exact distance), the limits of a search, and
which funding makes a class subsidized. No Django.

Citations: Zhejiang 技能促富 action plan 2025–2027 (draft), 二(二): "合理布局建设'30分钟职业
技能培训圈' … 设置培训专栏,公开培训信息导航图,为劳动者检索培训信息和自主选择培训提供便捷
服务"; Hunan 终身职业技能培训制度 实施意见 (十一) "完善职业技能培训公共服务体系"; the funding
channels are Guizhou 黔就劳发〔2025〕3号 (二十)'s, as training.choices.FundingSource lists them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

# A search radius is at least 1 km and at most MAX_RADIUS_KM: past that a "nearby" search is
# the whole province (Zhejiang's circle is 30 minutes; 500 km covers any one province's
# sites from its centre but not the country).
MIN_RADIUS_KM = 1
MAX_RADIUS_KM = 500
DEFAULT_RADIUS_KM = 30

# How far from today a date filter may reach: classes are declared at most a few months ahead
# and the public sees only open or upcoming ones.
MAX_DAYS_BACK = 366
MAX_DAYS_AHEAD = 3 * 366

# Funding channels paid from public money (the worker pays nothing or part of the standard):
# every FundingSource except the enterprise's own staff education fund.
PUBLIC_FUNDS = frozenset({"employment_subsidy", "skills_account", "east_west",
                          "rural_revitalization", "industry"})
OWN_FUNDS = frozenset({"enterprise"})


def is_subsidized(funding_source: str) -> bool:
    """A class is subsidized when public money pays for it (PUBLIC_FUNDS)."""
    return funding_source in PUBLIC_FUNDS


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Box:
    south: float
    north: float
    west: float
    east: float


def bounding_box(lat: float, lon: float, radius_km: float) -> Box:
    """A latitude/longitude box holding every point within `radius_km` of (lat, lon): a
    superset, so an exact distance check after it loses nothing (China never crosses ±180°)."""
    angle = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    ratio = math.sin(angle) / max(math.cos(math.radians(lat)), 1e-9)
    # The widest longitude a circle reaches (Matuschek, "Finding points within a distance of a
    # latitude/longitude using bounding coordinates"), with a hair of margin for rounding.
    dlon = 180.0 if ratio >= 1 else math.degrees(math.asin(ratio)) * 1.0001
    return Box(lat - dlat * 1.0001, lat + dlat * 1.0001, lon - dlon, lon + dlon)


def radius_problem(radius_km: float) -> str | None:
    """None when a search radius is acceptable, else a stable code: too_small / too_large."""
    if not math.isfinite(radius_km) or radius_km < MIN_RADIUS_KM:
        return "too_small"
    if radius_km > MAX_RADIUS_KM:
        return "too_large"
    return None


def in_china(lat: float, lon: float) -> bool:
    """Within the box the registry accepts for sites (latitude 3–54, longitude 73–136)."""
    return 3 <= lat <= 54 and 73 <= lon <= 136


# A phone number the public site shows for an institution: a fixed line with its area code
# (0851-12345678, 0851 1234 5678, (0851)12345678) or a 400/800 service number. A mobile number
# (11 digits starting with 1) is personal information (个人信息保护法 第四条) — often the
# legal representative's own — and is never shown publicly (docs/adr/0005-public-data.md).
_SEPARATORS = str.maketrans("", "", " -—()（）")


def is_public_phone(phone: str) -> bool:
    digits = (phone or "").strip().translate(_SEPARATORS)
    if not digits.isdigit():
        return False
    if len(digits) == 11 and digits.startswith("1"):
        return False  # a mobile number
    if digits.startswith(("400", "800")) and len(digits) == 10:
        return True
    return digits.startswith("0") and 10 <= len(digits) <= 12

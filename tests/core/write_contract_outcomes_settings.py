"""Write-contract cases of the outcomes app's indicator settings (see tests/core/
write_contract.py): province HRSS staff recording the dated parameters of the quality
indicators and the linker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jineng.accounts.models import Role
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from jineng.outcomes.models import IndicatorSettings
from tests import factories as f
from tests.core.write_contract import Attempts, Refused, case


@case("outcomes.indicator_settings_set", audit=[(A.CREATE, "outcomes.indicatorsettings")])
def _indicator_settings_set() -> Attempts:
    today = timezone.localdate()
    taken = today + dt.timedelta(days=30)
    IndicatorSettings.objects.create(region=f.region(f.PROVINCE), valid_from=taken,
                                     reason="recorded before")
    ok = {"actor": f.staff(), "valid_from": today + dt.timedelta(days=1),
          "weight_demand_match": Decimal("0.1"), "weight_pass_rate": Decimal("0.2"),
          "weight_level_up": Decimal("0.1"), "weight_employment": Decimal("0.4"),
          "weight_wage_growth": Decimal("0.2"), "min_cell": 15,
          "link_auto_probability": 0.98, "link_review_probability": 0.6,
          "reason": "省厅质量评价办法"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": f.staff(Role.CITY_STAFF, f.CITY)}, Forbidden,
                "a city sets no province parameters"),
        Refused({**ok, "actor": f.operator(f.OrganizationFactory())}, Forbidden,
                "an institution"),
        Refused({**ok, "region_code": "410000"}, NotFound, "another province named"),
        Refused({**ok, "valid_from": today - dt.timedelta(days=1)}, DomainError,
                "a day in the past"),
        Refused({**ok, "valid_from": taken}, Conflict, "a day already recorded"),
        Refused({**ok, "weight_employment": Decimal("0.402")}, DomainError,
                "weights sum to 1.002"),
        Refused({**ok, "weight_employment": Decimal("1.2"), "weight_wage_growth":
                 Decimal("-0.6")}, DomainError, "a weight outside [0, 1]"),
        Refused({**ok, "weight_employment": "abc"}, DomainError, "not a number"),
        Refused({**ok, "min_cell": 0}, DomainError, "no smallest cell"),
        Refused({**ok, "min_cell": 1001}, DomainError, "smallest cell too large"),
        Refused({**ok, "link_auto_probability": 0.4}, DomainError, "auto link below 0.5"),
        Refused({**ok, "link_review_probability": 0.99}, DomainError,
                "review above automatic"),
        Refused({**ok, "reason": "  "}, DomainError, "no reason"),
    ])

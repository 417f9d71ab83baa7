"""Every write of the subsidy app, one module per sub-domain; callers write
`services.claim_submit(...)`."""
from __future__ import annotations

from jineng.subsidy.services.bulk import *  # noqa: F403
from jineng.subsidy.services.claims import *  # noqa: F403
from jineng.subsidy.services.funds import *  # noqa: F403
from jineng.subsidy.services.parameters import *  # noqa: F403
from jineng.subsidy.services.payments import *  # noqa: F403
from jineng.subsidy.services.reevaluation import *  # noqa: F403

"""The demand app's data, one module per sub-domain. Other apps import from here."""

from jineng.demand.models.demand_lists import (  # noqa: F401
    DemandLine,
    DemandList,
    DemandListStatusChange,
)
from jineng.demand.models.forecasts import (  # noqa: F401
    DemandForecast,
    ForecastLine,
    ForecastLineReview,
    ForecastStatusChange,
)
from jineng.demand.models.matching import (  # noqa: F401
    OrderClassProposal,
    Referral,
    ReferralStatusChange,
    WishMatch,
)
from jineng.demand.models.wages import WageGuidance  # noqa: F401
from jineng.demand.models.wishes import TrainingWish, WishChallenge, WishPoster  # noqa: F401

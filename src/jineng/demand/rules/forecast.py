"""The quarterly demand forecast (需求预测目录 / 急需紧缺职业) as pure rules: the forecast of one
occupation's demand, its error on past quarters (backtest), and whether the occupation is
urgently needed. No Django here.

Policy: Guizhou (十三) "各行业主管部门……定期发布需求预测目录，指导建立就业培训联盟并每季度报送
'企业需求清单'"; Zhejiang 二(一) "加强技能类岗位需求预测分析" and 二(五) "各地根据当地产业发展和
就业需求，及时发布职业技能培训需求指导目录……并动态调整".

Observed demand of a quarter (`observed_demand`): the larger of the headcount enterprises filed
on their demand lists for that quarter and the hires recorded in it (outcomes' insurance
records, when that app is present; 0 until then). Both are lower bounds of the quarter's real
demand (not every employer files a list; not every need is filled), so the larger one is kept
rather than their sum, which would count a filled list line twice.

Method (`forecast_next`): seasonal naive with a year-over-year drift, one quarter ahead —
Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed., 2021), §5.2 "Some
simple forecasting methods" (seasonal naïve method; drift method), with a seasonal period of
m = 4 quarters:

    8 or more past quarters:  F = y[T-4] + (mean(y[T-4..T-1]) - mean(y[T-8..T-5]))
    4 to 7 past quarters:     F = y[T-4]                       (seasonal naive)
    1 to 3 past quarters:     F = mean of what there is        (average method)
    none:                     F = 0
    and never below 0.

The same quarter last year carries the season; the difference of the last two years' quarterly
means is the trend over one year. Values are rounded to one decimal place (half up).

Error on past quarters (`backtest`): rolling origin, one step ahead (FPP3 §5.10 "time series
cross-validation"): each past quarter t with at least 4 quarters before it is forecast from
y[..t-1] alone and compared with y[t]. Reported per occupation and pooled over all of them:
MAE = mean |y - F|; MAPE = mean |y - F| / y × 100 over the quarters with y > 0 (undefined
and reported as None where no such quarter exists: Hyndman & Koehler, "Another look at measures
of forecast accuracy", IJF 22 (2006), §3.2 — percentage errors are infinite at y = 0).

Urgently needed (`urgency_of`): the gap is forecast demand plus the vacancies still open from
earlier lists, less the expected supply (trainees of classes finishing in the quarter, times
the share expected to take a job in the occupation). The occupation is urgent when the gap is
at least `min_gap` people and at least `short_share` of the demand; "critical" from
`critical_share` on. Each decision carries its reasons as codes with numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SEASON = 4
METHOD = "seasonal_naive_drift"
ONE_PLACE = Decimal("0.1")
ZERO = Decimal("0")

CRITICAL = "critical"  # 紧缺 (catalog Urgency values)
SHORT = "short"  # 较紧缺
NONE = ""


def _q(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _mean(values: Sequence[Decimal]) -> Decimal:
    return Decimal(sum(values, ZERO)) / len(values)


def observed_demand(filed: int, hires: int = 0) -> int:
    """The demand observed in one quarter: the larger of the filed headcount and the hires."""
    if filed < 0 or hires < 0:
        raise ValueError("counts are never negative")
    return max(filed, hires)


def forecast_next(series: Sequence[int | Decimal]) -> Decimal:
    """The forecast of the quarter after `series` (oldest first; one value per quarter, no
    gaps: a quarter without lists is 0)."""
    y = [Decimal(v) for v in series]
    n = len(y)
    if n == 0:
        return ZERO
    if n < SEASON:
        value = _mean(y)
    elif n < 2 * SEASON:
        value = y[n - SEASON]
    else:
        value = y[n - SEASON] + (_mean(y[n - SEASON:]) - _mean(y[n - 2 * SEASON:n - SEASON]))
    return _q(max(value, ZERO))


def method_of(n: int) -> str:
    """Which branch of the method a series of n quarters uses (shown with each line)."""
    if n == 0:
        return "none"
    if n < SEASON:
        return "average"
    if n < 2 * SEASON:
        return "seasonal_naive"
    return METHOD


@dataclass(frozen=True)
class Backtest:
    """Errors of one-step-ahead forecasts of past quarters."""

    points: int  # quarters forecast
    mae: Decimal | None
    mape: Decimal | None  # percent; None when every actual was 0
    mape_points: int  # quarters with an actual above 0
    abs_error_sum: Decimal = ZERO
    pct_error_sum: Decimal = ZERO

    def as_dict(self) -> dict:
        return {"points": self.points, "mae": None if self.mae is None else str(self.mae),
                "mape": None if self.mape is None else str(self.mape),
                "mape_points": self.mape_points}


def backtest(series: Sequence[int | Decimal]) -> Backtest:
    """Rolling-origin one-step-ahead errors over the quarters that have at least SEASON
    quarters before them."""
    y = [Decimal(v) for v in series]
    abs_sum, pct_sum, points, pct_points = ZERO, ZERO, 0, 0
    for t in range(SEASON, len(y)):
        error = abs(y[t] - forecast_next(y[:t]))
        abs_sum += error
        points += 1
        if y[t] > 0:
            pct_sum += error / y[t] * 100
            pct_points += 1
    return _summary(points, abs_sum, pct_points, pct_sum)


def _summary(points: int, abs_sum: Decimal, pct_points: int, pct_sum: Decimal) -> Backtest:
    return Backtest(points=points,
                    mae=_q(abs_sum / points) if points else None,
                    mape=_q(pct_sum / pct_points) if pct_points else None,
                    mape_points=pct_points, abs_error_sum=abs_sum, pct_error_sum=pct_sum)


def pooled(tests: Sequence[Backtest]) -> Backtest:
    """The overall error: every occupation's quarters pooled (not a mean of means)."""
    points = sum(t.points for t in tests)
    pct_points = sum(t.mape_points for t in tests)
    return _summary(points, sum((t.abs_error_sum for t in tests), ZERO), pct_points,
                    sum((t.pct_error_sum for t in tests), ZERO))


# --- urgently needed -------------------------------------------------------------------------

@dataclass(frozen=True)
class UrgencyParameters:
    """When an occupation counts as urgently needed. Defaults are this project's starting
    values, set per forecast run (stored with it) by the HRSS office; no seed fixes them."""

    min_gap: int = 10  # people
    short_share: Decimal = Decimal("0.2")  # gap / demand
    critical_share: Decimal = Decimal("0.5")
    take_up_share: Decimal = Decimal("0.8")  # finished trainees expected to take such a job

    def problems(self) -> list[str]:
        out = []
        if not 0 <= self.min_gap <= 100000:
            out.append("min_gap")
        if not ZERO < self.short_share <= 1:
            out.append("short_share")
        if not self.short_share <= self.critical_share <= 1:
            out.append("critical_share")
        if not ZERO <= self.take_up_share <= 1:
            out.append("take_up_share")
        return out

    def as_dict(self) -> dict:
        return {"min_gap": self.min_gap, "short_share": str(self.short_share),
                "critical_share": str(self.critical_share),
                "take_up_share": str(self.take_up_share)}


@dataclass(frozen=True)
class Reason:
    code: str
    values: Mapping[str, str | int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, **dict(self.values)}


@dataclass(frozen=True)
class UrgencyAnswer:
    demand: Decimal  # forecast + open vacancies
    supply: Decimal
    gap: Decimal
    urgency: str  # CRITICAL, SHORT or NONE
    reasons: tuple[Reason, ...]

    @property
    def urgent(self) -> bool:
        return self.urgency != NONE


def urgency_of(*, forecast: Decimal, vacancies: int, trainees_finishing: int,
               wishes: int = 0, params: UrgencyParameters = UrgencyParameters()
               ) -> UrgencyAnswer:
    """Is the occupation urgently needed next quarter? `wishes` (workers who asked to be
    trained in it) do not change the decision; they are named as a reason (a class would fill)."""
    if vacancies < 0 or trainees_finishing < 0 or wishes < 0 or forecast < 0:
        raise ValueError("counts are never negative")
    demand = _q(Decimal(forecast) + vacancies)
    supply = _q(Decimal(trainees_finishing) * params.take_up_share)
    gap = _q(max(demand - supply, ZERO))
    share = gap / demand if demand > 0 else ZERO
    reasons = [Reason("demand", {"forecast": str(forecast), "vacancies": vacancies,
                                 "demand": str(demand)}),
               Reason("supply", {"trainees": trainees_finishing,
                                 "take_up_share": str(params.take_up_share),
                                 "supply": str(supply)})]
    if gap < params.min_gap:
        urgency = NONE
        reasons.append(Reason("gap_below_minimum", {"gap": str(gap),
                                                    "min_gap": params.min_gap}))
    elif share >= params.critical_share:
        urgency = CRITICAL
        reasons.append(Reason("gap_critical", {"gap": str(gap), "share": str(_pct(share)),
                                               "threshold": str(_pct(params.critical_share))}))
    elif share >= params.short_share:
        urgency = SHORT
        reasons.append(Reason("gap_short", {"gap": str(gap), "share": str(_pct(share)),
                                            "threshold": str(_pct(params.short_share))}))
    else:
        urgency = NONE
        reasons.append(Reason("gap_share_small", {"gap": str(gap), "share": str(_pct(share)),
                                                  "threshold": str(_pct(params.short_share))}))
    if wishes:
        reasons.append(Reason("wishes", {"wishes": wishes}))
    return UrgencyAnswer(demand=demand, supply=supply, gap=gap, urgency=urgency,
                         reasons=tuple(reasons))


def _pct(share: Decimal) -> Decimal:
    return _q(share * 100)

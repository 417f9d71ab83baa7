"""The plain data the subsidy rules read and answer: what the subsidy app passes in (a claim's
facts, the person's earlier subsidies, the parameters in force) and what it gets back (a
decision with every step of the computation). Pure: no Django.

Money is `Decimal`; amounts are rounded once, at the end, to the cent with ROUND_HALF_UP
(`CENT`, `ROUNDING`). Refusals and steps carry stable codes and parameters; the sentences live
outside the rules (`jineng.subsidy.messages.MESSAGES`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType

CENT = Decimal("0.01")
ROUNDING = ROUND_HALF_UP
ZERO = Decimal("0")
ONE = Decimal("1")

# --- vocabularies (the values match jineng.subsidy.choices) ------------------------------------

TRAINING = "training"
CERTIFICATE = "certificate"
UPSKILLING = "upskilling"
APPRENTICESHIP = "apprenticeship"
EVALUATION = "evaluation"
LIVING_ALLOWANCE = "living_allowance"
EMPLOYMENT_UPLIFT = "employment_uplift"
KINDS = (TRAINING, CERTIFICATE, UPSKILLING, APPRENTICESHIP, EVALUATION, LIVING_ALLOWANCE,
         EMPLOYMENT_UPLIFT)

PERSON = "person"
INSTITUTION = "institution"
ENTERPRISE = "enterprise"
PAYEE_KINDS = (PERSON, INSTITUTION, ENTERPRISE)

# History statuses that use up nothing (issue 12: "a refused or withdrawn claim uses up
# nothing"). Every other status counts (draft excepted: a draft is not a claim yet), including
# pending review, approved, in payment, paid, payment failed (it is re-applied) and recovered
# (a subsidy obtained by fraud does not give the person a second go).
USES_NOTHING = frozenset({"refused", "withdrawn", "draft"})

# Which date decides "the year" of the yearly limits.
YEAR_BY_CLAIM_DATE = "claim_date"
YEAR_BY_CERTIFICATE_DATE = "certificate_date"
YEAR_BASES = (YEAR_BY_CLAIM_DATE, YEAR_BY_CERTIFICATE_DATE)

# How a kind's amount is found.
BASIS_CATALOG = "catalog"            # the catalog standard (occupation × level × region)
BASIS_LEVEL_AMOUNTS = "level_amounts"  # a fixed amount per level from the parameter set
BASIS_PER_DAY = "per_day"            # a daily rate × days (living allowance)
BASIS_CLASS_SHARE = "class_share"    # a rate × the class's training subsidies (uplift)
AMOUNT_BASES = (BASIS_CATALOG, BASIS_LEVEL_AMOUNTS, BASIS_PER_DAY, BASIS_CLASS_SHARE)


def frozen_map(m: Mapping | None = None) -> Mapping:
    return MappingProxyType(dict(m or {}))


# --- what goes in ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Shares:
    """The split of a cost (政府补一点、企业出一点、个人付一点); shares add up to 1."""

    government: Decimal = ONE
    enterprise: Decimal = ZERO
    individual: Decimal = ZERO


@dataclass(frozen=True)
class Standard:
    """The catalog subsidy standard used (catalog.SubsidyStandardEntry, occupation × level ×
    region × training type, in force on the claim's day). `ref` identifies the entry and its
    catalog version; it is recorded in the decision. Zero uplifts / the default shares mean "the
    entry says nothing": the parameter set's value then applies."""

    amount: Decimal
    ref: str = ""
    urgent_uplift: Decimal = ZERO
    key_group_uplift: Decimal = ZERO
    material_cost: Decimal = ZERO
    shares: Shares | None = None


@dataclass(frozen=True)
class ClaimFacts:
    """Everything the rules need to know about one claim (or one dry-run question).

    `person_key`: a stable key of the person the subsidy is for (the registry person id as a
    string, or the ID-number hash) — also for institution- and enterprise-paid subsidies, which
    count against the person. Employment uplift is per class: `person_key` may be "" and
    `class_ref` identifies the class.
    `level`: the registry SkillLevel.code (grade5 … chief; "" for items without a level);
    `level_rank`: its SkillLevel.rank (0 学徒工 … 7 首席技师), for `lower_after_higher`.
    `claim_ref`: the claim's own id, so re-evaluating a stored claim ignores itself in history.
    """

    kind: str
    person_key: str
    claim_date: dt.date
    region_code: str
    payee_kind: str = PERSON
    occupation_code: str = ""
    level: str = ""
    level_rank: int | None = None
    certificate_ref: str = ""
    certificate_date: dt.date | None = None
    certificate_outside_province: bool = False
    urgent_occupation: bool = False
    standard: Standard | None = None
    material_cost_class: str = ""   # "" = derived from standard.material_cost / amount
    key_groups: frozenset[str] = frozenset()
    insured_months: int | None = None   # upskilling: months of unemployment-insurance contributions
    days: int | None = None             # living allowance: training days attended
    claim_ref: str = ""
    # employment uplift (per class, paid to the institution)
    class_ref: str = ""
    class_end_date: dt.date | None = None
    trainees: int = 0
    stably_employed: int = 0            # of `trainees`, stably employed within the window
    employment_window_months: int | None = None  # the window the outcomes count used
    class_subsidy_total: Decimal | None = None   # training subsidies of the class (the base)
    # sanctions (supervision): the person is barred from subsidies until this day ("" = not);
    # the class's institution is not listed (suspended or removed) on the claim date
    person_barred_until: str = ""
    institution_unlisted: bool = False


@dataclass(frozen=True)
class PriorSubsidy:
    """One earlier subsidy of the person (a claim in jineng or imported history), in any kind
    and to any payee. `status` is the claim status (jineng.subsidy.choices.ClaimStatus values);
    see USES_NOTHING."""

    kind: str
    status: str
    claim_date: dt.date
    occupation_code: str = ""
    level: str = ""
    level_rank: int | None = None
    certificate_ref: str = ""
    certificate_date: dt.date | None = None
    payee_kind: str = PERSON
    person_key: str = ""
    class_ref: str = ""
    urgent_occupation: bool = False
    ref: str = ""   # the claim id (or the imported record's reference)

    @property
    def counts(self) -> bool:
        return self.status not in USES_NOTHING


# --- the parameters ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """The shared limits across all kinds."""

    yearly_limit: int = 3
    year_basis: str = YEAR_BY_CLAIM_DATE
    claim_window_months: int = 12
    same_occupation_level: bool = True
    lower_after_higher: bool = True
    same_certificate: bool = True


@dataclass(frozen=True)
class MaterialClass:
    """A material-cost class (实训耗材成本, Lianyungang 三(一)): a standard whose material cost
    is at least `min_share` of its amount falls in the class and gets `factor`."""

    code: str
    min_share: Decimal
    factor: Decimal


@dataclass(frozen=True)
class KindRules:
    """One kind's parameters. Unused fields keep their defaults."""

    granted: bool = True
    payees: frozenset[str] = frozenset(PAYEE_KINDS)
    amount_basis: str = BASIS_CATALOG
    family: str = ""                       # kinds of one family conflict on occupation × level
    counts_toward_yearly_limit: bool = True
    needs_certificate: bool = False
    consumes_certificate: bool = True      # counts for `same_certificate` (false: beside it)
    claim_window: bool = False             # the claim window after the certificate date applies
    outside_province: bool = True          # certificates from outside the province accepted
    level_factors: Mapping[str, Decimal] = field(default_factory=frozen_map)
    level_amounts: Mapping[str, Decimal] = field(default_factory=frozen_map)
    urgent_uplift: Decimal = ZERO
    key_group_uplift: Decimal = ZERO
    uplift_key_groups: frozenset[str] = frozenset()   # groups that get key_group_uplift
    max_factor: Decimal = Decimal("1.5")   # the amount never exceeds base × max_factor
    material_classes: tuple[MaterialClass, ...] = ()
    cost_sharing: Shares | None = None     # the default when the catalog standard gives none
    insured_months: int = 0                # upskilling
    times_per_year: int = 0                # upskilling / apprenticeship (0 = no own limit)
    urgent_times_per_year: int = 0         # upskilling: for urgently-needed occupations
    key_groups: frozenset[str] = frozenset()  # living allowance: the groups granted
    per_day: Decimal = ZERO                # living allowance
    max_days: int = 0
    employed_share: Decimal = Decimal("0.5")   # employment uplift
    employment_months: int = 6
    uplift_rate: Decimal = ZERO


@dataclass(frozen=True)
class ParameterSet:
    """The parameters in force for a region on a day, resolved (city → province → national).
    `version` names every set in the chain, most specific first ("lianyungang-2025b <
    jiangsu-2025 < national-2025"); `sources` maps a parameter path to the clause it rests on."""

    version: str
    region_code: str
    valid_from: dt.date
    valid_to: dt.date | None
    limits: Limits
    kinds: Mapping[str, KindRules]
    sources: Mapping[str, str] = field(default_factory=frozen_map)
    chain: tuple[str, ...] = ()

    def kind(self, kind: str) -> KindRules | None:
        return self.kinds.get(kind)

    def source(self, path: str) -> str:
        """The clause for a parameter path (the most specific cited prefix)."""
        while path:
            if path in self.sources:
                return self.sources[path]
            path = path.rpartition(".")[0]
        return ""


# --- what comes out ----------------------------------------------------------------------------

@dataclass(slots=True)
class Step:
    """One step of a decision: a check passed or failed, or a stage of the amount.
    `rule`: the rule's code (e.g. "yearly_limit", "level_factor"); `parameter`: the parameter
    path used ("limits.yearly_limit", "kinds.training.level_factors.grade4") or "" ; `value`:
    the value used, as text; `code`: the explanation key in MESSAGES; `params`: its fill-ins
    (amounts as text). `amount`: the running amount after this step, for amount steps."""

    rule: str
    parameter: str
    value: str
    code: str
    params: dict = field(default_factory=dict)
    amount: Decimal | None = None
    source: str = ""

    def as_dict(self) -> dict:
        return {"rule": self.rule, "parameter": self.parameter, "value": self.value,
                "code": self.code, "params": dict(self.params),
                "amount": None if self.amount is None else str(self.amount),
                "source": self.source}


@dataclass(frozen=True)
class Decision:
    """The answer for one claim. When refused, `amount` is None and `refusal_code` names the
    rule (yearly_limit, same_occupation_level, lower_after_higher, same_certificate,
    claim_window, insured_months, upskilling_per_year, …; see REFUSAL_CODES)."""

    allowed: bool
    kind: str
    amount: Decimal | None
    shares: Mapping[str, Decimal]
    steps: tuple[Step, ...]
    refusal_code: str | None
    refusal_params: dict
    parameter_version: str
    catalog_ref: str = ""
    cost: Decimal | None = None   # the full cost before cost sharing (== amount without sharing)

    def as_dict(self) -> dict:
        return {"allowed": self.allowed, "kind": self.kind,
                "amount": None if self.amount is None else str(self.amount),
                "cost": None if self.cost is None else str(self.cost),
                "shares": {k: str(v) for k, v in self.shares.items()},
                "steps": [s.as_dict() for s in self.steps],
                "refusal_code": self.refusal_code, "refusal_params": dict(self.refusal_params),
                "parameter_version": self.parameter_version, "catalog_ref": self.catalog_ref}


REFUSAL_CODES = (
    "no_parameters",          # no parameter set in force for the region on the day
    "kind_not_granted",       # the region does not grant this kind
    "payee_not_allowed",      # this kind is not paid to that payee in the region
    "standard_missing",       # no catalog standard (or level amount) for occupation × level
    "certificate_missing",    # the kind needs a certificate (number and date)
    "claim_before_certificate",
    "outside_province",       # certificates from outside the province not accepted here
    "claim_window",
    "same_certificate",
    "same_occupation_level",
    "lower_after_higher",
    "yearly_limit",
    "insured_months",
    "upskilling_per_year",
    "apprenticeship_per_year",
    "key_group_required",     # living allowance: not in a granted key group
    "days_missing",           # living allowance: no training days
    "uplift_too_early",       # employment uplift: the employment window has not ended
    "uplift_window_mismatch",  # the employment count used another window than the parameter
    "uplift_share",           # employment uplift: share stably employed below the threshold
    "uplift_once_per_class",
    "uplift_counts_invalid",  # more stably employed than trainees, or fewer than none
    "class_subsidy_missing",
)

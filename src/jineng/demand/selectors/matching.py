"""Reads of the demand app: matching. Scoped to the actor (out of scope answers NotFound).

Besides the scoped reads of matches, proposals and referrals, this module loads what the
matching rules compare, set-based: the offered classes of a province and the wishes of a region
as numpy arrays (`offered_classes`, `wish_arrays`) for rules.matching_vector, and the facts of
one class, institution or trainee for the scalar rules that explain a match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core.errors import NotFound
from jineng.demand.choices import DemandListStatus, PreferredTime, WishStatus
from jineng.demand.models import (
    DemandLine,
    DemandList,
    OrderClassProposal,
    Referral,
    ReferralStatusChange,
    TrainingWish,
    WishMatch,
)
from jineng.demand.rules import matching as rules
from jineng.demand.rules import matching_vector as vector
from jineng.registry.choices import KeyGroup, OrganizationKind, OrganizationStatus
from jineng.registry.models import Organization, TrainingSite
from jineng.training.choices import ClassStatus, EnrollmentStatus, FundingSource
from jineng.training.models import ClassSession, Enrollment, TrainingClass

__all__ = [
    "OFFERED_STATES", "ReferralCandidate", "demand_line_get", "enterprise_points",
    "institution_candidates", "line_is_open", "matching_overview", "offered_classes",
    "order_proposal_get", "order_proposal_list", "reason_texts", "referral_candidates",
    "referral_get", "referral_history", "referral_list", "wish_arrays", "wish_facts",
    "wish_for_matching", "wish_matches",
]

OFFERED_STATES = (ClassStatus.APPROVED, ClassStatus.OPEN)
MATCHABLE_WISHES = (WishStatus.OPEN, WishStatus.MATCHED)
KEY_GROUP_BITS = {g: i + 1 for i, g in enumerate(KeyGroup.values)}  # 1-based bit numbers
WINDOW_ORDER = (rules.WEEKDAY_DAY, rules.WEEKDAY_EVENING, rules.WEEKEND)


def _f(value) -> float | None:
    return None if value is None else float(value)


def province_prefix(region_code: str) -> str:
    """Classes within reach are looked for in the whole province (a wish near a city's border
    may be best served across it)."""
    return region_code[:2]


# --- the offered classes, as arrays ----------------------------------------------------------

@dataclass
class OfferedClasses:
    arrays: vector.ClassArrays
    index: dict[int, int]  # class id → row
    window_counts: np.ndarray  # (n, 3) sessions not yet held per window
    names: dict[int, tuple[str, dt.date]] = field(default_factory=dict)

    def facts(self, class_id: int) -> rules.ClassFacts:
        """The scalar rule's view of one class (the same numbers as the arrays)."""
        a, i = self.arrays, self.index[class_id]
        counts = self.window_counts[i]
        windows = tuple(w for w, n in zip(WINDOW_ORDER, counts, strict=True)
                        for _ in range(int(n)))
        status = {1: "approved", 2: "open"}.get(int(a.status[i]), "other")
        group = int(a.group[i])
        return rules.ClassFacts(
            occupation_id=int(a.occupation[i]),
            occupation_parent_id=int(a.parent[i]) if a.parent[i] >= 0 else None,
            level_rank=int(a.level[i]), start_ordinal=int(a.start[i]),
            end_ordinal=int(a.end[i]), status=status, lat=float(a.lat[i]),
            lon=float(a.lon[i]), windows=windows, subsidized=bool(a.subsidized[i]),
            target_group=KeyGroup.values[group - 1] if group else "",
            seats_left=int(a.seats[i]))


def _session_windows(class_ids: list[int], index: dict[int, int], now: dt.datetime,
                     ) -> np.ndarray:
    """Per class, how many of its sessions still to come fall on weekday days, weekday
    evenings and weekends (local time), counted with numpy."""
    counts = np.zeros((len(class_ids), 3), dtype=np.int64)
    rows = (ClassSession.objects.filter(training_class_id__in=class_ids, starts_at__gte=now)
            .values_list("training_class_id", "starts_at"))
    rows = list(rows)
    if not rows:
        return counts
    cls = np.fromiter((index[c] for c, _s in rows), dtype=np.int64, count=len(rows))
    offset = timezone.localtime(now).utcoffset().total_seconds()
    local = np.fromiter((s.timestamp() for _c, s in rows), dtype=np.float64,
                        count=len(rows)) + offset
    day = np.floor_divide(local, 86400)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday (3)
    minute = (local - day * 86400) // 60
    window = np.where(weekday >= 5, 2, np.where(minute >= rules.EVENING_FROM_MINUTE, 1, 0))
    np.add.at(counts, (cls, window.astype(np.int64)), 1)
    return counts


def offered_classes(prefix: str, *, today: dt.date | None = None,
                    now: dt.datetime | None = None, with_names: bool = False,
                    class_ids: list[int] | None = None,
                    occupation_ids: list[int] | None = None) -> OfferedClasses:
    """The classes of a region subtree that may still be offered (approved or open, not
    ended), as arrays for the set-based matching; only `class_ids`, or only the classes
    reached by `occupation_ids` (their occupation or its parent), when given. Unscoped: the
    caller decided."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    qs = (TrainingClass.objects
          .filter(region__code__startswith=prefix, status__in=OFFERED_STATES,
                  end_date__gte=today)
          .order_by("pk"))
    if class_ids is not None:
        qs = qs.filter(pk__in=class_ids)
    if occupation_ids is not None:
        qs = qs.filter(Q(occupation_id__in=occupation_ids)
                       | Q(occupation__parent_id__in=occupation_ids))
    rows = list(qs.values_list(
        "id", "occupation_id", "occupation__parent_id", "level__rank", "start_date",
        "end_date", "status", "site__latitude", "site__longitude", "funding_source",
        "standard_entry_id", "target_group", "planned_size", "employer_id"))
    ids = [r[0] for r in rows]
    index = {pk: i for i, pk in enumerate(ids)}
    enrolled = dict(Enrollment.objects
                    .filter(training_class_id__in=ids, status=EnrollmentStatus.ENROLLED)
                    .values("training_class_id").annotate(n=Count("id"))
                    .values_list("training_class_id", "n")) if ids else {}
    counts = _session_windows(ids, index, now) if ids else np.zeros((0, 3), dtype=np.int64)
    total = counts.sum(axis=1, keepdims=True)
    shares = np.where(total > 0, counts / np.maximum(total, 1), 1.0).astype(float)

    def col(k, dtype=None):
        return np.array([r[k] for r in rows], dtype=dtype)

    arrays = vector.ClassArrays(
        class_id=col(0, np.int64), occupation=col(1, np.int64),
        parent=np.array([r[2] if r[2] is not None else -1 for r in rows], dtype=np.int64),
        level=col(3, np.int64),
        start=np.array([r[4].toordinal() for r in rows], dtype=np.int64),
        end=np.array([r[5].toordinal() for r in rows], dtype=np.int64),
        status=np.array([vector.STATUS_CODES.get(r[6], 0) for r in rows], dtype=np.int64),
        lat=np.array([float(r[7]) for r in rows], dtype=float),
        lon=np.array([float(r[8]) for r in rows], dtype=float),
        shares=shares.reshape(len(rows), 3),
        subsidized=np.array([is_subsidized(r[9], r[10]) for r in rows], dtype=bool),
        group=np.array([KEY_GROUP_BITS.get(r[11], 0) for r in rows], dtype=np.int64),
        seats=np.array([r[12] - enrolled.get(r[0], 0) for r in rows], dtype=np.int64))
    names = {}
    if with_names:
        names = {pk: (name, start) for pk, name, start in
                 qs.values_list("id", "name", "start_date")}
    return OfferedClasses(arrays=arrays, index=index, window_counts=counts, names=names)


def is_subsidized(funding_source: str, standard_entry_id: int | None) -> bool:
    """A subsidized class (补贴性培训): paid by a public fund under a subsidy-standard entry
    (Zhejiang 二(四): 符合条件的可享受职业培训补贴); a class on the enterprise's own staff
    education fund is not."""
    return standard_entry_id is not None and funding_source != FundingSource.ENTERPRISE


# --- wishes, as arrays -----------------------------------------------------------------------

def _wish_point(row) -> tuple[float | None, float | None]:
    """The wished place: the wish's own coordinates, else its poster's, else its region's."""
    for lat, lon in ((row[1], row[2]), (row[3], row[4]), (row[5], row[6])):
        if lat is not None and lon is not None:
            return float(lat), float(lon)
    return None, None


WISH_COLUMNS = ("id", "latitude", "longitude", "poster__latitude", "poster__longitude",
                "region__latitude", "region__longitude", "max_distance_km", "level__rank",
                "preferred_time", "key_groups")


def wish_arrays(wishes: QuerySet[TrainingWish]) -> tuple[vector.WishArrays, dict[int, tuple]]:
    """Wishes as arrays for the engine, and each wish's row (for its scalar facts)."""
    rows = list(wishes.order_by("pk").values_list(*WISH_COLUMNS))
    points = [_wish_point(r) for r in rows]
    pairs = list(TrainingWish.occupations.through.objects
                 .filter(trainingwish_id__in=wishes.values("pk"))
                 .values_list("trainingwish_id", "occupation_id"))
    index = {r[0]: i for i, r in enumerate(rows)}
    arrays = vector.WishArrays(
        wish_id=np.array([r[0] for r in rows], dtype=np.int64),
        lat=np.array([np.nan if p[0] is None else p[0] for p in points], dtype=float),
        lon=np.array([np.nan if p[1] is None else p[1] for p in points], dtype=float),
        max_km=np.array([float(r[7]) for r in rows], dtype=float),
        level=np.array([-1 if r[8] is None else r[8] for r in rows], dtype=np.int64),
        time=np.array([vector.TIME_CODES.get(r[9], 3) for r in rows], dtype=np.int64),
        groups=np.array([_group_mask(r[10]) for r in rows], dtype=np.int64),
        pair_wish=np.array([index[w] for w, _o in pairs if w in index], dtype=np.int64),
        pair_occupation=np.array([o for w, o in pairs if w in index], dtype=np.int64))
    occupations: dict[int, set[int]] = {}
    for w, o in pairs:
        occupations.setdefault(w, set()).add(o)
    return arrays, {r[0]: (r, points[i], frozenset(occupations.get(r[0], ())))
                    for i, r in enumerate(rows)}


def _group_mask(groups) -> int:
    mask = 0
    for g in groups or ():
        bit = KEY_GROUP_BITS.get(g)
        if bit:
            mask |= 1 << (bit - 1)
    return mask


def wish_facts(row_info: tuple) -> rules.WishFacts:
    row, (lat, lon), occupations = row_info
    return rules.WishFacts(
        occupation_ids=occupations, level_rank=row[8], preferred_time=row[9] or rules.ANY,
        lat=lat, lon=lon, max_km=float(row[7]),
        key_groups=frozenset(g for g in (row[10] or ()) if g in KEY_GROUP_BITS))


# --- scoped reads: wishes and their matches --------------------------------------------------

def wish_for_matching(*, actor, pk: int) -> TrainingWish:
    wish = (TrainingWish.objects.visible_to(actor).select_related("region", "level", "poster")
            .filter(pk=pk).first())
    if wish is None:
        raise NotFound()
    return wish


def wish_matches(*, actor, wish: TrainingWish) -> QuerySet[WishMatch]:
    return (WishMatch.objects.visible_to(actor).filter(wish=wish)
            .select_related("training_class", "training_class__institution",
                            "training_class__site", "training_class__occupation",
                            "training_class__level")
            .order_by("-score", "distance_km", "training_class_id"))


# --- demand lines ----------------------------------------------------------------------------

def demand_line_get(*, actor, pk: int) -> DemandLine:
    line = (DemandLine.objects
            .filter(pk=pk, demand_list__in=DemandList.objects.visible_to(actor))
            .select_related("demand_list", "demand_list__organization",
                            "demand_list__region", "occupation", "level").first())
    if line is None:
        raise NotFound()
    return line


def line_is_open(line: DemandLine, today: dt.date) -> bool:
    """An open demand: its list accepted by HRSS, people still needed, its date not past."""
    return (line.demand_list.status == DemandListStatus.ACCEPTED
            and line.filled < line.headcount and line.needed_by >= today)


def enterprise_points(enterprise: Organization, region) -> list[tuple[float, float]]:
    """Where an enterprise is: its sites in use (registry), else its demand list's region,
    else its own region (the region's coordinates)."""
    points = [(float(a), float(b)) for a, b in
              TrainingSite.objects.filter(organization=enterprise, is_active=True)
              .values_list("latitude", "longitude")]
    for r in (region, enterprise.region):
        if not points and r is not None and r.latitude is not None:
            points = [(float(r.latitude), float(r.longitude))]
    return points


# --- institutions for an order class ---------------------------------------------------------

@dataclass(frozen=True)
class InstitutionCandidate:
    organization: Organization
    verdict: rules.Verdict


def institution_candidates(line: DemandLine, *, today: dt.date,
                           max_km: float = rules.ORDER_CLASS_MAX_KM,
                           ) -> list[InstitutionCandidate]:
    """Training institutions of the province with a site in use within `max_km` of the
    enterprise, asked of the catalog (catalog.selectors.institution_listed_as_of) for the
    line's occupation and level, ranked by rules.rank_institution. Unscoped."""
    from jineng.catalog import selectors as catalog

    enterprise = line.demand_list.organization
    points = enterprise_points(enterprise, line.demand_list.region)
    if not points:
        return []
    sites = list(TrainingSite.objects
                 .filter(is_active=True, organization__kind=OrganizationKind.TRAINING,
                         organization__status=OrganizationStatus.LISTED,
                         region__code__startswith=province_prefix(
                             line.demand_list.region.code))
                 .values_list("organization_id", "latitude", "longitude"))
    if not sites:
        return []
    org_ids = np.array([s[0] for s in sites])
    lat = np.array([float(s[1]) for s in sites])
    lon = np.array([float(s[2]) for s in sites])
    ent = np.array(points)
    d = vector.haversine_km(lat[:, None], lon[:, None], ent[None, :, 0], ent[None, :, 1])
    nearest = d.min(axis=1)
    best: dict[int, float] = {}
    for org, km in zip(org_ids.tolist(), nearest.tolist(), strict=True):
        best[org] = min(km, best.get(org, km))
    near = {o: km for o, km in best.items() if km <= max_km}
    experience = dict(TrainingClass.objects
                      .filter(institution_id__in=list(near), occupation_id=line.occupation_id)
                      .values("institution_id").annotate(n=Count("id"))
                      .values_list("institution_id", "n"))
    found = []
    for org in Organization.objects.filter(pk__in=list(near)).select_related("region"):
        listing = catalog.institution_listed_as_of(org, line.occupation, line.level, None,
                                                   today)
        facts = rules.InstitutionFacts(
            organization_id=org.pk, listed=bool(listing), listing_reason=listing.reason,
            nearest_km=round(near[org.pk], 1), classes_in_occupation=experience.get(org.pk, 0))
        verdict = rules.rank_institution(facts, max_km)
        if verdict.fits:
            found.append(InstitutionCandidate(org, verdict))
    found.sort(key=lambda c: (-c.verdict.score, c.verdict.distance_km, c.organization.pk))
    return found


def order_proposal_list(*, actor, status: str | None = None,
                        ) -> QuerySet[OrderClassProposal]:
    qs = (OrderClassProposal.objects.visible_to(actor)
          .select_related("institution", "demand_line__occupation", "demand_line__level",
                          "demand_line__demand_list__organization", "training_class"))
    return qs.filter(status=status) if status else qs


def order_proposal_get(*, actor, pk: int) -> OrderClassProposal:
    found = order_proposal_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


# --- referrals (培训就业直通车) ----------------------------------------------------------------

@dataclass(frozen=True)
class ReferralCandidate:
    enrollment: Enrollment
    verdict: rules.Verdict
    referred: bool


def _person_point(enrollment: Enrollment) -> tuple[float | None, float | None]:
    """Where a trainee is: the region they are served in, else the class's site."""
    region = enrollment.person.region
    if region is not None and region.latitude is not None:
        return float(region.latitude), float(region.longitude)
    site = enrollment.training_class.site
    return float(site.latitude), float(site.longitude)


def trainee_facts(enrollment: Enrollment) -> rules.TraineeFacts:
    cls = enrollment.training_class
    lat, lon = _person_point(enrollment)
    return rules.TraineeFacts(
        completed=enrollment.has_completed and cls.status not in OFFERED_STATES,
        occupation_id=cls.occupation_id, occupation_parent_id=cls.occupation.parent_id,
        level_rank=cls.level.rank, finished_ordinal=cls.end_date.toordinal(), lat=lat, lon=lon)


def demand_facts(line: DemandLine, today: dt.date) -> rules.DemandFacts:
    points = enterprise_points(line.demand_list.organization, line.demand_list.region)
    lat, lon = points[0] if points else (None, None)
    return rules.DemandFacts(
        occupation_id=line.occupation_id, level_rank=line.level.rank if line.level_id else None,
        open=line_is_open(line, today), needed_by_ordinal=line.needed_by.toordinal(),
        lat=lat, lon=lon, wage_min=line.wage_min, wage_max=line.wage_max)


def completed_for_line(line: DemandLine) -> QuerySet[Enrollment]:
    """Completed enrollments (training's definition) in classes of the line's occupation (or
    its sub-occupations) in the line's province, newest class first."""
    return (Enrollment.objects.completed()
            .filter(Q(training_class__occupation_id=line.occupation_id)
                    | Q(training_class__occupation__parent_id=line.occupation_id),
                    training_class__region__code__startswith=province_prefix(
                        line.demand_list.region.code))
            .exclude(training_class__status__in=OFFERED_STATES)
            .select_related("person", "person__region", "training_class",
                            "training_class__occupation", "training_class__level",
                            "training_class__site")
            .order_by("-training_class__end_date", "pk"))


def referral_candidates(*, actor, line: DemandLine, today: dt.date | None = None,
                        limit: int = 50) -> list[ReferralCandidate]:
    """Finished trainees who fit an open demand line (rules.match_referral), best first; only
    HRSS staff (who see persons) of the line's region ask."""
    today = today or timezone.localdate()
    line = demand_line_get(actor=actor, pk=line.pk)
    demand = demand_facts(line, today)
    referred = set(Referral.objects.filter(demand_line=line).values_list("person_id", flat=True))
    found, seen = [], set()
    for e in completed_for_line(line)[:2000]:
        if e.person_id in seen:
            continue
        seen.add(e.person_id)
        verdict = rules.match_referral(trainee_facts(e), demand, today.toordinal())
        if verdict.fits:
            found.append(ReferralCandidate(e, verdict, e.person_id in referred))
    found.sort(key=lambda c: (-c.verdict.score, c.verdict.distance_km, c.enrollment.pk))
    return found[:limit]


def referral_list(*, actor, status: str | None = None,
                  line: DemandLine | None = None) -> QuerySet[Referral]:
    qs = (Referral.objects.visible_to(actor)
          .select_related("person", "demand_line__occupation", "demand_line__level",
                          "demand_line__demand_list__organization"))
    if status:
        qs = qs.filter(status=status)
    if line is not None:
        qs = qs.filter(demand_line=line)
    return qs


def referral_get(*, actor, pk: int) -> Referral:
    found = referral_list(actor=actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def referral_history(*, actor, referral: Referral) -> QuerySet[ReferralStatusChange]:
    return (ReferralStatusChange.objects.visible_to(actor).filter(referral=referral)
            .order_by("at", "id"))


def matching_overview(*, actor) -> dict:
    """What the matching page lists for the actor: proposals and referrals in scope."""
    lines = (DemandLine.objects
             .filter(demand_list__in=DemandList.objects.visible_to(actor),
                     demand_list__status=DemandListStatus.ACCEPTED,
                     needed_by__gte=timezone.localdate())
             .select_related("demand_list__organization", "occupation", "level")
             .order_by("needed_by", "pk"))
    return {"proposals": order_proposal_list(actor=actor)[:50],
            "referrals": referral_list(actor=actor)[:50], "lines": lines[:50]}


# --- reasons in words ------------------------------------------------------------------------

def _km(value) -> str:
    return "—" if value is None else f"{Decimal(str(value)):.1f}"


def reason_texts(reasons: list[dict]) -> list[str]:
    """Each stored reason as a sentence in the reader's language."""
    return [reason_text(r) for r in reasons]


def reason_text(r: dict) -> str:
    rule, ok = r.get("rule"), r.get("ok")
    if rule == "occupation":
        return _("The occupation is one wished.") if ok else _("Another occupation.")
    if rule == "dates":
        if r.get("when") == "upcoming":
            return _("Starts in %(days)s days.") % {"days": r.get("days")}
        if r.get("when") == "started":
            return (_("Started %(days)s days ago; joining is possible up to %(limit)s days.")
                    % {"days": r.get("days"), "limit": r.get("limit")})
        return _("Not open for joining.")
    if rule == "seats":
        return _("No seat left.")
    if rule == "distance":
        if r.get("km") is None:
            return _("The distance is not known.")
        return (_("%(km)s km away (at most %(limit)s km).")
                % {"km": _km(r.get("km")), "limit": r.get("limit")})
    if rule == "time":
        label = dict(PreferredTime.choices).get(r.get("preferred"), r.get("preferred"))
        return (_("%(share)s%% of the sessions in the wished time (%(time)s).")
                % {"share": round(100 * float(r.get("share", 0))), "time": label})
    if rule == "level":
        if r.get("wished") is None:
            return _("No level wished: any level.")
        return _("The wished level.") if ok else _("Another level than the one wished.")
    if rule == "key_group":
        if not r.get("group"):
            return _("Open to every eligible worker.")
        label = dict(KeyGroup.choices).get(r["group"], r["group"])
        return (_("Aimed at a key group you belong to: %(group)s.") % {"group": label} if ok
                else _("Only for %(group)s.") % {"group": label})
    if rule == "subsidy":
        return (_("Subsidized training (补贴性培训).") if r.get("subsidized")
                else _("Not subsidized."))
    if rule == "order_class":
        return _("An order class for a named employer.")
    if rule == "listed":
        return (_("Listed in the training institutions catalog for this occupation and "
                  "level.") if ok else _("Not listed in the catalog for it."))
    if rule == "experience":
        return (_("%(n)s classes of this occupation declared before.")
                % {"n": r.get("classes", 0)})
    if rule == "completed":
        return (_("Completed a class that finished on %(day)s.")
                % {"day": dt.date.fromordinal(r["finished"]).isoformat()} if ok
                else _("Did not complete the class."))
    if rule == "demand_open":
        return (_("The demand is open until %(day)s.")
                % {"day": dt.date.fromordinal(r["needed_by"]).isoformat()} if ok
                else _("The demand is no longer open."))
    if rule == "wage":
        return (_("Wage offered: %(low)s–%(high)s yuan a month.")
                % {"low": r.get("min") or "—", "high": r.get("max") or "—"})
    return str(rule)

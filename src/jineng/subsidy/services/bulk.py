"""Evaluating many stored claims at once (issue 12: 100,000 claims in one batch under 30 s,
explanations stored).

`claim_batch_evaluate(actor, claim_ids)` computes draft claims again with the parameters and
the history in force now — after a parameter change, or an imported history that arrived
after the drafts were made — and stores each decision (amount, shares, the steps that explain
it, the parameter version, the refusal code; a draft the rules now refuse becomes `refused`).

Set-based, in one transaction:

1. read     the claims (chunks of 5,000, locked against a concurrent submission), every
            class's catalog standard, urgency and listing once per class;
2. history  every earlier subsidy of their persons, one `evaluation.history_for` per chunk
            of 5,000 persons (claims in jineng and imported history);
3. rules    `rules.engine.evaluate_many`, the published parameters indexed once and
            resolved once per region and day;
4. store    one `executemany` UPDATE by primary key (only while the claim is still a draft),
            one status-history entry per claim refused now (bulk insert), and **one audit
            event for the batch** with its counts (the claims' own history holds each change).

Person locks: none. Only drafts are evaluated, and a draft — like a refused claim — uses up
nothing (rules `USES_NOTHING`), so no other claim's decision depends on what this batch
stores; the limits are decided again, under the person's lock, when a draft is submitted
and approved (services.claims._recheck). All or nothing: any claim out of the actor's reach
(404), not the actor's to file (403) or not a draft (409) refuses the whole batch, naming the
claim, before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.catalog import selectors as catalog
from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.history import transition_values
from jineng.core.hooks import Providers
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.subsidy import evaluation, hooks
from jineng.subsidy.choices import ClaimStatus, ParameterStatus
from jineng.subsidy.hooks import barred_until
from jineng.subsidy.models import ClaimStatusChange, ParameterSet, SubsidyClaim
from jineng.subsidy.rules import engine
from jineng.subsidy.rules import parameters as loader
from jineng.subsidy.rules import types as t
from jineng.subsidy.services.common import governs
from jineng.training import selectors as training

__all__ = ["MAX_BATCH", "BatchEvaluation", "claim_batch_evaluate"]

Bars = dict[int, list[tuple[dt.date, dt.date]]]
# The batch form of `subsidy.hooks.person_barred_until`: (person ids, first day, last day) →
# {person id: [(valid_from, valid_until), …]}, the bars in force on some day of the period.
# A provider of the single hook should provide this one too (the supervision app), so that a
# batch asks once per 5,000 persons; without it the batch asks the single hook once per claim.
persons_bars = Providers[Callable[[list[int], dt.date, dt.date], Bars]]("subsidy.persons_bars")

CHUNK = 5_000
MAX_BATCH = 200_000
CLAIM = "subsidy.subsidyclaim"

_FIELDS = ("pk", "kind", "person_id", "claim_date", "region__code", "payee_kind",
           "occupation__code", "level__code", "level__rank", "certificate_id",
           "certificate_date", "training_class_id", "organization_id", "status", "amount",
           "parameter_version", "refusal_code")


@dataclass
class BatchEvaluation:
    """What a batch evaluation did: claims evaluated, allowed, refused (by rule code), changed
    (amount, status, version or refusal differ from what was stored), and the seconds of each
    phase (read, history, rules, store, total)."""

    claims: int = 0
    allowed: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    changed: int = 0
    newly_refused: int = 0
    times: dict[str, float] = field(default_factory=dict)


@dataclass
class _Class:
    cls: object
    standard: t.Standard | None
    urgent: bool


def _ids(claim_ids: Iterable[int]) -> list[int]:
    try:
        ids = sorted({int(i) for i in claim_ids})
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Claim ids are whole numbers."), field="claim_ids",
                          code="invalid") from exc
    if not ids:
        raise DomainError(_("Name the claims to evaluate."), field="claim_ids",
                          code="required")
    if len(ids) > MAX_BATCH:
        raise DomainError(_("At most %(n)d claims in one batch.") % {"n": MAX_BATCH},
                          field="claim_ids", code="too_many")
    return ids


def _read(actor, ids: list[int]) -> list[tuple]:
    """The claims' rows, locked; refuses the batch (naming the claim) for one out of reach,
    not the actor's to file, or not a draft."""
    scope = scope_of(actor)
    rows: list[tuple] = []
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        found = list(SubsidyClaim.objects.visible_to(actor).select_for_update(of=("self",))
                     .filter(pk__in=chunk).order_by("pk").values_list(*_FIELDS))
        if len(found) != len(chunk):
            missing = sorted(set(chunk) - {r[0] for r in found})[0]
            raise NotFound(_("Claim %(id)s was not found.") % {"id": missing})
        rows += found
    governed: dict[str, bool] = {}
    for row in rows:
        pk, region, org, status = row[0], row[4], row[12], row[13]
        if region not in governed:
            governed[region] = governs(actor, region)
        if not (governed[region] or (org and org == scope.organization_id)):
            raise Forbidden(_("You may not evaluate claim %(id)s: only its claimant or the "
                              "HRSS office of its region.") % {"id": pk})
        if status != ClaimStatus.DRAFT:
            raise Conflict(_("Claim %(id)s is %(status)s: only drafts are evaluated again "
                             "(a submitted claim is evaluated at its review).")
                           % {"id": pk, "status": ClaimStatus(status).label},
                           field="claim_ids", code="not_draft")
    return rows


def _classes(class_ids: set[int]) -> dict[int, _Class]:
    """Each class's catalog standard and urgency on its start day (as
    evaluation.facts_of_claim reads them), once per class."""
    out = {}
    for pk in class_ids:
        cls = training.class_for_assessment(pk)
        if cls is None:
            continue
        out[pk] = _Class(cls=cls, standard=evaluation.standard_for(cls, cls.start_date),
                         urgent=evaluation.is_urgent(cls, cls.start_date))
    return out


def _listing():
    """Whether a class's institution is unlisted on a day, asked once per institution and
    day (a batch's claims share few institutions and a year's days)."""
    memo: dict[tuple[int, object], bool] = {}

    def unlisted(info: _Class | None, day) -> bool:
        org = getattr(info.cls, "institution", None) if info is not None else None
        if org is None:
            return False
        key = (org.pk, day)
        if key not in memo:
            memo[key] = catalog.organization_status_on(org, day) != "listed"
        return memo[key]
    return unlisted


def _bars(rows: list[tuple]) -> Callable[[int | None, dt.date], str]:
    """`barred_until(person, day)` for the batch: nobody without a provider; the batch hook
    read once per 5,000 persons where it is provided; else the single hook per claim."""
    if not len(hooks.person_barred_until):
        return lambda person, day: ""
    if not len(persons_bars):
        return barred_until
    persons = sorted({r[2] for r in rows if r[2]})
    first, last = min(r[3] for r in rows), max(r[3] for r in rows)
    found: Bars = {}
    for i in range(0, len(persons), CHUNK):
        found.update(persons_bars.first(persons[i:i + CHUNK], first, last, default={}))

    def barred(person: int | None, day: dt.date) -> str:
        ends = [until for start, until in found.get(person, ()) if start <= day <= until]
        return max(ends).isoformat() if ends else ""
    return barred


def stored_facts(rows: list[tuple]) -> list[t.ClaimFacts]:
    """The facts of stored claims (rows of `_FIELDS`), exactly as
    `evaluation.facts_of_claim` reads each (tested against it): training claims set-based,
    class data read once per class; other kinds through `facts_of_claim` itself."""
    classes = _classes({r[11] for r in rows if r[11]})
    unlisted = _listing()
    barred = _bars(rows)
    # Claims of other kinds (filed by a person, an enterprise or an institution) read their
    # own facts: asked of evaluation.facts_of_claim one by one, so both paths agree.
    others = {c.pk: c for c in SubsidyClaim.objects.filter(
        pk__in=[r[0] for r in rows if r[1] != t.TRAINING])
        .select_related("region", "occupation", "level")}
    facts = []
    for (pk, kind, person, day, region, payee, occupation, level, rank, cert, cert_day,
         class_id, *_rest) in rows:
        if pk in others:
            facts.append(evaluation.facts_of_claim(others[pk]))
            continue
        info = classes.get(class_id) if class_id else None
        facts.append(t.ClaimFacts(
            kind=kind, person_key=str(person or ""), claim_date=day, region_code=region,
            payee_kind=payee, occupation_code=occupation or "", level=level or "",
            level_rank=rank, certificate_ref=str(cert or ""), certificate_date=cert_day,
            urgent_occupation=info.urgent if info else False,
            standard=info.standard if info else None, claim_ref=str(pk),
            class_ref=str(class_id or ""), class_end_date=info.cls.end_date if info else None,
            person_barred_until=barred(person, day),
            institution_unlisted=unlisted(info, day)))
    return facts


def batch_history(person_ids: Iterable[int]) -> dict[str, list[t.PriorSubsidy]]:
    """Every earlier subsidy of the persons by person key, one read per chunk of 5,000
    persons. The claims being evaluated are in it: the rules skip a claim's own entry
    (`claim_ref`)."""
    persons = sorted({p for p in person_ids if p})
    history: dict[str, list[t.PriorSubsidy]] = {}
    for i in range(0, len(persons), CHUNK):
        for pid, entries in evaluation.history_for(persons[i:i + CHUNK]).items():
            history[str(pid)] = entries
    return history


def published_index() -> loader.ParameterIndex:
    """Every published (or superseded) parameter set, indexed once for the batch."""
    return loader.ParameterIndex(
        loader.raw_from_json(parsed) for parsed in ParameterSet.objects.filter(
            status__in=[ParameterStatus.PUBLISHED, ParameterStatus.SUPERSEDED])
        .values_list("parsed", flat=True))


def _resolver(index: loader.ParameterIndex):
    memo: dict[tuple, t.ParameterSet | None] = {}

    def params_for(facts: t.ClaimFacts) -> t.ParameterSet | None:
        key = (facts.region_code, facts.claim_date)
        if key not in memo:
            memo[key] = index.in_force(*key)
        return memo[key]
    return params_for


def decide_many(facts: list[t.ClaimFacts], history, params_for) -> list[t.Decision]:
    """`engine.evaluate_many` in order, `no_parameters` where no set is in force (as
    evaluation.decide answers)."""
    ruled = [f for f in facts if params_for(f) is not None]
    decided = iter(engine.evaluate_many(ruled, history, params_for))
    return [next(decided) if params_for(f) is not None else evaluation.decide(f, [], None)
            for f in facts]


def _common_region(codes: set[str]) -> str:
    """The smallest region holding every claim (for the audit event's scope)."""
    for width, pad in ((12, ""), (6, ""), (4, "00"), (2, "0000")):
        heads = {c[:width] for c in codes}
        if len(heads) == 1:
            head = heads.pop()
            return head + pad if width < 6 else head
    return ""


def _store(actor, rows: list[tuple], decisions: list[t.Decision]) -> tuple[int, int]:
    """Write every decision (one executemany of UPDATE by primary key, only while the claim
    is a draft) and a history entry for each claim refused now; answers (changed: amount,
    status, version or refusal differ from what was stored; newly refused)."""
    table = SubsidyClaim._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (f"UPDATE {table} SET amount = %s, shares = %s, steps = %s, parameter_version = %s, "
           "refusal_code = %s, status = %s, status_changed_at = "
           "CASE WHEN %s = 1 THEN %s ELSE status_changed_at END "
           "WHERE id = %s AND status = %s")
    params, refused_now, changed = [], [], 0
    for row, d in zip(rows, decisions, strict=True):
        pk, status, amount, version, code = row[0], row[13], row[14], row[15], row[16]
        target = ClaimStatus.DRAFT if d.allowed else ClaimStatus.REFUSED
        moved = target != status
        if moved:
            refused_now.append((pk, d.refusal_code or ""))
        if moved or (amount, version, code or "") != (d.amount, d.parameter_version,
                                                      d.refusal_code or ""):
            changed += 1
        params.append((
            d.amount, json.dumps({k: str(v) for k, v in d.shares.items()}),
            json.dumps([s.as_dict() for s in d.steps], default=str, ensure_ascii=False),
            d.parameter_version, d.refusal_code or "", target, int(moved), now, pk,
            ClaimStatus.DRAFT))
    if connection.vendor == "postgresql":
        _store_copy(table, params, now)
    else:
        with connection.cursor() as cursor:
            for i in range(0, len(params), CHUNK):
                cursor.executemany(sql, params[i:i + CHUNK])
    entries = [ClaimStatusChange(claim_id=pk, **transition_values(
        actor=actor, from_status=ClaimStatus.DRAFT, to_status=ClaimStatus.REFUSED,
        action="evaluate", note={"refusal_code": code})) for pk, code in refused_now]
    ClaimStatusChange.objects.bulk_create(entries, batch_size=CHUNK)
    return changed, len(refused_now)


def _store_copy(table: str, params: list[tuple], now) -> None:
    """PostgreSQL: the decisions COPied into a temporary table, then one UPDATE … FROM it (the
    same rows and conditions as the executemany: only claims still in draft change)."""
    stage = "subsidy_evaluation_stage"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(f"CREATE TEMP TABLE {stage} (amount numeric, shares text, steps text, "
                       "parameter_version text, refusal_code text, status text, moved integer, "
                       "id bigint) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {stage} FROM STDIN") as copy:
            for amount, shares, steps, version, code, status, moved, _now, pk, _draft in params:
                copy.write_row((amount, shares, steps, version, code, status, moved, pk))
        cursor.execute(
            f"UPDATE {table} AS c SET amount = s.amount, shares = s.shares::jsonb, "
            "steps = s.steps::jsonb, parameter_version = s.parameter_version, "
            "refusal_code = s.refusal_code, status = s.status, status_changed_at = "
            "CASE WHEN s.moved = 1 THEN %s ELSE c.status_changed_at END "
            f"FROM {stage} AS s WHERE c.id = s.id AND c.status = %s", [now, ClaimStatus.DRAFT])
        cursor.execute(f"DROP TABLE {stage}")


def claim_batch_evaluate(*, actor, claim_ids: Iterable[int]) -> BatchEvaluation:
    """Evaluate draft claims again, in one batch, with today's parameters and history, and
    store each decision with its explanation (a draft the rules now refuse becomes refused,
    with the rule's code). The claimant (the filing organization's operators) or HRSS staff
    over the claims' regions; all or nothing. One audit event for the batch with its counts.
    """
    ids = _ids(claim_ids)
    result = BatchEvaluation()
    t0 = time.perf_counter()
    with transaction.atomic():
        rows = _read(actor, ids)
        facts = stored_facts(rows)
        t1 = time.perf_counter()
        history = batch_history(r[2] for r in rows)
        # An employment uplift has no person: its history is its class's uplifts.
        for class_id in {r[11] for r in rows if r[1] == t.EMPLOYMENT_UPLIFT and r[11]}:
            history[f"class:{class_id}"] = evaluation.uplift_history(class_id)
        t2 = time.perf_counter()
        decisions = decide_many(facts, history, _resolver(published_index()))
        t3 = time.perf_counter()
        result.changed, result.newly_refused = _store(actor, rows, decisions)
        result.claims = len(rows)
        result.allowed = sum(1 for d in decisions if d.allowed)
        result.refused = dict(Counter(d.refusal_code for d in decisions if not d.allowed))
        orgs = {r[12] for r in rows}
        audit.record(actor=actor, action=AuditAction.UPDATE, entity_type=CLAIM,
                     label=f"{len(rows)} × {CLAIM} evaluated",
                     region_code=_common_region({r[4] for r in rows}),
                     organization_id=orgs.pop() if len(orgs) == 1 else None,
                     after={"evaluated": result.claims, "allowed": result.allowed,
                            "refused": result.refused, "changed": result.changed,
                            "newly_refused": result.newly_refused,
                            "first_id": ids[0], "last_id": ids[-1]})
        t4 = time.perf_counter()
    result.times = {"read": t1 - t0, "history": t2 - t1, "rules": t3 - t2, "store": t4 - t3,
                    "total": time.perf_counter() - t0}
    return result


"""The public full-text search: classes, institutions, occupations and policy clauses, set-based
on the database's own full-text index (PostgreSQL GIN over `to_tsvector('simple', tokens)`,
SQLite FTS5), with the typo- and pinyin-tolerant occupation search beside it.

Order of the results (the same on both databases, simple to explain):
1. results whose title holds the words before those where only the rest of the text does;
2. then by kind: classes, occupations, institutions, policy clauses;
3. then classes starting sooner first; then by title.

A query is first searched for documents holding every word; when none does, for documents
holding any of them (`mode` "any"); when still nothing is found and the occupation search
recognises the query (pinyin "dg", a typo "电王"), the best occupation's name is searched
instead (`corrected_to`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Case, F, IntegerField, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from jineng.core.errors import DomainError
from jineng.portal.models import SearchDocument, SearchKind
from jineng.portal.models.search import FTS_TABLE
from jineng.portal.rules import search as rules
from jineng.registry import selectors as registry
from jineng.registry.models import Occupation
from jineng.training.models import TrainingClass

OCCUPATION_SUGGESTIONS = 5


@dataclass(frozen=True)
class Citation:
    """Where a policy answer comes from, as its pack records it."""

    pack: str
    policy: str
    clause: str
    quote: str


@dataclass(frozen=True)
class Hit:
    kind: str
    kind_label: str
    title: str
    summary: str
    url: str
    region_code: str
    start_date: dt.date | None
    end_date: dt.date | None
    title_hit: bool
    citation: Citation | None


@dataclass
class SearchAnswer:
    query: str
    words: list[str]
    kind: str
    mode: str  # "all": every word; "any": some of them
    corrected_to: str
    count: int
    count_capped: bool
    limit: int
    offset: int
    hits: list[Hit] = field(default_factory=list)
    occupations: list[Occupation] = field(default_factory=list)

    @property
    def next_offset(self) -> int | None:
        following = self.offset + self.limit
        return following if following < min(self.count, rules.COUNT_CAP) else None

    @property
    def previous_offset(self) -> int | None:
        return max(0, self.offset - self.limit) if self.offset else None


def check_query(q: str | None, *, kind: str = "", limit: int = rules.DEFAULT_PAGE_SIZE,
                offset: int = 0) -> str:
    """The query stripped, or DomainError naming the field at fault."""
    problem = rules.query_problem(q)
    if problem is not None and problem.code == "max_length":
        raise DomainError(_("The search words may be at most %(n)s characters long.")
                          % {"n": problem.limit}, field="q", code="max_length")
    if problem is not None:
        raise DomainError(_("Enter the words to search for."), field="q", code="required")
    if kind and kind not in SearchKind.values:
        raise DomainError(_("Unknown kind of result: %(kind)s.") % {"kind": kind[:40]},
                          field="kind", code="invalid_choice")
    bound = rules.page_bounds(limit, offset)
    if bound is not None:
        name, top = bound
        message = (_("Between 1 and %(n)s results per page.") if name == "limit"
                   else _("At most %(n)s; narrow the search instead."))
        raise DomainError(message % {"n": top}, field=name, code="out_of_range")
    return (q or "").strip()


def _match(words: list[str], *, every: bool, title_only: bool = False) -> RawSQL:
    table = SearchDocument._meta.db_table
    if connection.vendor == "postgresql":
        column = "title_tokens" if title_only else "tokens"
        return RawSQL(f"to_tsvector('simple'::regconfig, \"{table}\".\"{column}\") @@ "
                      "to_tsquery('simple'::regconfig, %s)", [rules.tsquery(words, every=every)],
                      output_field=BooleanField())
    expression = rules.fts5_query(words, every=every,
                                  column="title_tokens" if title_only else "")
    return RawSQL(f"\"{table}\".\"id\" IN (SELECT rowid FROM \"{FTS_TABLE}\" "
                  f"WHERE \"{FTS_TABLE}\" MATCH %s)", [expression], output_field=BooleanField())


KIND_RANK = Case(*[When(kind=k, then=Value(i)) for i, k in enumerate(rules.KIND_ORDER)],
                 default=Value(len(rules.KIND_ORDER)), output_field=IntegerField())


def matching(*, actor, words: list[str], every: bool = True, kind: str = "") -> QuerySet:
    """Documents holding the words (every one, or any), best first."""
    found = SearchDocument.objects.visible_to(actor).filter(_match(words, every=every))
    if kind:
        found = found.filter(kind=kind)
    # Ranking reads each candidate's title: it ranks the first COUNT_CAP matches the index
    # gives (all of them for any query but a very common word), so a word found in 300,000
    # documents costs as much as one found in 1,000.
    qs = SearchDocument.objects.filter(
        id__in=found.order_by().values("id")[: rules.COUNT_CAP])
    return qs.annotate(title_hit=_match(words, every=every, title_only=True),
                       kind_rank=KIND_RANK).order_by(
        F("title_hit").desc(), "kind_rank", F("start_date").asc(nulls_last=True), "title", "id")


def _count(qs: QuerySet) -> tuple[int, bool]:
    n = qs.order_by().values("id")[: rules.COUNT_CAP + 1].count()
    return min(n, rules.COUNT_CAP), n > rules.COUNT_CAP


def _url(doc: SearchDocument) -> str:
    try:
        if doc.kind == SearchKind.CLASS:
            return reverse("portal:site_class", args=[doc.training_class_id])
        if doc.kind == SearchKind.INSTITUTION:
            return reverse("portal:site_institution", args=[doc.organization_id])
        if doc.kind == SearchKind.OCCUPATION:
            return reverse("portal:search") + "?" + urlencode({"q": doc.title, "kind": "class"})
    except NoReverseMatch:
        return ""
    return ""


def _hit(doc: SearchDocument) -> Hit:
    citation = None
    if doc.kind == SearchKind.CLAUSE:
        citation = Citation(pack=doc.pack_key, policy=doc.pack_title, clause=doc.clause,
                            quote=doc.quote)
    return Hit(kind=doc.kind, kind_label=str(SearchKind(doc.kind).label), title=doc.title,
               summary=doc.summary, url=_url(doc), region_code=doc.region_code,
               start_date=doc.start_date, end_date=doc.end_date, title_hit=bool(doc.title_hit),
               citation=citation)


def _page(*, actor, qs: QuerySet, limit: int, offset: int) -> list[Hit]:
    docs = list(qs.only("kind", "title", "summary", "region_code", "start_date", "end_date",
                        "training_class_id", "organization_id", "occupation_id", "pack_key",
                        "pack_title", "clause", "quote")[offset:offset + limit])
    # The index holds public classes only; a class that stopped being public since it was
    # indexed (its sync not yet run) is left out rather than shown.
    class_ids = [d.training_class_id for d in docs if d.kind == SearchKind.CLASS]
    if class_ids:
        visible = set(TrainingClass.objects.visible_to(actor).filter(id__in=class_ids)
                      .values_list("id", flat=True))
        docs = [d for d in docs if d.kind != SearchKind.CLASS or d.training_class_id in visible]
    return [_hit(d) for d in docs]


def search(*, actor, q: str | None, kind: str = "", limit: int = rules.DEFAULT_PAGE_SIZE,
           offset: int = 0) -> SearchAnswer:
    """One page of results for a query (see the module docstring for the order)."""
    query = check_query(q, kind=kind, limit=limit, offset=offset)
    words = rules.query_words(query)
    if not words:  # only function words (的, 和 …)
        raise DomainError(_("Enter the words to search for."), field="q", code="required")
    occupations: list[Occupation] = []
    if kind in ("", SearchKind.OCCUPATION) and offset == 0:
        occupations = registry.occupation_search(query, limit=OCCUPATION_SUGGESTIONS)
    answer = SearchAnswer(query=query, words=words, kind=kind, mode="all", corrected_to="",
                          count=0, count_capped=False, limit=limit, offset=offset,
                          occupations=occupations)
    qs = matching(actor=actor, words=words, kind=kind)
    count, capped = _count(qs)
    if not count and len(words) > 1:
        qs = matching(actor=actor, words=words, every=False, kind=kind)
        count, capped = _count(qs)
        answer.mode = "any"
    if not count and occupations and occupations[0].name != query:
        corrected = occupations[0].name
        words = rules.query_words(corrected)
        qs = matching(actor=actor, words=words, kind=kind)
        count, capped = _count(qs)
        answer.mode, answer.corrected_to, answer.words = "all", corrected, words
    answer.count, answer.count_capped = count, capped
    if count:
        answer.hits = _page(actor=actor, qs=qs, limit=limit, offset=offset)
    return answer

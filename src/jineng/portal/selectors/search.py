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

Bounded by design (`ranked`): each attempt reads at most COUNT_CAP + 1 documents whose title
holds the words and then documents where only the rest does, up to COUNT_CAP + 1 in all, from
the index without asking it for an order (it streams and stops), and ranks those here; a page
then reads its documents by id. A very common word (培训 in 300,000 documents) costs what a rare
one does. (The earlier form nested the match inside an `id IN (…)` subquery whose raw SQL named
the outer table: SQLite ran it once per document, which never finished at tier M.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField
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
    """PostgreSQL: the document's tokens (or title tokens) match the words."""
    table = SearchDocument._meta.db_table
    column = "title_tokens" if title_only else "tokens"
    return RawSQL(f"to_tsvector('simple'::regconfig, \"{table}\".\"{column}\") @@ "
                  "to_tsquery('simple'::regconfig, %s)", [rules.tsquery(words, every=every)],
                  output_field=BooleanField())


@dataclass(frozen=True)
class Candidate:
    id: int
    kind: str
    start_date: dt.date | None
    title: str
    title_hit: bool = False

    def rank(self) -> tuple:
        kind = (rules.KIND_ORDER.index(self.kind) if self.kind in rules.KIND_ORDER
                else len(rules.KIND_ORDER))
        return (not self.title_hit, kind, self.start_date is None,
                self.start_date or dt.date.min, self.title, self.id)


def _candidates(*, actor, words: list[str], every: bool, kind: str, title_only: bool,
                limit: int) -> list[Candidate]:
    """At most `limit` matching documents as the index gives them (no order asked: the index
    streams and stops at the limit, whatever the number of matches)."""
    if connection.vendor == "postgresql":
        # Both token columns have a GIN index (the title's: migration 0004); the title's words
        # are among the document's, so a title match is a match.
        qs = SearchDocument.objects.visible_to(actor).filter(
            _match(words, every=every, title_only=title_only))
        if kind:
            qs = qs.filter(kind=kind)
        rows = qs.order_by().values_list("id", "kind", "start_date", "title")[:limit]
    else:
        # The FTS5 table drives a join by rowid (CROSS JOIN fixes SQLite's join order), so
        # SQLite reads only `limit` matches. (An `id IN (SELECT rowid … MATCH …)` would list
        # every match first: 300,000 for 培训.) A kind is matched in the FTS table's own `kind`
        # column, so a kind with few documents is not found by walking a common word's
        # matches. Every document is public (SearchDocumentQuerySet): no scope here.
        table = SearchDocument._meta.db_table
        expression = rules.fts5_query(words, every=every,
                                      column="title_tokens" if title_only else "")
        if kind:
            expression = f'kind : "{kind}" AND ({expression})'
        sql = (f'SELECT d."id", d."kind", d."start_date", d."title" FROM "{FTS_TABLE}" f '
               f'CROSS JOIN "{table}" d ON d."id" = f.rowid WHERE "{FTS_TABLE}" MATCH %s')
        params: list = [expression]
        sql += " LIMIT %s"
        params.append(limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [(pk, k, _date(start), title) for pk, k, start, title in cursor.fetchall()]
    return [Candidate(pk, k, start, title, title_only) for pk, k, start, title in rows]


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def ranked(*, actor, words: list[str], every: bool = True, kind: str = ""
           ) -> tuple[list[Candidate], bool]:
    """The matching documents best first, at most COUNT_CAP, and whether more match.

    Bounded by design, whatever the number of matches: at most COUNT_CAP + 1 documents whose
    title holds the words, then documents where only the rest of the text does to fill up to
    COUNT_CAP + 1 — two index reads of at most ~2,000 short rows, ranked here (module
    docstring). With more than COUNT_CAP title matches, the first COUNT_CAP the index gives
    are ranked (a very common word: narrow the words to reach the others)."""
    cap = rules.COUNT_CAP + 1
    found = _candidates(actor=actor, words=words, every=every, kind=kind, title_only=True,
                        limit=cap)
    if len(found) < cap:
        seen = {c.id for c in found}
        for c in _candidates(actor=actor, words=words, every=every, kind=kind,
                             title_only=False, limit=cap + len(found)):
            if c.id not in seen:
                found.append(c)
                seen.add(c.id)
                if len(found) >= cap:
                    break
    capped = len(found) > rules.COUNT_CAP
    return sorted(found[: rules.COUNT_CAP], key=Candidate.rank), capped


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


def _page(*, actor, found: list[Candidate], limit: int, offset: int) -> list[Hit]:
    window = found[offset:offset + limit]
    rows = SearchDocument.objects.visible_to(actor).filter(id__in=[c.id for c in window]).only(
        "kind", "title", "summary", "region_code", "start_date", "end_date",
        "training_class_id", "organization_id", "occupation_id", "pack_key", "pack_title",
        "clause", "quote")
    by_id = {d.pk: d for d in rows}
    docs = []
    for c in window:
        doc = by_id.get(c.id)
        if doc is not None:
            doc.title_hit = c.title_hit
            docs.append(doc)
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
    found, capped = ranked(actor=actor, words=words, kind=kind)
    if not found and len(words) > 1:
        found, capped = ranked(actor=actor, words=words, every=False, kind=kind)
        answer.mode = "any"
    if not found and occupations and occupations[0].name != query:
        corrected = occupations[0].name
        words = rules.query_words(corrected)
        found, capped = ranked(actor=actor, words=words, kind=kind)
        answer.mode, answer.corrected_to, answer.words = "all", corrected, words
    answer.count, answer.count_capped = len(found), capped
    if found:
        answer.hits = _page(actor=actor, found=found, limit=limit, offset=offset)
    return answer

"""The public full-text search API (anonymous, paginated, rate-limited): classes, institutions,
occupations and policy clauses; each policy answer cites its clause.

Bad input answers 422 with the field at fault (`q` empty or longer than 100 characters, an
unknown `kind`, `limit` outside 1–50, `offset` above 1,000) in the request's language. Over the
rate limit: 429 with Retry-After (page and API count together per client address).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jineng.core.api import PUBLIC_SECURITY, ErrorOut, public_auth
from jineng.core.errors import DomainError
from jineng.portal.rules import search as rules
from jineng.portal.selectors import search as selectors
from jineng.portal.services import search as services

router = Router(tags=["portal"])

PUBLIC = {"auth": public_auth(), "openapi_extra": {"security": PUBLIC_SECURITY}}


class SearchQueryIn(Schema):
    q: str = Field("", description=f"the words to search for (Chinese, pinyin, an occupation "
                                   f"code), at most {rules.MAX_QUERY_CHARS} characters")
    kind: str = Field("", description="only this kind: class | institution | occupation | "
                                      "clause; empty: all")
    limit: int = Field(rules.DEFAULT_PAGE_SIZE,
                       description=f"results per page, 1–{rules.MAX_PAGE_SIZE}")
    offset: int = Field(0, description=f"results to skip, at most {rules.COUNT_CAP}")


class CitationOut(Schema):
    pack: str = Field(description="the policy pack's key, e.g. guizhou-2025-2027")
    policy: str = Field(description="the policy's title")
    clause: str = Field(description="the clause as the pack records it, e.g. 二、（一）")
    quote: str = Field(description="the clause's words the item rests on")


class HitOut(Schema):
    kind: str = Field(description="class | institution | occupation | clause")
    kind_label: str
    title: str
    summary: str
    url: str = Field(description="the result's public page ('' when it has none)")
    region_code: str
    start_date: dt.date | None
    end_date: dt.date | None
    title_hit: bool = Field(description="the title holds the words (ranked first)")
    citation: CitationOut | None = Field(description="for a policy clause: where it comes from")


class OccupationMatchOut(Schema):
    id: int
    code: str
    name: str
    match: str = Field(description="how it matched: name, code, initials, pinyin, homophone, "
                                   "typo")


class SearchOut(Schema):
    query: str
    words: list[str] = Field(description="the words searched for (jieba's cut)")
    kind: str
    mode: str = Field(description="all: results hold every word; any: none did, results "
                                  "hold some")
    corrected_to: str = Field(description="nothing matched the query; results are for this "
                                          "occupation's name instead ('' otherwise)")
    count: int = Field(description=f"matches, counted up to {rules.COUNT_CAP}")
    count_capped: bool = Field(description=f"more than {rules.COUNT_CAP} matches")
    limit: int
    offset: int
    next_offset: int | None
    occupations: list[OccupationMatchOut] = Field(
        description="occupations for the query, typo- and pinyin-tolerant (first page only)")
    results: list[HitOut]


@router.get("/search", response={200: SearchOut, 422: ErrorOut, 429: ErrorOut}, **PUBLIC,
            operation_id="portal_search",
            summary="Search classes, institutions, occupations and policy clauses (全文检索)")
def search(request, response: HttpResponse, filters: Query[SearchQueryIn]):
    decision = services.search_hit(request)
    if not decision.allowed:
        response["Retry-After"] = str(decision.retry_after)
        return Status(429, {"detail": [{"field": "", "code": "throttled", "message": _(
            "Too many searches; try again in %(n)s seconds.") % {"n": decision.retry_after}}]})
    try:
        answer = selectors.search(actor=request.auth, q=filters.q, kind=filters.kind,
                                  limit=filters.limit, offset=filters.offset)
    except DomainError as refused:
        return Status(422, {"detail": [refused.as_dict()]})
    return {
        "query": answer.query, "words": answer.words, "kind": answer.kind, "mode": answer.mode,
        "corrected_to": answer.corrected_to, "count": answer.count,
        "count_capped": answer.count_capped, "limit": answer.limit, "offset": answer.offset,
        "next_offset": answer.next_offset,
        "occupations": [{"id": o.pk, "code": o.code or "", "name": o.name,
                         "match": getattr(o, "search_match", "")} for o in answer.occupations],
        "results": [{**hit.__dict__, "citation": hit.citation.__dict__ if hit.citation else None}
                    for hit in answer.hits],
    }

"""Pure rules of the public full-text search: Chinese tokenization (jieba, search mode), the
query a visitor types turned into database full-text queries (PostgreSQL tsquery, SQLite
FTS5), the limits of a query and the order of the results. No Django.

Citations: Zhejiang 技能促富 action plan 2025–2027 (draft) 二(二): "设置培训专栏,公开培训信息
导航图,为劳动者检索培训信息和自主选择培训提供便捷服务"; Hunan 终身职业技能培训制度 实施意见
(十一) "完善职业技能培训公共服务体系".

Tokens. A document is cut by jieba in search mode (`cut_for_search`: every word of the precise
cut plus the shorter dictionary words inside it, so "培训班" is indexed as 培训 and 培训班), a
query by jieba's precise cut ("电工培训班" → 电工, 培训班). Both are normalized the same way
(NFKC full-width → half-width, lower case), split into runs of letters and digits (punctuation
dropped) and stripped of a few function words (STOP_WORDS). The database sees the tokens
joined by spaces, so its own parser (PostgreSQL `simple`, SQLite `unicode61`) only splits at
the spaces: the tokenizer is jieba's, on both databases.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass

import jieba

# jieba attaches its own stderr handler to its logger; drop it so its lines go through the
# project's logging configuration (and its filter that masks ID numbers) like every other's.
for _handler in list(logging.getLogger("jieba").handlers):
    logging.getLogger("jieba").removeHandler(_handler)

MAX_QUERY_CHARS = 100  # a longer query is refused (field `q`), before it is cut into words
MAX_QUERY_WORDS = 12  # words beyond these are ignored (a pasted paragraph is not a query)
MAX_PAGE_SIZE = 50
DEFAULT_PAGE_SIZE = 20
# Counting the matches of a very common word (培训) would read most of the index: the count
# stops at COUNT_CAP and the page says "more than COUNT_CAP".
COUNT_CAP = 1000

# Function words that carry no meaning for the search (kept out of the index and the query).
STOP_WORDS = frozenset({"的", "了", "和", "与", "及", "或", "在", "是", "等", "对", "为", "之"})
# Terms of the seed policies jieba's dictionary does not know as one word.
DOMAIN_WORDS = ("新八级工", "高技能人才", "技能人才", "技工院校", "订单班", "定岗班", "冠名班",
                "新型学徒制", "以工代训", "技能培训", "培训圈", "首席技师", "特级技师",
                "高级技师", "技能提升补贴", "职业技能培训", "一试双证", "考培分离")

_RUN = re.compile(r"[^\W_]+")
_jieba_ready = threading.Lock()
_initialized = False


def _ready() -> None:
    global _initialized
    if _initialized:
        return
    with _jieba_ready:
        if not _initialized:
            jieba.setLogLevel(60)  # jieba logs "Building prefix dict…" at INFO
            jieba.initialize()
            for word in DOMAIN_WORDS:
                jieba.add_word(word)
            _initialized = True


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _runs(pieces) -> list[str]:
    out: list[str] = []
    for piece in pieces:
        for run in _RUN.findall(normalize(piece)):
            if run not in STOP_WORDS:
                out.append(run)
    return out


def index_tokens(*texts: str) -> str:
    """The tokens of a document's texts (search mode), each once, joined by spaces."""
    _ready()
    seen: dict[str, None] = {}
    for text in texts:
        if text:
            for token in _runs(jieba.cut_for_search(normalize(text))):
                seen.setdefault(token, None)
    return " ".join(seen)


def query_words(q: str) -> list[str]:
    """The words of a query (precise cut), each once, at most MAX_QUERY_WORDS."""
    _ready()
    seen: dict[str, None] = {}
    for token in _runs(jieba.cut(normalize(q))):
        seen.setdefault(token, None)
    return list(seen)[:MAX_QUERY_WORDS]


@dataclass(frozen=True)
class QueryProblem:
    code: str  # required, max_length
    limit: int = 0


def query_problem(q: str | None) -> QueryProblem | None:
    """What is wrong with a query before it is searched: empty (or only punctuation) or
    longer than MAX_QUERY_CHARS."""
    text = (q or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        return QueryProblem("max_length", MAX_QUERY_CHARS)
    if not text or not _RUN.search(normalize(text)):
        return QueryProblem("required")
    return None


def tsquery(words: list[str], *, every: bool = True) -> str:
    """A PostgreSQL `to_tsquery('simple', …)` text: every word (AND) or any (OR). Words are
    runs of letters and digits, so quoting them is enough."""
    joiner = " & " if every else " | "
    return joiner.join(f"'{w}'" for w in words)


def fts5_query(words: list[str], *, every: bool = True, column: str = "") -> str:
    """An SQLite FTS5 MATCH expression; `column` restricts it to one column (the title)."""
    joiner = " AND " if every else " OR "
    expression = joiner.join(f'"{w}"' for w in words)
    return f"{column} : ({expression})" if column else expression


# The order of the kinds among results that hit equally (classes first: what a worker is
# looking for), then newer classes first, then by title.
KIND_ORDER = ("class", "occupation", "institution", "clause")


def page_bounds(limit: int | None, offset: int | None) -> tuple[str, int] | None:
    """(field, bound) of the first out-of-range paging value, or None when both are fine."""
    if limit is not None and not 1 <= limit <= MAX_PAGE_SIZE:
        return "limit", MAX_PAGE_SIZE
    if offset is not None and not 0 <= offset <= COUNT_CAP:
        return "offset", COUNT_CAP
    return None

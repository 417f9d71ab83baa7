"""Pure rules of the public search: jieba tokens, query words, query limits and the full-text
query texts (table-driven; no database)."""

import pytest

from jineng.portal.rules import search as r


@pytest.mark.parametrize("text, present", [
    ("电工培训班", {"电工", "培训", "培训班"}),  # search mode: the word and the words inside it
    ("中式烹调师（四级）", {"中式", "烹调", "烹调师", "四级"}),
    ("ＣＡＤ制图员", {"cad", "制图"}),  # full-width → half-width, lower case
    ("新八级工制度", {"新八级工"}),  # a domain word kept whole
])
def test_index_tokens(text, present):
    tokens = r.index_tokens(text).split(" ")
    assert present <= set(tokens)
    assert len(tokens) == len(set(tokens))  # each once
    assert not {"（", "）", "的"} & set(tokens)


@pytest.mark.parametrize("q, words", [
    ("电工培训班", ["电工", "培训班"]),
    ("养老 南明", ["养老", "南明"]),
    ("电工的培训", ["电工", "培训"]),  # function words dropped
    ("电工 电工", ["电工"]),  # once
])
def test_query_words(q, words):
    assert r.query_words(q) == words


def test_query_words_are_capped():
    assert len(r.query_words(" ".join(f"词{i}" for i in range(40)))) == r.MAX_QUERY_WORDS


@pytest.mark.parametrize("q, code", [
    (None, "required"), ("", "required"), ("  \t", "required"), ("？！。，", "required"),
    ("电" * 101, "max_length"), ("电" * 100, None), ("dg", None),
])
def test_query_problem(q, code):
    problem = r.query_problem(q)
    assert (problem.code if problem else None) == code


def test_database_queries():
    assert r.tsquery(["电工", "培训"]) == "'电工' & '培训'"
    assert r.tsquery(["电工", "培训"], every=False) == "'电工' | '培训'"
    assert r.fts5_query(["电工", "培训"]) == '"电工" AND "培训"'
    assert r.fts5_query(["电工"], column="title_tokens") == 'title_tokens : ("电工")'


@pytest.mark.parametrize("limit, offset, problem", [
    (20, 0, None), (1, 1000, None), (0, 0, ("limit", 50)), (51, 0, ("limit", 50)),
    (20, -1, ("offset", 1000)), (20, 1001, ("offset", 1000)),
])
def test_page_bounds(limit, offset, problem):
    assert r.page_bounds(limit, offset) == problem

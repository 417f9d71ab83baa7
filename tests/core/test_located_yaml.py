"""The shared YAML reader with line numbers (plans' policy packs, subsidy parameter files)."""

import datetime as dt

from jineng.core.located_yaml import YamlIssue, load_located, path_text

TEXT = """\
title: a plan
period:
  start: 2025-01-01
targets:
  - id: t1
    value: 3
  -
    id: t2
1: one
"""


def test_lines_of_mapping_keys_and_list_items():
    located = load_located(TEXT)
    assert located.issues == []
    assert located.line(("title",)) == 1
    assert located.line(("period", "start")) == 3
    assert located.line(("targets", 0)) == 5      # the item's `- ` line
    assert located.line(("targets", 0, "value")) == 6
    assert located.line(("targets", 1, "id")) == 8
    assert located.value_line(("targets", 1)) == 8  # the mapping begins below its `-`
    assert located.line(("targets", 0, "missing")) == 5  # the nearest enclosing path
    assert located.line(("nowhere",)) == 1  # the root value
    assert located.data["period"]["start"] == dt.date(2025, 1, 1)
    assert "1" in located.data  # keys are text unless asked otherwise
    assert path_text(("targets", 1, "id")) == "targets[1].id"


def test_options_keep_int_keys_and_give_dates_as_text():
    located = load_located(TEXT, int_keys=True, dates_as_text=True)
    assert located.data[1] == "one"
    assert located.data["period"]["start"] == "2025-01-01"


def test_syntax_error_is_an_issue_with_its_line():
    located = load_located("a: 1\nb: [1, 2\nc: 3\n")
    assert located.data is None
    [issue] = located.issues
    assert isinstance(issue, YamlIssue) and issue.code == "yaml_syntax"
    assert issue.line == 3 and issue.params["problem"]


def test_duplicate_key_and_the_callers_issue_type():
    def issue(line, path, code, params):
        return (line, path, code, params)

    located = load_located("a:\n  b: 1\n  b: 2\n", issue=issue)
    assert located.issues == [(3, "a.b", "duplicate_key", {"key": "b"})]
    assert located.data == {"a": {"b": 2}}


def test_unconstructible_scalars_stay_text():
    # 2025-13-01 looks like a date but is none; the caller reports it on its line
    located = load_located("start: 2025-13-01\n", dates_as_text=True)
    assert located.issues == [] and located.data == {"start": "2025-13-01"}

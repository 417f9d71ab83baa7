"""The evaluator-code rule (人社鉴发〔2019〕2号), table-driven."""

import pytest

from jineng.assessment.rules import evaluator_codes as ec

OK = {"organization_kind": "evaluation", "letter": "S", "filed_with": "province",
      "ministry_code": "", "site_code": "000123"}


@pytest.mark.parametrize(("change", "expected"), [
    ({}, []),
    ({"organization_kind": "training"}, []),
    ({"organization_kind": "enterprise", "letter": "Y"}, []),
    ({"filed_with": "ministry", "ministry_code": "0001"}, []),
    ({"letter": "Y"}, [("letter", "letter_mismatch")]),
    ({"organization_kind": "enterprise"}, [("letter", "letter_mismatch")]),
    ({"letter": "X"}, [("letter", "invalid")]),
    ({"filed_with": "city"}, [("filed_with", "invalid")]),
    ({"filed_with": "ministry"}, [("ministry_code", "required")]),
    ({"filed_with": "ministry", "ministry_code": "0000"}, [("ministry_code", "invalid")]),
    ({"filed_with": "ministry", "ministry_code": "12a4"}, [("ministry_code", "invalid")]),
    ({"filed_with": "ministry", "ministry_code": "12345"}, [("ministry_code", "invalid")]),
    ({"ministry_code": "0001"}, [("ministry_code", "not_for_province")]),
    ({"site_code": "12345"}, [("site_code", "invalid")]),
    ({"site_code": "000000"}, [("site_code", "invalid")]),
    ({"site_code": "12345６"}, [("site_code", "invalid")]),
])
def test_problems(change, expected):
    assert ec.problems(**{**OK, **change}) == expected

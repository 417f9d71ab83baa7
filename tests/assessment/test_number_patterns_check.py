"""G7: the per-province number patterns (JINENG_CERTIFICATE_NUMBER_PATTERNS, JSON from the
environment) are checked at start-up by a Django system check registered by the app."""

from __future__ import annotations

import pytest
from django.core import checks
from django.test import override_settings

from jineng.assessment.checks import check_number_patterns


def _ids(configured) -> list[str]:
    with override_settings(JINENG_CERTIFICATE_NUMBER_PATTERNS=configured):
        return [e.id for e in check_number_patterns()]


def test_a_good_configuration_passes():
    assert _ids({}) == []
    assert _ids({"52": {"special_ability": "ZX{province}{year4}{site:6}{seq:4}",
                        "training": "PX{region}-{year4}-{seq:5}"}}) == []


@pytest.mark.parametrize(("configured", "expected"), [
    (["52"], ["assessment.E001"]),
    ({"52": "ZX{seq:4}"}, ["assessment.E001"]),
    ({"99": {"training": "P{seq:5}"}}, ["assessment.E002"]),
    ({"520000": {"training": "P{seq:5}"}}, ["assessment.E002"]),
    ({"52": {"skill_level": "Y{seq:6}"}}, ["assessment.E003"]),
    ({"52": {"training": 12}}, ["assessment.E004"]),
    ({"52": {"special_ability": "zx{nope}{seq}"}}, ["assessment.E004"]),
    ({"52": {"training": "P{region}"}}, ["assessment.E004"]),  # no {seq}
    ({"52": {"training": "P{seq:4}{seq:4}"}}, ["assessment.E004"]),
    ({"52": {"training": "P" * 40 + "{seq:4}"}}, ["assessment.E004"]),
])
def test_a_bad_pattern_is_reported(configured, expected):
    assert _ids(configured) == expected


def test_the_message_names_the_province_and_kind():
    with override_settings(JINENG_CERTIFICATE_NUMBER_PATTERNS={
            "52": {"special_ability": "zx{nope}{seq}"}}):
        (error,) = check_number_patterns()
    assert "'52'" in error.msg and "'special_ability'" in error.msg and "zx{nope}{seq}" in error.msg
    assert error.level == checks.ERROR and "{seq:N}" in error.hint


def test_the_check_is_registered_and_runs_with_the_app():
    with override_settings(JINENG_CERTIFICATE_NUMBER_PATTERNS={"52": {"training": "bad"}}):
        found = checks.run_checks(tags=["assessment"])
    assert [e.id for e in found] == ["assessment.E004"]
    assert checks.run_checks(tags=["assessment"]) == []


def test_jineng_check_reports_a_bad_pattern_from_the_environment():
    """The real start-up path: JSON in the environment → settings → `jineng check` fails."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    jineng = Path(sys.executable).with_name("jineng")
    env = {**os.environ, "DJANGO_DEBUG": "1",
           "JINENG_CERTIFICATE_NUMBER_PATTERNS": '{"52": {"training": "PX{seq}"}}'}
    bad = subprocess.run([str(jineng), "check"], env=env, capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode != 0
    assert "assessment.E004" in bad.stderr and "['52']['training']" in bad.stderr
    env["JINENG_CERTIFICATE_NUMBER_PATTERNS"] = '{"52": {"training": "PX{year4}{seq:5}"}}'
    good = subprocess.run([str(jineng), "check"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert "assessment.E" not in good.stderr + good.stdout

"""The Chinese catalog: compiled, complete, used by default, and in the policies' words."""

from __future__ import annotations

import gettext
import importlib.util
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent

# msgids deliberately left untranslated (none so far); name each with its reason.
ALLOWED_UNTRANSLATED: set[str] = set()


def _load_script():
    """scripts/i18n.py, imported so that the test parses .po files exactly as the script does."""
    name = "jineng_i18n_script"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "i18n.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look the module up while it is created
        spec.loader.exec_module(module)
    return sys.modules[name]


i18n = _load_script()


@pytest.fixture(scope="module")
def entries():
    return [e for e in i18n.load_po(i18n.PO_PATH) if e.msgid]


def test_parser_reads_context_plurals_continuations_and_flags():
    text = '''# comment
#: a.py
#, fuzzy, python-format
msgctxt "class status"
msgid ""
"Two "
"lines\\n"
msgid_plural "%(n)s \\"many\\""
msgstr[0] "一"
"二"

msgid "plain"
msgstr "平"
'''
    first, second = i18n.parse_po(text)
    assert first.key == ("class status", "Two lines\n")
    assert first.msgid_plural == '%(n)s "many"'
    assert first.msgstr == ["一二"]
    assert first.flags == ["fuzzy", "python-format"]
    assert not first.translated  # fuzzy entries never count as translations
    assert (second.msgid, second.msgstr) == ("plain", ["平"])
    assert i18n.parse_po(i18n.format_po([first, second])) == [first, second]


def test_a_more_specific_fragment_wins_and_an_override_wins_over_it():
    pages = i18n.Candidate("pages", ("地区",))
    catalog = i18n.Candidate("catalog", ("适用地区",))
    lead_fill = i18n.Candidate("lead", ("区域",))
    refs = ["src/jineng/catalog/kinds.py", "src/jineng/catalog/forms.py",
            "src/jineng/registry/forms.py"]
    assert i18n.choose([pages, catalog, lead_fill], refs) == catalog
    assert i18n.choose([pages, lead_fill], []) == pages
    assert i18n.choose([lead_fill], refs) == lead_fill
    decision = i18n.Candidate("lead", ("地区",), override=True)
    assert i18n.choose([pages, catalog, decision], refs) == decision


def test_compiled_catalog_matches_the_po(entries):
    """The committed .mo is compiled from the committed .po (rerun scripts/i18n.py if not)."""
    with i18n.MO_PATH.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in entries:
        if not all(e.msgstr):
            continue
        if e.msgid_plural is not None:
            msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
            got = mo._catalog.get((msgid, 0))
        elif e.msgctxt is not None:
            got = mo.pgettext(e.msgctxt, e.msgid)
        else:
            got = mo.gettext(e.msgid)
        if got != e.msgstr[0]:
            stale.append(e.msgid)
    assert not stale, f"django.mo is out of date for {len(stale)} msgids, e.g. {stale[:5]}"
    assert len(mo._catalog) - 1 == sum(1 for e in entries if all(e.msgstr))  # minus header


def test_every_msgid_is_translated(entries):
    missing = [e.msgid for e in entries if not e.translated and e.msgid not in ALLOWED_UNTRANSLATED]
    assert not missing, f"{len(missing)} untranslated msgids, e.g. {missing[:10]}"


def test_no_fuzzy_entries(entries):
    assert not [e.msgid for e in entries if "fuzzy" in e.flags]


def test_placeholders_survive_translation(entries):
    """A translation keeps every %(name)s / {name} placeholder of its msgid."""
    import re

    pattern = re.compile(r"%\(\w+\)[sdif]|\{\w*\}")
    broken = [e.msgid for e in entries if all(e.msgstr) and any(
        sorted(pattern.findall(e.msgid_plural or e.msgid)) != sorted(pattern.findall(s))
        for s in e.msgstr)]
    assert not broken, broken


@pytest.mark.django_db
def test_pages_are_chinese_by_default(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get(reverse("accounts:login")).content.decode()
    assert "登录" in page
    assert "Log in" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["cookie", "header"])
def test_pages_are_english_on_request(client, settings, how):
    settings.LANGUAGE_CODE = "zh-hans"
    if how == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get(reverse("accounts:login"))
    else:
        page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Log in" in text
    assert "登录" not in text


def test_domain_labels_use_the_policies_words():
    from jineng.accounts.models import Role
    from jineng.registry.choices import InstitutionType, KeyGroup, OrganizationKind, RegionLevel

    expected = {
        KeyGroup.GRADUATE: "高校毕业生",
        KeyGroup.MIGRANT_WORKER: "农民工",
        KeyGroup.UNEMPLOYED: "失业人员",
        KeyGroup.HARD_TO_EMPLOY: "就业困难人员",
        KeyGroup.VETERAN: "退役军人",
        KeyGroup.DISABLED: "残疾人",
        KeyGroup.POVERTY_MONITORED: "防止返贫监测对象",
        KeyGroup.RELOCATED: "易地搬迁人员",
        KeyGroup.LEFT_BEHIND_WOMAN: "留守妇女",
        KeyGroup.ENTERPRISE_EMPLOYEE: "企业职工",
        OrganizationKind.TRAINING: "培训机构",
        OrganizationKind.EVALUATION: "评价机构",
        OrganizationKind.ENTERPRISE: "企业",
        InstitutionType.TECHNICIAN_COLLEGE: "技工院校",
        InstitutionType.VOCATIONAL_SCHOOL: "职业院校",
        InstitutionType.PRIVATE_TRAINING: "民办培训机构",
        InstitutionType.ENTERPRISE_CENTER: "企业培训中心",
        InstitutionType.PUBLIC_BASE: "公共实训基地",
        RegionLevel.PROVINCE: "省",
        RegionLevel.CITY: "市",
        RegionLevel.COUNTY: "县",
        RegionLevel.TOWN: "乡镇",
        RegionLevel.VILLAGE: "村",
    }
    roles = {"Province HRSS staff": "省级人社部门工作人员",
             "City HRSS staff": "市级人社部门工作人员",
             "County HRSS staff": "县级人社部门工作人员",
             "Industry department staff": "行业主管部门工作人员",
             "Training institution operator": "培训机构经办人",
             "Evaluation institution operator": "评价机构经办人",
             "Inspector": "监督检查人员",
             "System administrator": "系统管理员"}
    with translation.override("zh-hans"):
        got = {member: str(member.label) for member in expected}
        role_labels = {str(label) for label in Role.labels}
        words = {term: translation.gettext(term) for term in
                 ["Unified social credit code", "ID number", "Skill level", "Audit trail"]}
    assert got == expected
    assert set(roles.values()) <= role_labels
    assert words["Unified social credit code"] == "统一社会信用代码"
    assert words["ID number"] == "公民身份号码"
    assert words["Skill level"] == "技能等级"
    assert words["Audit trail"] == "审计日志"
    with translation.override("en"):
        assert str(KeyGroup.GRADUATE.label) == "College graduate"


def test_the_configured_default_language_is_simplified_chinese():
    # The module itself, not the per-test override of tests/conftest.py.
    from jineng.config import settings as project_settings

    assert project_settings.LANGUAGE_CODE == "zh-hans"
    assert project_settings.TIME_ZONE == "Asia/Shanghai"

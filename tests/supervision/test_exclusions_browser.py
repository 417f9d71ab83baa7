"""In a real browser (Chinese): a city's HRSS officer uploads a pension-drawer list with a
bad row (nothing written, the row and field named in Chinese), corrects it, imports it, and
sees the entries with masked ID numbers; importing it again changes nothing."""

from __future__ import annotations

import pytest

from jineng.accounts.models import Role
from jineng.supervision.models import ExclusionListEntry
from tests import factories as f
from tests.browser import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True,
                                                         serialized_rollback=True)]


def _write(tmp_path, name: str, rows: list[str]):
    path = tmp_path / name
    path.write_text("身份证号,姓名,起始日期,截止日期\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_city_officer_imports_a_pension_list(page, live_server, tmp_path):
    f.region(f.CITY)
    login(page, live_server, f.staff(Role.CITY_STAFF, f.CITY))
    good = f.id_number_for(n=7)
    page.goto(f"{live_server.url}/supervision/exclusions/")

    def upload(path):
        page.select_option("#id_list_kind", "pension")
        page.fill("#id_region", f.CITY)
        page.set_input_files("#id_file", str(path))
        with page.expect_navigation():
            page.locator("#import-form button[type=submit]").click()

    upload(_write(tmp_path, "bad.csv", [f"{good},张三,2024-01-01,", "123,李四,2024-02-01,"]))
    error = page.locator("#import-errors tr[data-row='3'][data-field='id_number']")
    assert "身份证" in error.inner_text()
    assert ExclusionListEntry.objects.count() == 0

    upload(_write(tmp_path, "good.csv", [f"{good},张三,2024-01-01,"]))
    assert page.locator("#import-report [data-count=created]").inner_text() == "1"
    row = page.locator("#exclusions tbody tr[data-kind=pension]")
    assert row.count() == 1 and good not in row.inner_text()
    assert good[:6] in row.inner_text() and good[-4:] in row.inner_text()

    upload(_write(tmp_path, "good.csv", [f"{good},张三,2024-01-01,"]))
    assert page.locator("#import-report [data-count=unchanged]").inner_text() == "1"
    assert ExclusionListEntry.objects.count() == 1

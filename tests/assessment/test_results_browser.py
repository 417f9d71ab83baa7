"""In a real browser: an assessor (an evaluation institution's operator) logs in, opens an
approved sitting's results, types the scores, is shown the row error for a score of 120 (and
nothing is saved), corrects it, saves, and sees who passed and who did not; once every
candidate has a result the sitting's results are recorded and the close button appears."""

from __future__ import annotations

import pytest

from jineng.assessment.choices import SittingStatus
from jineng.assessment.models import AssessmentSitting, Candidate
from tests.assessment.results_support import D, results_world
from tests.browser import login

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_assessor_enters_results(page, live_server):
    w = results_world()
    a, b, c = w.candidates
    login(page, live_server, w.operator)
    page.goto(f"{live_server.url}/assessment/sittings/{w.sitting.pk}/")
    with page.expect_navigation():
        page.click("#results-link")
    assert page.url.endswith(f"/assessment/sittings/{w.sitting.pk}/results/")
    grid = page.locator("#results-grid")
    assert grid.locator("tbody tr[data-candidate]").count() == 3
    assert a.person.id_masked in grid.inner_text()
    for cell in grid.locator("td.result").all():
        assert cell.get_attribute("data-result") == "none"

    grid.locator(f"input[name=theory_{a.pk}]").fill("85")
    grid.locator(f"input[name=practical_{a.pk}]").fill("72.5")
    grid.locator(f"input[name=theory_{b.pk}]").fill("120")
    grid.locator(f"input[name=practical_{b.pk}]").fill("90")
    grid.locator(f"input[name=absent_{c.pk}]").check()
    with page.expect_navigation():
        page.click("#save-results")
    bad = page.locator(f"tr[data-candidate='{b.pk}']")
    assert "has-error" in (bad.get_attribute("class") or "")
    assert bad.locator(".field-error").count() == 1
    assert "100" in bad.locator(".field-error").inner_text()  # 0 … 100, in either language
    assert page.locator(f"input[name=theory_{b.pk}]").input_value() == "120"  # kept
    assert not Candidate.objects.filter(sitting=w.sitting,
                                        result_entered_at__isnull=False).exists()

    page.locator(f"input[name=theory_{b.pk}]").fill("45")
    with page.expect_navigation():
        page.click("#save-results")
    assert page.locator(".field-error").count() == 0
    results = {int(r.get_attribute("data-candidate")):
               r.locator("td.result").get_attribute("data-result")
               for r in page.locator("#results-grid tbody tr[data-candidate]").all()}
    assert results == {a.pk: "passed", b.pk: "failed", c.pk: "failed"}
    assert page.locator(f"tr[data-candidate='{b.pk}'] td.result").inner_text().count("45.00")
    assert page.locator("#close-sitting").count() == 1
    assert AssessmentSitting.objects.get(pk=w.sitting.pk).status == SittingStatus.RESULTS
    assert Candidate.objects.get(pk=a.pk).practical_score == D("72.50")

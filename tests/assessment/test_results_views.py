"""Results pages: the grid (rendered, saved, row errors beside the cell), the template download,
the import with its row report, the close button, and who sees what."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jineng.assessment import services
from jineng.assessment.choices import SittingStatus
from jineng.assessment.models import AssessmentSitting, Certificate
from jineng.core.errors import DomainError
from tests import factories as f
from tests.assessment import factories as af
from tests.assessment import issuance_support as isup
from tests.assessment.results_support import D, reload, results_world, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return results_world()


def _url(w, name="results_sitting", **kw) -> str:
    return reverse(f"assessment:{name}", kwargs={"pk": w.sitting.pk, **kw})


def _grid(w, values: dict) -> dict:
    data = {}
    for c in w.candidates:
        theory, practical, absent = values.get(c.pk, ("", "", False))
        data[f"theory_{c.pk}"] = theory
        data[f"practical_{c.pk}"] = practical
        if absent:
            data[f"absent_{c.pk}"] = "on"
    return data


def test_the_grid_shows_candidates_masked(client, w):
    client.force_login(w.operator)
    page = client.get(_url(w))
    assert page.status_code == 200
    html = page.content.decode()
    for c in w.candidates:
        assert c.person.name in html and c.person.id_masked in html
        assert f'name="theory_{c.pk}"' in html
    assert 'id="save-results"' in html and 'id="close-sitting"' not in html


def test_saving_the_grid(client, w):
    a, b, c = w.candidates
    client.force_login(w.operator)
    response = client.post(_url(w), _grid(w, {a.pk: ("80", "70", False),
                                              b.pk: ("50", "70", False)}))
    assert response.status_code == 302
    assert (reload(a).passed, reload(b).passed, reload(c).result_entered_at) == (
        True, False, None)
    page = client.get(_url(w)).content.decode()
    assert "Saved: 2 entered, 0 corrected, 0 unchanged." in page
    assert "Not passed: theory 50.00 &lt; pass mark 60.00" in page
    response = client.post(_url(w), _grid(w, {a.pk: ("80", "70", False),
                                              b.pk: ("50", "70", False),
                                              c.pk: ("", "", True)}))
    assert AssessmentSitting.objects.get(pk=w.sitting.pk).status == SittingStatus.RESULTS
    page = client.get(_url(w)).content.decode()
    assert "Saved: 1 entered, 0 corrected, 2 unchanged." in page
    assert 'id="close-sitting"' in page


def test_a_bad_cell_is_shown_beside_it_and_nothing_is_saved(client, w):
    a, b, _c = w.candidates
    client.force_login(w.operator)
    response = client.post(_url(w), _grid(w, {a.pk: ("80", "70", False),
                                              b.pk: ("120", "70", False)}))
    assert response.status_code == 400
    html = response.content.decode()
    assert "A score is between 0 and 100." in html
    assert 'value="120"' in html  # what was typed stays
    assert "Nothing was saved" in html
    assert reload(a).result_entered_at is None


def test_hrss_reads_without_forms(client, w):
    services.results_enter(actor=w.operator, sitting=w.sitting,
                           rows=[row(w.candidates[0], "90", "90")])
    client.force_login(w.county_staff)
    page = client.get(_url(w))
    html = page.content.decode()
    assert page.status_code == 200 and "90.00" in html and "passed" in html
    assert 'name="theory_' not in html and 'id="results-import"' not in html
    assert client.post(_url(w), _grid(w, {w.candidates[1].pk: ("1", "1", False)})
                       ).status_code == 403
    assert reload(w.candidates[1]).result_entered_at is None


def test_another_evaluator_gets_404(client, w):
    client.force_login(w.other_operator)
    assert client.get(_url(w)).status_code == 404
    assert client.get(_url(w, "results_template", fmt="xlsx")).status_code == 404


def test_a_declared_sitting_takes_no_results(client):
    w = results_world(status=SittingStatus.DECLARED)
    client.force_login(w.operator)
    assert 'name="theory_' not in client.get(_url(w)).content.decode()
    response = client.post(_url(w), _grid(w, {w.candidates[0].pk: ("1", "1", False)}),
                           follow=True)
    assert "approved" in response.content.decode()
    assert reload(w.candidates[0]).result_entered_at is None


def test_template_and_import(client, w):
    a, b, c = w.candidates
    client.force_login(w.operator)
    response = client.get(_url(w, "results_template", fmt="xlsx"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(table) == 4
    csv = client.get(_url(w, "results_template", fmt="csv"))
    assert csv.content.startswith("\ufeff考生编号".encode())
    bad = f"考生编号,理论成绩,实操成绩\n{a.pk},70,70\n{b.pk},120,70\n".encode()
    response = client.post(_url(w, "results_import"),
                           {"file": SimpleUploadedFile("r.csv", bad)})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="import-errors"' in html and "theory_score" in html
    good = f"考生编号,理论成绩,实操成绩,缺考\n{a.pk},70,70,\n{b.pk},99.5,70,\n{c.pk},,,是\n"
    response = client.post(_url(w, "results_import"),
                           {"file": SimpleUploadedFile("r.csv", good.encode())}, follow=True)
    assert "Imported: 3 entered" in response.content.decode()
    assert reload(b).theory_score == D("99.5")


def _complete(w):
    services.results_enter(actor=w.operator, sitting=w.sitting,
                           rows=[row(c, "70", "70") for c in w.candidates])


def test_close_issues_certificates(client, w, monkeypatch):
    _complete(w)
    calls = []

    def issue(*, actor, sitting):
        calls.append((actor, sitting.pk))
        return ["c1", "c2", "c3"]

    monkeypatch.setattr(services, "certificates_issue_for_sitting", issue, raising=False)
    client.force_login(w.operator)
    response = client.post(_url(w, "results_close"), follow=True)
    assert calls == [(w.operator, w.sitting.pk)]
    assert "The sitting is closed: 3 certificates issued." in response.content.decode()


def test_close_refused_shows_why(client, w, monkeypatch):
    _complete(w)

    def refuse(*, actor, sitting):
        raise DomainError("The evaluator has no evaluator code.", field="evaluator")

    monkeypatch.setattr(services, "certificates_issue_for_sitting", refuse, raising=False)
    client.force_login(w.operator)
    response = client.post(_url(w, "results_close"), follow=True)
    assert response.status_code == 200
    assert "The evaluator has no evaluator code." in response.content.decode()


def test_close_with_the_real_issuance(client):
    code = af.EvaluatorCodeFactory()
    isup.publish_evaluation_catalog(isup.listing_rows(code.organization))
    sitting = af.SittingFactory(evaluator=code.organization)
    a, b = (af.CandidateFactory(sitting=sitting) for _ in range(2))
    operator = f.operator(code.organization)
    client.force_login(operator)
    url = reverse("assessment:results_sitting", kwargs={"pk": sitting.pk})
    client.post(url, {f"theory_{a.pk}": "90", f"practical_{a.pk}": "80",
                      f"theory_{b.pk}": "30", f"practical_{b.pk}": "80"})
    assert 'id="close-sitting"' in client.get(url).content.decode()
    response = client.post(reverse("assessment:results_close", kwargs={"pk": sitting.pk}),
                           follow=True)
    html = response.content.decode()
    assert "The sitting is closed: 1 certificate issued." in html, html[:3000]
    assert list(Certificate.objects.values_list("person_id", flat=True)) == [a.person_id]
    assert AssessmentSitting.objects.get(pk=sitting.pk).status == SittingStatus.CLOSED
    assert 'name="theory_' not in html  # closed: read only
    # a second press is refused with a message, not an error page
    again = client.post(reverse("assessment:results_close", kwargs={"pk": sitting.pk}),
                        follow=True)
    assert again.status_code == 200 and Certificate.objects.count() == 1

"""Staff pages of training quality: the ranking (filters, links, CSV with text kept as text),
the staff scorecard, and the settings page (history; the form for province staff)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jineng.accounts.models import Role
from jineng.outcomes.models import IndicatorSettings
from tests import factories as f
from tests.outcomes import factories as of

pytestmark = pytest.mark.django_db


def test_ranking_page_links_and_csv_keeps_formulas_as_text(client):
    run = of.run()
    evil = f.OrganizationFactory(name="=HYPERLINK(\"http://x\")学校")
    good = f.OrganizationFactory(name="优秀学校")
    of.cell(run, "composite", key=evil.pk, value=0.4)
    of.cell(run, "composite", key=good.pk, value=0.9)
    client.force_login(f.staff(Role.CITY_STAFF, f.CITY))
    page = client.get("/outcomes/quality/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("优秀学校") < html.index("HYPERLINK")
    assert f"/outcomes/quality/institutions/{good.pk}/" in html
    assert f"/scorecards/{good.pk}/" in html
    csv = client.get("/outcomes/quality/?indicator=composite&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert client.get("/outcomes/quality/?period=nonsense").status_code == 200
    staff_card = client.get(f"/outcomes/quality/institutions/{good.pk}/")
    assert staff_card.status_code == 200


def test_ranking_page_refuses_non_staff(client):
    client.force_login(f.operator(f.OrganizationFactory()))
    assert client.get("/outcomes/quality/").status_code == 403
    client.logout()
    assert client.get("/outcomes/quality/").status_code == 302


def test_settings_page_records_a_row_and_shows_the_history(client):
    client.force_login(f.staff())
    page = client.get("/outcomes/settings/")
    assert page.status_code == 200 and 'id="settings-form"' in page.content.decode()
    form = {"valid_from": timezone.localdate().isoformat(), "weight_demand_match": "0.2",
            "weight_pass_rate": "0.2", "weight_level_up": "0.2", "weight_employment": "0.3",
            "weight_wage_growth": "0.1", "min_cell": "15", "link_auto_probability": "0.99",
            "link_review_probability": "0.5", "reason": "新办法"}
    done = client.post("/outcomes/settings/", form)
    assert done.status_code == 302 and IndicatorSettings.objects.get().min_cell == 15
    refused = client.post("/outcomes/settings/", {**form, "weight_employment": "0.9"})
    assert refused.status_code == 200 and IndicatorSettings.objects.count() == 1
    city = f.staff(Role.CITY_STAFF, f.CITY)
    client.force_login(city)
    page = client.get("/outcomes/settings/").content.decode()
    assert "新办法" in page and 'id="settings-form"' not in page

"""Sittings pages: list and filters by role, the declaration form with field errors, the detail
with route explanations and only the actions the actor may take, review and roster forms."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jineng.assessment import services
from jineng.assessment.models import Candidate, SittingExaminer
from jineng.core import pii
from tests.assessment import sittings_support as ss
from tests.training import helpers as th

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return ss.world(trainees=3, completed=2)


def test_list_by_role_and_filters(w, client):
    mine = ss.declare(w)
    other = ss.declare(w, actor=w.other_operator, place="遵义考点")
    client.force_login(w.operator)
    html = client.get(reverse("assessment:sittings_list")).content.decode()
    assert f'data-pk="{mine.pk}"' in html and f'data-pk="{other.pk}"' not in html
    assert 'id="declare-sitting"' in html and 'id="review-sittings"' not in html
    client.force_login(w.county_staff)
    html = client.get(reverse("assessment:sittings_list")).content.decode()
    assert f'data-pk="{mine.pk}"' in html and f'data-pk="{other.pk}"' in html
    assert 'id="declare-sitting"' not in html and 'id="review-sittings"' in html
    html = client.get(reverse("assessment:sittings_list"), {"q": "遵义"}).content.decode()
    assert f'data-pk="{mine.pk}"' not in html and f'data-pk="{other.pk}"' in html
    html = client.get(reverse("assessment:sittings_review")).content.decode()
    assert f'data-pk="{mine.pk}"' in html
    client.force_login(w.other_city_staff)
    html = client.get(reverse("assessment:sittings_list")).content.decode()
    assert f'data-pk="{mine.pk}"' not in html
    assert client.get(reverse("assessment:sittings_detail", args=[mine.pk])).status_code == 404
    client.force_login(w.operator)
    assert client.get(reverse("assessment:sittings_review")).status_code == 404


def test_declare_form(w, client):
    client.force_login(w.operator)
    url = reverse("assessment:sittings_declare")
    assert client.get(url).status_code == 200
    form = {"occupation": th.OCCUPATION, "level": "grade3", "route": "class_completed",
            "place": "南明区考点", "sitting_date": "2026-06-20", "theory_pass_mark": "60",
            "practical_pass_mark": "60"}
    bad = client.post(url, {**form, "occupation": "不存在的职业"})
    assert bad.status_code == 400 and "No occupation with this name" in bad.content.decode()
    ok = client.post(url, form)
    assert ok.status_code == 302
    client.force_login(w.other_operator)  # listed up to 中级工 only
    refused = client.post(url, form)
    assert refused.status_code == 400
    assert 'data-field="level"' in refused.content.decode()
    assert "not listed" in refused.content.decode()
    client.force_login(w.county_staff)
    assert client.get(url).status_code == 404


def test_detail_review_and_roster(w, client):
    sitting = ss.declare(w, training_class_id=w.cls.pk)
    detail = reverse("assessment:sittings_detail", args=[sitting.pk])
    client.force_login(w.operator)
    html = client.get(detail).content.decode()
    assert "action-cancel" in html and "action-approve" not in html
    client.force_login(w.county_staff)
    html = client.get(detail).content.decode()
    assert "action-approve" in html and "action-return" in html
    assert 'id="candidate-form"' not in html
    client.post(reverse("assessment:sittings_transition", args=[sitting.pk]),
                {"action": "approve"})
    sitting.refresh_from_db()
    assert sitting.status == "approved"

    client.force_login(w.operator)
    client.post(reverse("assessment:sittings_from_class", args=[sitting.pk]))
    assert Candidate.objects.filter(sitting=sitting).count() == 2
    html = client.get(detail).content.decode()
    assert "Completed a class of this occupation and level." in html
    assert "构建以职业资格评价" in html  # the citation, quoted
    p = ss.person()
    refused = client.post(reverse("assessment:sittings_candidate_add", args=[sitting.pk]), {
        "id_number": pii.decrypt(p.id_encrypted), "name": p.name, "route": "social"})
    assert refused.status_code == 400
    assert 'id="error-years_in_occupation"' in refused.content.decode()
    ok = client.post(reverse("assessment:sittings_candidate_add", args=[sitting.pk]), {
        "id_number": pii.decrypt(p.id_encrypted), "name": p.name, "route": "social",
        "years_in_occupation": "2"})
    assert ok.status_code == 302 and Candidate.objects.filter(person=p).exists()
    e = ss.person()
    client.post(reverse("assessment:sittings_examiner_add", args=[sitting.pk]),
                {"id_number": pii.decrypt(e.id_encrypted), "name": e.name, "is_chief": "on"})
    ex = SittingExaminer.objects.get(sitting=sitting)
    assert ex.is_chief
    client.post(reverse("assessment:sittings_examiner_remove", args=[ex.pk]))
    assert not SittingExaminer.objects.filter(sitting=sitting).exists()
    row = Candidate.objects.get(person=p)
    client.post(reverse("assessment:sittings_candidate_remove", args=[row.pk]))
    assert not Candidate.objects.filter(person=p).exists()
    # another evaluator cannot post to this sitting
    client.force_login(w.other_operator)
    assert client.post(reverse("assessment:sittings_from_class", args=[sitting.pk])
                       ).status_code == 404


def test_direct_recognition_approval_button(w, client):
    sitting = ss.approved(w, actor=w.enterprise_user, level=th.level("grade3"),
                          route="direct_recognition")
    row = services.candidate_add(actor=w.enterprise_user, sitting=sitting, person=ss.person(),
                                 route="direct_recognition", employer=w.enterprise,
                                 justification="师带徒效果明显")
    detail = reverse("assessment:sittings_detail", args=[sitting.pk])
    client.force_login(w.enterprise_user)
    html = client.get(detail).content.decode()
    assert "awaiting approval" in html and "approve-direct" not in html
    client.force_login(w.county_staff)
    assert "approve-direct" in client.get(detail).content.decode()
    client.post(reverse("assessment:sittings_direct_approve", args=[row.pk]))
    row.refresh_from_db()
    assert row.approved_by == w.county_staff.username

"""registry.hooks.person_page_links: a higher app adds links to the staff person page without
the registry importing it."""

import pytest
from django.urls import reverse

from jineng.registry import hooks
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider():
    calls = []

    def links(*, actor, person):
        calls.append((actor.pk, person.pk))
        if actor.role != "county_staff":
            return []
        return [hooks.PageLink(label="技能档案（测试）", url=f"/x/{person.pk}/", id="x-link")]

    hooks.person_page_links.register("test.links", links)
    yield calls
    hooks.person_page_links.unregister("test.links")


def test_a_provider_adds_its_links_for_the_actor_it_allows(client, provider):
    person = f.PersonFactory()
    staff = f.staff("county_staff", f.COUNTY)
    client.force_login(staff)
    page = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert f'id="x-link" href="/x/{person.pk}/"' in page and "技能档案（测试）" in page
    assert provider == [(staff.pk, person.pk)]

    client.force_login(f.staff("province_staff", f.PROVINCE))
    page = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert 'id="x-link"' not in page


"""A worker scans a poster on a phone: the form opens (no login), they type an occupation's
pinyin initials or name, pick it with the keyboard, fill the rest and register the wish; a
wrong phone number is answered on its field first."""

import pytest

from jineng.demand.models import TrainingWish
from tests import factories as f
from tests.demand import factories as df

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_worker_registers_a_wish_from_a_poster_on_a_phone(page, live_server, settings):
    settings.JINENG_PUBLIC_URL = live_server.url
    poster = df.PosterFactory(place_name="油榨街社区")
    occ = df.occupation()
    number = f.id_number_for(n=611)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"{live_server.url}/demand/w/{poster.token}/")
    assert "油榨街社区" in page.get_by_test_id("poster-place").inner_text()
    page.locator("#id_name").fill("周小红")
    page.locator("#id_id_number").fill(number)
    page.locator("#id_phone").fill("1381234")  # too short: answered on the field
    search = page.locator("#id_occupations")
    search.fill(occ.name[:2])
    page.get_by_test_id("occupation-option").first.wait_for()
    page.get_by_test_id("occupation-option").filter(has_text=occ.name).first.dispatch_event(
        "mousedown")
    assert occ.name in page.locator("#occupation-chosen").inner_text()
    page.locator("input[name=consent]").check()
    with page.expect_navigation():
        page.locator("#wish button[type=submit]").click()
    assert page.locator("[data-field=phone] .errorlist").is_visible()
    assert number not in page.content()
    assert not TrainingWish.objects.exists()

    page.locator("#id_id_number").fill(number)
    page.locator("#id_phone").fill("13812345678")
    page.locator("input[name=consent]").check()
    with page.expect_navigation():
        page.locator("#wish button[type=submit]").click()
    assert page.get_by_test_id("wish-thanks").is_visible()
    wish = TrainingWish.objects.get()
    assert wish.name == "周小红" and list(wish.occupations.all()) == [occ]

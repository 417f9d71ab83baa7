"""`jineng search-index`: rebuild, refresh and a background job."""

import pytest
from django.core.management import CommandError, call_command

from jineng.portal.models import SearchDocument
from tests import factories as f
from tests.portal.search_support import search_world

pytestmark = pytest.mark.django_db


def test_rebuild_then_refresh(capsys):
    world = search_world()
    call_command("search-index")
    assert SearchDocument.objects.filter(training_class=world.open_class).exists()
    assert "added" in capsys.readouterr().out
    call_command("search-index", "--refresh")
    assert "'class': 0" in capsys.readouterr().out


def test_background_job_needs_a_user_who_may():
    with pytest.raises(CommandError):
        call_command("search-index", "--background")
    county = f.staff("county_staff", f.COUNTY)
    with pytest.raises(CommandError):
        call_command("search-index", "--background", "--as", county.username)
    staff = f.staff()
    call_command("search-index", "--background", "--as", staff.username)

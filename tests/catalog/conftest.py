import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (the msgids); pages are tested in both languages."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    """The test client reads pages in English (Chinese is the site default)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def chinese_client():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")

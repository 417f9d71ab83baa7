"""core.sms: with no gateway configured, a message is logged in development only (phone
masked) and never counts as sent; a configured gateway gets it; a gateway's failure is logged,
not raised."""

import logging

from jineng.core import sms

SENT: list[tuple[str, str]] = []


class Gateway:
    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


class BrokenGateway:
    def send(self, phone: str, text: str) -> None:
        raise OSError("gateway down")


def test_development_backend_logs_in_debug_only(settings, caplog):
    settings.JINENG_SMS_BACKEND = ""
    settings.DEBUG = False
    with caplog.at_level(logging.INFO, logger="jineng.sms"):
        assert sms.send("13812345678", "code 123456") is False
    assert not caplog.records
    settings.DEBUG = True
    with caplog.at_level(logging.INFO, logger="jineng.sms"):
        assert sms.send("13812345678", "code 123456") is False
    line = caplog.records[0].getMessage()
    assert "code 123456" in line and "138****5678" in line and "13812345678" not in line
    assert not sms.gateway_configured()


def test_a_configured_gateway_gets_the_message(settings, caplog):
    settings.JINENG_SMS_BACKEND = "tests.core.test_sms.Gateway"
    SENT.clear()
    assert sms.gateway_configured()
    assert sms.send("13812345678", "hello") is True
    assert SENT == [("13812345678", "hello")]
    settings.JINENG_SMS_BACKEND = "tests.core.test_sms.BrokenGateway"
    with caplog.at_level(logging.ERROR, logger="jineng.sms"):
        assert sms.send("13812345678", "hello") is False
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text

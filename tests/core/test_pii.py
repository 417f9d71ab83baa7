"""ID numbers at rest and in logs: encryption with rotation, keyed hash, masks, log filter."""

from __future__ import annotations

import io
import logging

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.test import override_settings
from django.utils.module_loading import import_string

from jineng.core import pii

ID = "520102199001011234"
ID_X = "11010519491231002X"


@pytest.fixture
def fresh_cipher():
    pii._fernet.cache_clear()
    yield
    pii._fernet.cache_clear()


def test_encrypt_decrypt_round_trip_and_ciphertext_hides_the_number(fresh_cipher):
    token = pii.encrypt(ID)
    assert ID not in token and ID[6:14] not in token
    assert pii.decrypt(token) == ID
    assert pii.encrypt(ID) != token  # random IV: equal numbers do not give equal ciphertext


def test_key_rotation_new_key_first_still_decrypts_old_ciphertext(fresh_cipher):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(PII_KEYS=[old_key]):
        pii._fernet.cache_clear()
        old_token = pii.encrypt(ID)
    with override_settings(PII_KEYS=[new_key, old_key]):
        pii._fernet.cache_clear()
        assert pii.decrypt(old_token) == ID
        new_token = pii.encrypt(ID)
        rotated = pii.reencrypt(old_token)
        assert pii.decrypt(rotated) == ID
    with override_settings(PII_KEYS=[new_key]):
        pii._fernet.cache_clear()
        # Once the old key is dropped, only values written or re-encrypted under the new one read.
        assert pii.decrypt(new_token) == ID
        assert pii.decrypt(rotated) == ID
        with pytest.raises(InvalidToken):
            pii.decrypt(old_token)


def test_keyed_hash_is_stable_normalized_and_depends_on_the_key():
    h = pii.keyed_hash(ID_X)
    assert h == pii.keyed_hash(ID_X) == pii.keyed_hash(" 11010519491231002x ")
    assert len(h) == 64 and ID_X not in h
    assert pii.keyed_hash(ID) != h
    with override_settings(PII_HASH_KEY="another-secret"):
        assert pii.keyed_hash(ID_X) != h


@pytest.mark.parametrize("key", ["short", "k" * 64, "a-key-longer-than-the-block-" * 4])
def test_keyed_hash_pads_give_the_same_hmac_in_sql(key):
    """The set-based hash (DuckDB, the records import) equals `keyed_hash`, short and long
    keys alike (a key above 64 bytes is hashed first, RFC 2104)."""
    import duckdb

    values = [ID, ID_X, "440301200001010011"]
    with override_settings(PII_HASH_KEY=key):
        ipad, opad = pii.keyed_hash_pads()
        con = duckdb.connect()
        got = [con.execute("SELECT sha256($opad || unhex(sha256($ipad || $v::BLOB)))",
                           {"ipad": ipad, "opad": opad, "v": v}).fetchall()[0][0]
               for v in values]
        assert got == [pii.keyed_hash(v) for v in values]


@pytest.mark.parametrize("key", ["short", "k" * 64, "a-key-longer-than-the-block-" * 4])
def test_keyed_hasher_equals_keyed_hash(key):
    """The loop form (pads hashed once) answers what `keyed_hash` answers, normalized alike."""
    values = [ID, ID_X, " 11010519491231002x ", "tel:13900000001", "addr:贵阳市南明区1号"]
    with override_settings(PII_HASH_KEY=key):
        hash_one = pii.keyed_hasher()
        assert [hash_one(v) for v in values] == [pii.keyed_hash(v) for v in values]


@pytest.mark.parametrize(("whole", "masked"), [
    (ID, "520102********1234"),
    (ID_X, "110105********002X"),
    ("11010519491231002x", "110105********002X"),
    ("123", "***"),
])
def test_mask_format(whole, masked):
    assert pii.mask_id_number(whole) == masked


def test_mask_in_text_masks_every_id_and_leaves_other_numbers():
    text = f"id={ID}, other {ID_X}; phone 13800138000; order 1234567890123456789012"
    masked = pii.mask_in_text(text)
    assert ID not in masked and ID_X not in masked
    assert "520102********1234" in masked and "110105********002X" in masked
    assert "13800138000" in masked and "1234567890123456789012" in masked


def _capture_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    """A logger writing to a string through the filter the settings configure as mask_pii."""
    spec = settings.LOGGING["filters"]["mask_pii"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(import_string(spec["()"])())
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_log_filter_from_settings_masks_ids_in_messages_args_and_tracebacks():
    logger, stream = _capture_logger("jineng.tests.pii")
    logger.info("registered %s for %s", ID, "张三")
    logger.warning(f"lookup of {ID_X} failed")
    try:
        raise ValueError(f"duplicate {ID}")
    except ValueError:
        logger.exception("import row 3")
    logger.info("stack", stack_info=True, extra={"x": ID})
    logger.info("broken %s %s", ID)  # wrong number of args must not escape unmasked
    out = stream.getvalue()
    assert ID not in out and ID_X not in out, out
    assert "520102********1234" in out and "110105********002X" in out
    assert "张三" in out and "Traceback" in out


def test_the_configured_root_handler_masks():
    """Django configured logging from settings: the root handler carries the mask filter."""
    record = logging.getLogger("jineng").makeRecord(
        "jineng", logging.WARNING, __file__, 1, "person %s", (ID,), None)
    handlers = logging.getLogger().handlers
    assert handlers, "settings.LOGGING configures a root handler"
    for handler in handlers:
        assert handler.filter(record)
        assert ID not in handler.format(record)


def test_no_configured_handler_anywhere_writes_a_whole_id():
    leaks = []
    loggers = [logging.getLogger()] + [
        lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    for logger in loggers:
        # pytest's own capture handlers are not part of jineng's configuration
        # (nor libraries' NullHandlers, which write nothing)
        ours = [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")
                and not isinstance(h, logging.NullHandler)]
        for handler in ours:
            record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1,
                                       '"GET /registry/persons/?q=%s HTTP/1.1" 200', (ID,), None)
            if handler.filter(record) and ID in handler.format(record):
                leaks.append(f"{logger.name}: {type(handler).__name__}")
    assert not leaks, leaks


@pytest.mark.django_db
def test_the_audit_trail_never_stores_a_whole_id_number():
    from jineng.core import audit

    valid = "52010219900101123X"  # a correct check digit
    assert pii._check_digit_ok(valid) and not pii._check_digit_ok(ID)
    not_an_id = "915201020000000121"  # an all-digit credit-code-like value, check digit wrong
    assert not pii._check_digit_ok(not_an_id)
    event = audit.record(actor=None, action="update", entity_type="x.y",
                         label=f"登录失败 {ID}", reason=f"核对 {ID_X}",
                         before={"note": f"old {valid}", "nested": [{"n": ID_X}]},
                         after={"credit_code": not_an_id, "count": 3})
    event.refresh_from_db()
    stored = f"{event.entity_label} {event.reason} {event.before} {event.after}"
    assert ID not in stored and ID_X not in stored and valid not in stored
    assert "520102********1234" in event.entity_label  # free text: masked whatever its check
    assert event.before == {"note": "old 520102********123X",
                            "nested": [{"n": "110105********002X"}]}
    assert event.after == {"credit_code": not_an_id, "count": 3}

"""Pure rules of signing: canonical JSON, the status list, the document verifier."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jineng.assessment.choices import VerificationResult
from jineng.assessment.rules import documents, status_list
from jineng.assessment.rules.canonical import canonical

UTC8 = dt.timezone(dt.timedelta(hours=8))


# --- canonical -------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ({"b": "1", "a": "2"}, '{"a":"2","b":"1"}'),
    ({"a": [True, False, None]}, '{"a":[true,false,null]}'),
    ({"名": "张三"}, '{"名":"张三"}'),
    ({"s": 'q"\\\n\t\x01\u2028'}, '{"s":"q\\"\\\\\\n\\t\\u0001\u2028"}'),
    # JCS sorts by UTF-16 code units: U+1F600 (D83D DE00) before U+FB33.
    ({"\ufb33": "x", "\U0001f600": "y"}, '{"\U0001f600":"y","\ufb33":"x"}'),
    ({"n": {"z": {}, "a": []}}, '{"n":{"a":[],"z":{}}}'),
])
def test_canonical_form(value, expected):
    assert canonical(value) == expected.encode("utf-8")


@pytest.mark.parametrize("bad", [{"n": 1}, {"n": 1.5}, {"d": dt.date(2026, 1, 1)}, {1: "x"},
                                 {"s": "\ud800"}])
def test_canonical_refuses_numbers_dates_and_broken_text(bad):
    with pytest.raises(TypeError):
        canonical(bad)


def test_canonical_ignores_the_input_layout():
    a = json.loads('{ "b" : "1",\n "a":{"y":"2","x":"3"} }')
    b = json.loads('{"a":{"x":"3","y":"2"},"b":"1"}')
    assert canonical(a) == canonical(b)


# --- status list -----------------------------------------------------------------------------

def test_status_list_round_trip_and_minimum_size():
    bits = status_list.make([0, 7, 8, 131_071])
    assert len(bits) * 8 == status_list.MIN_BITS
    text = status_list.encode(bits)
    assert text.startswith("u") and "=" not in text and "+" not in text and "/" not in text
    decoded = status_list.decode(text)
    assert decoded == bytes(bits)
    assert status_list.revoked_indices(decoded) == [0, 7, 8, 131_071]
    assert status_list.is_set(decoded, 7) is True
    assert status_list.is_set(decoded, 6) is False
    assert status_list.is_set(decoded, 131_072) is None  # beyond the list: not known
    # Index 0 is the first byte's most significant bit (W3C).
    assert bits[0] == 0b1000_0001 and bits[1] == 0b1000_0000
    # Deterministic: the same list, the same text.
    assert status_list.encode(status_list.make([7, 0, 8, 131_071])) == text
    # The text without the multibase prefix is read too.
    assert status_list.decode(text[1:]) == decoded


def test_status_list_grows_in_steps():
    assert status_list.bits_for(None) == 131_072
    assert status_list.bits_for(131_071) == 131_072
    assert status_list.bits_for(131_072) == 262_144
    assert len(status_list.make([], highest_index=1_500_000)) * 8 == 12 * 131_072


SHORT_LIST = "u" + documents.b64url_encode(gzip.compress(b"\0" * 10, mtime=0))


@pytest.mark.parametrize("text", ["", "u!!!", "uAAAA", "not base64 ☃", SHORT_LIST])
def test_status_list_refuses_what_is_not_one(text):
    with pytest.raises(status_list.StatusListError):
        status_list.decode(text)


# --- documents -------------------------------------------------------------------------------

KEY = Ed25519PrivateKey.generate()
OTHER = Ed25519PrivateKey.generate()
FROM = dt.datetime(2026, 1, 1, tzinfo=UTC8)


def payload(**changes) -> dict:
    base = {"kind": "skill_level", "number": "S0000520000012641000001",
            "holder": {"name": "张小三", "id_type": "resident_id",
                       "id_number_masked": "520102********1234"},
            "occupation": {"code": "6-31-01-03", "name": "电工"}, "work_type": "",
            "level": {"code": "grade4", "name": "中级工", "grade": "四级"},
            "issuer": {"name": "贵州评价中心", "credit_code": ""}, "issued_on": "2026-11-30",
            "photo_sha256": "", "status": {"list_url": "x", "index": "9"},
            "verify_url": "http://t/assessment/c/S0000520000012641000001/",
            "signed_at": "2026-11-30T10:00:00+08:00"}
    base.update(changes)
    return base


def signed(p=None, *, key=KEY, key_id="k1") -> bytes:
    return documents.document_bytes(documents.sign_payload(p or payload(), key_id=key_id,
                                                           private_key=key))


KEYS = {"k1": (KEY.public_key().public_bytes_raw(), FROM, None)}


def test_result_names_are_the_choices():
    assert {documents.VALID, documents.REVOKED, documents.TAMPERED, documents.UNKNOWN_KEY} \
        <= set(VerificationResult.values)


def test_a_signed_file_is_valid_and_says_what_it_certifies():
    outcome = documents.verify_document(signed(), KEYS)
    assert outcome.result == "valid"
    assert outcome.number == "S0000520000012641000001"
    assert outcome.facts()["holder_name_masked"] == "张*三"
    assert outcome.status_checked is False


def test_layout_does_not_matter_only_the_payload():
    document = json.loads(signed())
    compact = json.dumps(document, separators=(",", ":"), ensure_ascii=True).encode()
    assert documents.verify_document(compact, KEYS).result == "valid"


def _edit(data: bytes, change) -> bytes:
    document = json.loads(data)
    change(document)
    return json.dumps(document, ensure_ascii=False).encode()


@pytest.mark.parametrize(("name", "data"), [
    ("changed name", _edit(signed(), lambda d: d["payload"]["holder"].update(name="李四"))),
    ("changed level", _edit(signed(), lambda d: d["payload"]["level"].update(name="高级工"))),
    ("added field", _edit(signed(), lambda d: d["payload"].update(extra="1"))),
    ("changed signature", _edit(signed(), lambda d: d.update(
        signature=d["signature"][:-4] + ("AAAA" if d["signature"][-4:] != "AAAA" else "BBBB")))),
    ("short signature", _edit(signed(), lambda d: d.update(signature="AAAA"))),
    ("signature not base64", _edit(signed(), lambda d: d.update(signature="***"))),
    ("no payload", _edit(signed(), lambda d: d.pop("payload"))),
    ("payload a list", _edit(signed(), lambda d: d.update(payload=[]))),
    ("number in payload", _edit(signed(), lambda d: d["payload"].update(number=5))),
    ("wrong format", _edit(signed(), lambda d: d.update(format="other/1"))),
    ("truncated", signed()[:-40]),
    ("half", signed()[: len(signed()) // 2]),
    ("garbage", b"\x89PNG\r\n\x1a\n\x00\xff\xfe"),
    ("empty", b""),
    ("json array", b"[1,2,3]"),
    ("deep nesting", b"[" * 100_000 + b"]" * 100_000),
    ("too large", b" " * (documents.MAX_DOCUMENT_BYTES + 1)),
    ("not utf-8", b'{"format": "\xff"}'),
])
def test_tampered_files_are_tampered_never_an_exception(name, data):
    outcome = documents.verify_document(data, KEYS)
    assert outcome.result == "tampered", name
    assert outcome.payload is None


def test_unknown_key():
    outcome = documents.verify_document(signed(key=OTHER, key_id="k9"), KEYS)
    assert (outcome.result, outcome.reason) == ("unknown_key", "key_not_published")


def test_a_key_id_that_is_published_but_another_key_signed_is_tampered():
    assert documents.verify_document(signed(key=OTHER, key_id="k1"), KEYS).result == "tampered"


def test_signature_outside_the_key_validity_is_not_accepted():
    keys = {"k1": (KEY.public_key().public_bytes_raw(), FROM,
                   dt.datetime(2026, 6, 1, tzinfo=UTC8))}
    early = signed(payload(signed_at="2026-05-31T23:59:59+08:00"))
    late = signed(payload(signed_at="2026-06-01T00:00:00+08:00"))
    before = signed(payload(signed_at="2025-12-31T23:59:59+08:00"))
    assert documents.verify_document(early, keys).result == "valid"
    assert documents.verify_document(late, keys).reason == "key_not_valid_then"
    assert documents.verify_document(before, keys).result == "unknown_key"
    # Validity given as ISO text (a keys.json file) works the same way.
    text_keys = {"k1": (KEY.public_key().public_bytes_raw(), FROM.isoformat(),
                        "2026-06-01T00:00:00+08:00")}
    assert documents.verify_document(early, text_keys).result == "valid"
    assert documents.verify_document(late, text_keys).result == "unknown_key"


def test_missing_signed_at_is_tampered():
    p = payload()
    del p["signed_at"]
    assert documents.verify_document(signed(p), KEYS).result == "tampered"


def test_revoked_by_the_status_list():
    revoked = status_list.make([9])
    outcome = documents.verify_document(signed(), KEYS, revoked)
    assert (outcome.result, outcome.status_checked) == ("revoked", True)
    outcome = documents.verify_document(signed(), KEYS, status_list.make([8, 10]))
    assert (outcome.result, outcome.status_checked) == ("valid", True)
    # A list older than the certificate (shorter than its index) cannot say: valid, unchecked.
    far = signed(payload(status={"list_url": "x", "index": "500000"}))
    outcome = documents.verify_document(far, KEYS, revoked)
    assert (outcome.result, outcome.status_checked) == ("valid", False)


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("张小三", "张*三"),
                                               ("欧阳小明", "欧**明"), ("李", "李"), ("", "")])
def test_mask_name(name, masked):
    assert documents.mask_name(name) == masked


# The fast path (the C encoder) and the reference writer agree on any payload shape.
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from jineng.assessment.rules import canonical as canonical_module  # noqa: E402

_json_values = st.recursive(
    st.none() | st.booleans() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@given(_json_values)
def test_fast_canonical_equals_the_reference_writer(value):
    out: list[str] = []
    canonical_module._write(value, out)
    reference = "".join(out)
    try:
        expected = reference.encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(TypeError):
            canonical(value)
        return
    assert canonical(value) == expected


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_characters_past_the_basic_plane_verify_whatever_the_file_escapes(ensure_ascii):
    # Keys whose UTF-16 order differs from code-point order, and a name with an emoji-range
    # character: the verifier takes the reference path and still agrees with the signer.
    p = payload(extra={"\ufb33": "x", "\U0001f600": "y"},
                holder={"name": "𠀋小明", "id_type": "resident_id", "id_number_masked": ""})
    document = json.loads(signed(p))
    data = json.dumps(document, ensure_ascii=ensure_ascii).encode()
    assert documents.verify_document(data, KEYS).result == "valid"
    document["payload"]["extra"]["\U0001f600"] = "z"
    data = json.dumps(document, ensure_ascii=ensure_ascii).encode()
    assert documents.verify_document(data, KEYS).result == "tampered"


def test_a_lone_surrogate_escape_is_tampered():
    document = json.loads(signed())
    text = json.dumps(document).replace('"number": "', '"number": "\\udc00', 1)
    assert documents.verify_document(text.encode(), KEYS).result == "tampered"


@pytest.mark.parametrize("value", ["1", "1.5", "NaN", "-Infinity", "1e400"])
def test_numbers_anywhere_in_the_file_are_tampered(value):
    text = signed().decode().replace('"format"', f'"n": {value}, "format"', 1)
    assert documents.verify_document(text.encode(), KEYS).result == "tampered"


# --- the two Ed25519 back ends agree ---------------------------------------------------------

def _cryptography_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _pynacl_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    from nacl.exceptions import BadSignatureError
    from nacl.signing import VerifyKey

    try:
        VerifyKey(public_key).verify(message, signature)
    except (BadSignatureError, ValueError):
        return False
    return True


L_ORDER = 2**252 + 27742317777372353535851937790883648493


def _signature_cases():
    message = b'{"number":"S1"}'
    raw = KEY.public_key().public_bytes_raw()
    good = KEY.sign(message)
    flipped = bytes([good[0] ^ 1]) + good[1:]
    s_plus_l = (int.from_bytes(good[32:], "little") + L_ORDER).to_bytes(32, "little")
    return [
        ("good", raw, good, message, True),
        ("other message", raw, good, message + b" ", False),
        ("flipped R", raw, flipped, message, False),
        ("other key", OTHER.public_key().public_bytes_raw(), good, message, False),
        ("S + L (not canonical)", raw, good[:32] + s_plus_l, message, False),
        ("zero signature", raw, bytes(64), message, False),
        ("short key", raw[:31], good, message, False),
        ("long signature", raw, good + b"\0", message, False),
    ]


@pytest.mark.parametrize(("name", "key", "signature", "message", "expected"),
                         _signature_cases(), ids=[c[0] for c in _signature_cases()])
def test_ed25519_back_ends_agree(name, key, signature, message, expected):
    assert documents.ed25519_verify(key, signature, message) is expected
    assert _pynacl_verify(key, signature, message) is expected
    assert _cryptography_verify(key, signature, message) is expected


def test_a_small_order_key_is_refused_by_libsodium():
    # With the neutral point as "public key", R = neutral and S = 0 "sign" every message:
    # OpenSSL (cryptography) accepts that, libsodium (PyNaCl) refuses it. Such a key is never
    # ours (keys are generated), so a published key table cannot hold one; where PyNaCl is used
    # the verifier refuses it outright.
    identity = (1).to_bytes(32, "little")
    assert _cryptography_verify(identity, identity + bytes(32), b"anything") is True
    assert _pynacl_verify(identity, identity + bytes(32), b"anything") is False
    if documents.ED25519_BACKEND == "pynacl":
        assert documents.ed25519_verify(identity, identity + bytes(32), b"anything") is False


def _backend_with(**env: str) -> str:
    import os
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if k != "JINENG_ED25519"} | env
    return subprocess.run(
        [sys.executable, "-c",
         "from jineng.assessment.rules import documents; print(documents.ED25519_BACKEND)"],
        env=environ, capture_output=True, text=True, check=True).stdout.strip()


def test_pynacl_is_used_unless_cryptography_is_asked_for():
    # PyNaCl is pinned in requirements.lock (its wheels bundle libsodium): a missing PyNaCl is a
    # broken install, not a reason to skip.
    assert _backend_with() == "pynacl"
    assert _backend_with(JINENG_ED25519="cryptography") == "cryptography"

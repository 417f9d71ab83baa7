"""Pure rules of the training-wish form (培训意愿二维码, Guizhou (十三)): what a valid phone is,
the abuse limits, when a challenge is asked, the consent text's version. No Django.

Citations: Guizhou (十三) asks for a QR code through which workers register their training
wishes; issue 14 asks the form to hold off abuse (limits per address and per phone, a challenge
after repeats) and a repeat wish of the same person to update the earlier one.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

# GB/T mobile numbers in mainland China: 11 digits, 1 then 3–9 (MIIT numbering plan).
_PHONE = re.compile(r"1[3-9][0-9]{9}")

CONSENT_VERSION = "2026-1"  # bump when the consent text on the form changes

NAME_MAX = 50
PLACE_MAX = 100
OCCUPATIONS_MAX = 3  # wished occupations per wish
DISTANCE_KM_MIN, DISTANCE_KM_MAX, DISTANCE_KM_DEFAULT = 1, 200, 20


@dataclass(frozen=True)
class Limit:
    limit: int
    window: dt.timedelta


# Hard limits (refused with 429 above them). An address may be a carrier's NAT or a village
# committee's Wi-Fi shared by many people, so its limit is generous; a phone is one person.
ADDRESS_LIMIT = Limit(60, dt.timedelta(hours=1))
PHONE_LIMIT = Limit(6, dt.timedelta(days=1))
# A challenge (a code sent to the phone) is asked once an address has sent this many wishes in
# its hour, or a phone this many in its day: a repeat is normal (a correction), a series is not.
ADDRESS_CHALLENGE_AFTER = 10
PHONE_CHALLENGE_AFTER = 2
CODES_PER_PHONE = Limit(3, dt.timedelta(hours=1))
CODE_TTL = dt.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5


def normalize_phone(raw: str) -> str:
    """Digits only, a leading +86 / 86 dropped (numbers typed with spaces or dashes)."""
    digits = "".join(c for c in (raw or "") if c.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def is_mobile_phone(digits: str) -> bool:
    return bool(_PHONE.fullmatch(digits or ""))


def normalize_name(raw: str) -> str:
    """Inner blanks removed (Chinese names carry none; an input method may add one)."""
    return "".join((raw or "").split())


def challenge_needed(*, address_count: int, phone_count: int) -> bool:
    """Whether this submission must carry the code sent to the phone: `*_count` are the
    submissions counted before this one in the current windows."""
    return address_count >= ADDRESS_CHALLENGE_AFTER or phone_count >= PHONE_CHALLENGE_AFTER


def new_code() -> str:
    return f"{secrets.randbelow(10 ** 6):06d}"


def looks_like_code(code: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{6}", (code or "").strip()))


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else "***"

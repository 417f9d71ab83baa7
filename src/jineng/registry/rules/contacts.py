"""Pure rules (no Django): what two people share when they share a phone number or a residence
address — the supervision ring rule (R08) compares keyed hashes of these keys — one value at a
time, and set-based over an Arrow batch of a million people.

- A phone's key is its decimal digits (any script's, as ASCII) without the +86 / 0086 country
  prefix; a number of fewer than MIN_PHONE_DIGITS digits links no one.
- An address's key is `registry.rules.address.address_key`.

What is hashed is `core.pii.keyed_hash("tel:" + key)` or `keyed_hash("addr:" + key)`; SQL
builds keyed_hash's normal form of it (trimmed, upper case) itself.

`keyed_contacts` normalises a batch in DuckDB (the connection is in memory and dropped at
once, so the values never reach a disk) for the usual values — phones in ASCII, addresses of
CJK unified ideographs (U+4E00–U+9FFF) and ASCII, whose normal form SQL computes exactly: NFKC
leaves them unchanged, every other ASCII character is punctuation, a symbol, a space or a
control character — and hashes them there (HMAC-SHA256 from the key's pads, RFC 2104); the
rest (full-width digits, compatibility characters, other scripts) one by one in Python.
tests/registry/test_contact_rules.py checks both ways against `contact_plain` and
`keyed_hash` for any text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pyarrow as pa

from jineng.registry.rules.address import address_key

PHONE, ADDRESS = "phone", "address"
MIN_PHONE_DIGITS = 7
COUNTRY_PREFIXES = ("0086", "86")


def phone_key(phone: str) -> str:
    """A phone number reduced to its digits (without the +86 / 0086 country prefix); digits
    of other forms (full-width "１３８") count as the ASCII digits they are."""
    digits = (phone if phone.isascii() and phone.isdigit()  # the usual case, at once
              else "".join(str(unicodedata.decimal(ch)) for ch in phone if ch.isdecimal()))
    for prefix in COUNTRY_PREFIXES:
        if len(digits) > 11 and digits.startswith(prefix):
            digits = digits[len(prefix):]
    return digits


def contact_plain(kind: str, value: str | None) -> str | None:
    """What `keyed_hash` is given for a contact of this kind ("tel:<key>", "addr:<key>"; it
    trims and upper-cases it); None when the value links no one (too short, another kind)."""
    if not value:
        return None
    if kind == PHONE:
        digits = phone_key(value)
        return f"tel:{digits}" if len(digits) >= MIN_PHONE_DIGITS else None
    if kind == ADDRESS:
        key = address_key(value)
        return f"addr:{key}" if key else None
    return None


CONTACTS = pa.schema([("person_id", pa.int64()), ("kind", pa.string()),
                      ("value_hash", pa.string())])
# What keyed_contacts reads: a person's phone and address as typed (one row per person: one
# pass over the persons), or a keyed hash of a bank account already made (its own rows).
RAW = pa.schema([("person_id", pa.int64()), ("phone", pa.string()), ("address", pa.string()),
                 ("account_hash", pa.string())])
_LONG = rf"""
CREATE VIEW raw AS
SELECT person_id, '{PHONE}' AS kind, phone AS value FROM wide WHERE phone <> ''
UNION ALL SELECT person_id, '{ADDRESS}', address FROM wide WHERE address <> ''
UNION ALL SELECT person_id, 'account', account_hash FROM wide WHERE account_hash <> ''
"""

_ASCII = r"strlen(value) = length(value)"  # bytes = code points
_PLAIN_ADDRESS = r"regexp_full_match(value, '[\x{4E00}-\x{9FFF}\x{00}-\x{7F}]*')"
_SQL = rf"""
WITH phones AS (
    SELECT person_id, regexp_replace(value, '[^0-9]', '', 'g') AS d FROM raw
    WHERE kind = '{PHONE}' AND {_ASCII}
), phones_0086 AS (
    SELECT person_id, CASE WHEN length(d) > 11 AND starts_with(d, '0086') THEN d[5:]
                           ELSE d END AS d FROM phones
), phones_86 AS (
    SELECT person_id, CASE WHEN length(d) > 11 AND starts_with(d, '86') THEN d[3:]
                           ELSE d END AS d FROM phones_0086
), addresses AS (
    SELECT person_id,
           upper(regexp_replace(value, '[^\x{{4E00}}-\x{{9FFF}}0-9A-Za-z]', '', 'g')) AS k
    FROM raw WHERE kind = '{ADDRESS}' AND {_PLAIN_ADDRESS}
), plain AS (
    SELECT person_id, '{PHONE}' AS kind, 'TEL:' || d AS plain FROM phones_86
    WHERE length(d) >= {MIN_PHONE_DIGITS}
    UNION ALL
    SELECT person_id, '{ADDRESS}', 'ADDR:' || k FROM addresses WHERE length(k) >= $min_address
)
SELECT person_id, kind, sha256($opad || unhex(sha256($ipad || encode(plain)))) AS value_hash
FROM plain
"""
_ACCOUNTS = f"SELECT person_id, kind, value FROM raw WHERE kind NOT IN ('{PHONE}', '{ADDRESS}')"
_OTHERS = rf"""
SELECT person_id, kind, value FROM raw
WHERE (kind = '{PHONE}' AND NOT ({_ASCII})) OR (kind = '{ADDRESS}' AND NOT {_PLAIN_ADDRESS})
"""


def keyed_contacts(batch: pa.RecordBatch | pa.Table, pads: tuple[bytes, bytes],
                   hash_one: Callable[[str], str]) -> pa.Table:
    """Rows of RAW → (person id, kind, keyed hash): "phone" and "address" for the ones that
    link (others dropped; empty and null values too), "account" for the account hashes as they
    are. `pads`: keyed_hash's inner and outer HMAC pads (core.pii.keyed_hash_pads);
    `hash_one`: keyed_hash, for what `contact_plain` answers."""
    import duckdb

    from jineng.registry.rules.address import MIN_LINKABLE

    con = duckdb.connect()
    try:
        con.register("wide", batch)
        con.execute(_LONG)
        ipad, opad = pads
        hashed = con.sql(_SQL, params={"ipad": ipad, "opad": opad,
                                       "min_address": MIN_LINKABLE}).to_arrow_table()
        accounts = con.sql(_ACCOUNTS).to_arrow_table()
        others = con.execute(_OTHERS).fetchall()
    finally:
        con.close()
    # The HMAC in SQL, not in a Python loop: DuckDB releases the GIL, so the parts a snapshot
    # reads in parallel are hashed at once (a Python loop of a microsecond a value holds it:
    # one part at a time; docs/benchmarks.md, 2026-12-07).
    tables = [hashed.cast(CONTACTS), accounts.rename_columns(CONTACTS.names).cast(CONTACTS)]
    rest = [(pk, kind, hash_one(p)) for pk, kind, value in others
            if (p := contact_plain(kind, value)) is not None]
    if rest:
        person, kind, value = zip(*rest, strict=True)
        tables.append(pa.table([pa.array(person, pa.int64()), pa.array(kind, pa.string()),
                                pa.array(value, pa.string())], schema=CONTACTS))
    return pa.concat_tables(tables)

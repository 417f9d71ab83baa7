"""Pure rules (no Django): what two people share when they share a phone number or a residence
address — the supervision ring rule (R08) compares keyed hashes of these keys — one value at a
time, and set-based over an Arrow batch of a million people.

- A phone's key is its decimal digits (any script's, as ASCII) without the +86 / 0086 country
  prefix; a number of fewer than MIN_PHONE_DIGITS digits links no one.
- An address's key is `registry.rules.address.address_key`.

What is hashed is `core.pii.keyed_hash("tel:" + key)` or `keyed_hash("addr:" + key)`; SQL
builds keyed_hash's normal form of it (trimmed, upper case) itself.

`keyed_contacts` reads every batch of the table into an in-memory DuckDB (no temporary
directory: it fails rather than spill a phone number to disk; dropped at the end), normalises
the usual values in SQL — phones in ASCII, addresses of CJK unified ideographs (U+4E00–U+9FFF)
and ASCII, whose normal form SQL computes exactly: NFKC leaves them unchanged, every other ASCII
character is punctuation, a symbol, a space or a control character — and the rest (full-width
digits, compatibility characters, other scripts) one by one in Python, then hashes only the
values two persons or more share (HMAC-SHA256 from the key's pads, RFC 2104): a value one person
holds links no one, and hashing 4 million of them was most of a nightly scan's contacts.
tests/registry/test_contact_rules.py checks the hashes against `contact_plain` and `keyed_hash`
for any text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

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
SELECT person_id, kind, plain FROM plain
"""
_SHARED = """
WITH shared AS (
    SELECT kind, plain FROM plain GROUP BY kind, plain HAVING min(person_id) < max(person_id)
)
SELECT person_id, kind, sha256($opad || unhex(sha256($ipad || encode(plain)))) AS value_hash
FROM plain SEMI JOIN shared USING (kind, plain)
UNION ALL
SELECT person_id, kind, value_hash FROM accounts
"""
_EVERY = """
SELECT person_id, kind, sha256($opad || unhex(sha256($ipad || encode(plain)))) AS value_hash
FROM plain
UNION ALL
SELECT person_id, kind, value_hash FROM accounts
"""
_ACCOUNTS = f"SELECT person_id, kind, value FROM raw WHERE kind NOT IN ('{PHONE}', '{ADDRESS}')"
_OTHERS = rf"""
SELECT person_id, kind, value FROM raw
WHERE (kind = '{PHONE}' AND NOT ({_ASCII})) OR (kind = '{ADDRESS}' AND NOT {_PLAIN_ADDRESS})
"""


def keyed_contacts(batches: Iterable[pa.RecordBatch | pa.Table],
                   pads: tuple[bytes, bytes], *, shared_only: bool = True) -> pa.Table:
    """Every batch of RAW rows of a table → (person id, kind, keyed hash): "phone" and
    "address" for the values two persons or more share (the others link no one: dropped, as
    are empty and null values and those too short to link), "account" for every account hash
    as it is. `shared_only=False`: every phone and address that can link, shared or not (the
    risk scan keeps them between scans and finds the shared ones itself). `pads`:
    keyed_hash's inner and outer HMAC pads (core.pii.keyed_hash_pads)."""
    import duckdb

    from jineng.registry.rules.address import MIN_LINKABLE

    con = duckdb.connect(config={"temp_directory": ""})  # never spilled to disk
    try:
        # The rows are gathered first and normalised in one statement: DuckDB runs a
        # statement over one batch (~100,000 rows, one row group) on one thread, so the
        # same statement per batch took twice as long (2 million persons: 4.9 against 2.6 s).
        names = ", ".join(RAW.names)
        con.execute("CREATE TABLE wide (person_id BIGINT, phone VARCHAR, address VARCHAR, "
                    "account_hash VARCHAR)")
        for batch in batches:
            con.register("batch", batch)
            con.execute(f"INSERT INTO wide SELECT {names} FROM batch")
            con.unregister("batch")
        con.execute("CREATE TABLE plain (person_id BIGINT, kind VARCHAR, plain VARCHAR)")
        con.execute("CREATE TABLE accounts (person_id BIGINT, kind VARCHAR, "
                    "value_hash VARCHAR)")
        con.execute(_LONG)
        con.execute(f"INSERT INTO plain {_SQL}", {"min_address": MIN_LINKABLE})
        con.execute(f"INSERT INTO accounts {_ACCOUNTS}")
        # keyed_hash's normal form (trimmed, upper case), as SQL makes it
        rest = [(pk, kind, p.strip().upper()) for pk, kind, value
                in con.execute(_OTHERS).fetchall()
                if (p := contact_plain(kind, value)) is not None]
        if rest:
            con.executemany("INSERT INTO plain VALUES (?, ?, ?)", rest)
        con.execute("DROP VIEW raw")
        con.execute("DROP TABLE wide")
        ipad, opad = pads
        hashed = con.sql(_SHARED if shared_only else _EVERY,
                         params={"ipad": ipad, "opad": opad}).to_arrow_table()
    finally:
        con.close()
    return hashed.cast(CONTACTS)

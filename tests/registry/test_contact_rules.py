"""The keys of phones and addresses the ring rule (R08) links people by
(registry.rules.contacts): normalised set-based in DuckDB for the usual values and in Python
for the rest, hashed only when two persons or more share them, always the keyed hash that
`keyed_hash` gives one value at a time. Pure: no database."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jineng.core import pii
from jineng.registry.rules.contacts import (
    ADDRESS,
    PHONE,
    RAW,
    contact_plain,
    keyed_contacts,
    phone_key,
)

COLUMN = {PHONE: "phone", ADDRESS: "address", "account": "account_hash"}


def _batch(rows: list[tuple[int, str, str | None]]) -> pa.Table:
    """(person, kind, value) rows as the wide rows keyed_contacts reads, one per row."""
    return pa.Table.from_pylist([{"person_id": pk, COLUMN[kind]: value}
                                 for pk, kind, value in rows], schema=RAW)


def _expected(rows) -> list[tuple]:
    """One value at a time: contact_plain and keyed_hash, kept when two persons share it."""
    hashed, holders = [], {}
    for pk, kind, value in rows:
        if not value:
            continue
        if kind in (PHONE, ADDRESS):
            plain = contact_plain(kind, value)
            if plain is not None:
                h = pii.keyed_hash(plain)
                hashed.append((pk, kind, h))
                holders.setdefault((kind, h), set()).add(pk)
        else:
            hashed.append((pk, kind, value))
    return sorted(r for r in hashed
                  if r[1] not in (PHONE, ADDRESS) or len(holders[(r[1], r[2])]) > 1)


def _keyed(*batches) -> list[tuple]:
    table = keyed_contacts([_batch(b) for b in batches], pii.keyed_hash_pads())
    assert table.schema.names == ["person_id", "kind", "value_hash"]
    return sorted(zip(*(table.column(i).to_pylist() for i in range(3)), strict=True))


@pytest.mark.parametrize(("phone", "key"), [
    ("13800000000", "13800000000"),
    ("+86 138-0000-0000", "13800000000"),
    ("008613800000000", "13800000000"),
    ("86 0851 8600 1234", "085186001234"),  # 12 digits after the 86: the prefix goes
    ("0851-86001234", "085186001234"),  # a landline keeps its area code
    ("８６１３８００００００００", "13800000000"),  # full-width digits are digits
    ("123456", "123456"),
])
def test_phone_key(phone, key) -> None:
    assert phone_key(phone) == key


def test_shared_values_are_hashed_as_keyed_hash_and_the_others_dropped() -> None:
    rows = [(1, PHONE, "13800000000"), (2, PHONE, "+86 138-0000-0000"),
            (3, PHONE, "0086 13800000001"),  # held by no one else: links no one
            (4, PHONE, "123456"), (44, PHONE, "123456"),  # too short, even shared
            (5, ADDRESS, "南明区人民路12号3单元401室"),
            (6, ADDRESS, "南明区 人民路12号-3单元(401室)"),
            (7, ADDRESS, "南明区1号"), (77, ADDRESS, "南明区1号"),  # too short
            (8, ADDRESS, "花溪区abc小区B栋"), (9, PHONE, ""), (99, PHONE, ""),
            (10, "account", "f" * 64)]  # an account hash, kept whoever shares it
    got = _keyed(rows)
    assert got == _expected(rows)
    assert got == sorted([(1, PHONE, pii.keyed_hash("tel:13800000000")),
                          (2, PHONE, pii.keyed_hash("tel:13800000000")),
                          (5, ADDRESS, pii.keyed_hash("addr:南明区人民路12号3单元401室")),
                          (6, ADDRESS, pii.keyed_hash("addr:南明区人民路12号3单元401室")),
                          (10, "account", "f" * 64)])


def test_values_normalised_in_python_meet_those_normalised_in_sql_across_batches() -> None:
    # full-width digits and punctuation go through Python, the plain forms through SQL; the
    # same phone and the same address link across them, and across batches
    first = [(1, PHONE, "１３８００００００００"),
             (2, ADDRESS, "南明区人民路１２号３单元（４０１室）")]
    second = [(3, PHONE, "13800000000"), (4, ADDRESS, "南明区人民路12号3单元401室"),
              (5, ADDRESS, "Straße 12, Ærø 5"), (6, ADDRESS, "STRASSE 12 ærø 5")]
    got = _keyed(first, second)
    assert got == _expected(first + second)
    by = {pk: h for pk, _k, h in got}
    assert by[1] == by[3] == pii.keyed_hash("tel:13800000000")
    assert by[2] == by[4] and by[5] == by[6] == pii.keyed_hash("addr:strasse12ærø5")


def test_a_person_row_gives_both_the_phone_and_the_address() -> None:
    people = [{"person_id": p, "phone": "13800000000", "address": "南明区人民路12号3单元401室"}
              for p in (1, 2)]
    table = keyed_contacts([pa.Table.from_pylist(
        [*people, {"person_id": 3, "phone": None, "address": ""},
         {"person_id": 4, "account_hash": "a"}], schema=RAW)], pii.keyed_hash_pads())
    got = sorted(zip(*(table.column(i).to_pylist() for i in range(3)), strict=True))
    phone, address = pii.keyed_hash("tel:13800000000"), pii.keyed_hash(
        "addr:南明区人民路12号3单元401室")
    assert got == [(1, ADDRESS, address), (1, PHONE, phone), (2, ADDRESS, address),
                   (2, PHONE, phone), (4, "account", "a")]


_TEXT = st.text(alphabet=st.one_of(
    st.sampled_from("0123456789+-() ８６１３\u3000#号单元室栋路区南明AbcßÆ，。·\t\n\\'\"%_"),
    st.characters(codec="utf-8")), max_size=30)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([PHONE, ADDRESS, "account"]), _TEXT), max_size=20))
def test_any_values_hash_as_keyed_hash_does_one_by_one(values) -> None:
    # each value twice (two persons), so that every linkable one is hashed, and once alone
    rows = [(i, kind, value) for i, (kind, value) in enumerate(values)]
    rows += [(1000 + i, kind, value) for i, (kind, value) in enumerate(values) if i % 2]
    assert _keyed(rows) == _expected(rows)

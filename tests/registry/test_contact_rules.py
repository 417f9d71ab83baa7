"""The keys of phones and addresses the ring rule (R08) links people by
(registry.rules.contacts): set-based in DuckDB for the usual values, in Python for the rest,
always the keyed hash that `keyed_hash` gives one value at a time. Pure: no database."""

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
    out = []
    for pk, kind, value in rows:
        if not value:
            continue
        if kind in (PHONE, ADDRESS):
            plain = contact_plain(kind, value)
            if plain is not None:
                out.append((pk, kind, pii.keyed_hash(plain)))
        else:
            out.append((pk, kind, value))
    return sorted(out)


def _keyed(rows, hash_one=pii.keyed_hash) -> list[tuple]:
    table = keyed_contacts(_batch(rows), pii.keyed_hash_pads(), hash_one)
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


def test_the_usual_values_are_hashed_in_sql_and_equal_keyed_hash() -> None:
    rows = [(1, PHONE, "13800000000"), (2, PHONE, "+86 138-0000-0000"),
            (3, PHONE, "0086 13800000001"), (4, PHONE, "123456"),  # too short: none
            (5, ADDRESS, "南明区人民路12号3单元401室"),
            (6, ADDRESS, "南明区 人民路12号-3单元(401室)"),
            (7, ADDRESS, "南明区1号"), (8, ADDRESS, "花溪区abc小区B栋"), (9, PHONE, ""),
            (10, "account", "f" * 64)]

    def not_called(plain: str) -> str:
        raise AssertionError(f"hashed in Python: {plain}")

    got = _keyed(rows, not_called)
    assert got == _expected(rows)
    by = {pk: h for pk, _k, h in got}
    assert by[1] == by[2] == pii.keyed_hash("tel:13800000000") and 4 not in by and 9 not in by
    assert by[5] == by[6] == pii.keyed_hash("addr:南明区人民路12号3单元401室") and 7 not in by
    assert by[8] == pii.keyed_hash("addr:花溪区abc小区b栋") and by[10] == "f" * 64


def test_other_values_are_hashed_in_python_alike() -> None:
    rows = [(1, PHONE, "１３８００００００００"),
            (2, ADDRESS, "南明区人民路１２号３单元（４０１室）"),
            (3, ADDRESS, "南明区人民路12号3单元401室"), (4, ADDRESS, "Straße 12, Ærø 5")]
    hashed = []

    def recording(plain: str) -> str:
        hashed.append(plain)
        return pii.keyed_hash(plain)

    got = _keyed(rows, recording)
    assert got == _expected(rows)
    assert sorted(hashed) == sorted(["tel:13800000000", "addr:南明区人民路12号3单元401室",
                                     "addr:strasse12ærø5"])  # case-folded; the third in SQL
    assert got[0][2] == pii.keyed_hash("tel:13800000000") and got[1][2] == got[2][2]


_TEXT = st.text(alphabet=st.one_of(
    st.sampled_from("0123456789+-() ８６１３\u3000#号单元室栋路区南明AbcßÆ，。·\t\n\\'\"%_"),
    st.characters(codec="utf-8")), max_size=30)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([PHONE, ADDRESS, "account"]), _TEXT), max_size=20))
def test_any_values_hash_as_keyed_hash_does_one_by_one(values) -> None:
    rows = [(i, kind, value) for i, (kind, value) in enumerate(values)]
    assert _keyed(rows) == _expected(rows)


def test_a_person_row_gives_both_the_phone_and_the_address() -> None:
    table = keyed_contacts(pa.Table.from_pylist(
        [{"person_id": 1, "phone": "13800000000", "address": "南明区人民路12号3单元401室"},
         {"person_id": 2, "phone": None, "address": ""}, {"person_id": 3, "account_hash": "a"}],
        schema=RAW), pii.keyed_hash_pads(), pii.keyed_hash)
    assert sorted(zip(*(table.column(i).to_pylist() for i in range(3)), strict=True)) == [
        (1, ADDRESS, pii.keyed_hash("addr:南明区人民路12号3单元401室")),
        (1, PHONE, pii.keyed_hash("tel:13800000000")), (3, "account", "a")]

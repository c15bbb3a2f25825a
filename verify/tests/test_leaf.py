"""Leaf format v1: canonical JSON and the salted commitment to the record."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from daftari_verify.errors import FormatError, VerificationError
from daftari_verify.leaf import Leaf, canonical_json, check_commit, format_at, loads_strict, record_commit
from hypothesis import given
from hypothesis import strategies as st

SALT = bytes(range(32))
RECORD = {"id": "6f1c2a7e-8a0b-4c3d-9e4f-112233445566", "narrative": "Baiskeli imeibiwa", "parties": [], "n": 3}


def a_leaf(**changes: Any) -> Leaf:
    fields: dict[str, Any] = {
        "at": "2026-11-29T07:31:02Z",
        "by": "254719",
        "commit": record_commit(RECORD, SALT),
        "kind": "occurrence",
        "log": "daftari.local/ob/KSM01",
        "ob": "OB 12/29/11/2026",
        "prev": None,
        "record": RECORD["id"],
    }
    fields.update(changes)
    return Leaf(**fields)


def test_leaf_bytes_are_sorted_compact_ascii_json_in_the_spec_layout() -> None:
    leaf = a_leaf()
    assert leaf.to_bytes() == (
        b'{"at":"2026-11-29T07:31:02Z","by":"254719","commit":"' + leaf.commit.encode() + b'","kind":"occurrence",'
        b'"log":"daftari.local/ob/KSM01","ob":"OB 12/29/11/2026","prev":null,'
        b'"record":"6f1c2a7e-8a0b-4c3d-9e4f-112233445566","v":1}'
    )
    assert Leaf.from_bytes(leaf.to_bytes()) == leaf


def test_the_commit_is_hex_sha256_of_salt_then_canonical_json_of_the_record() -> None:
    expected = hashlib.sha256(
        SALT + b'{"id":"6f1c2a7e-8a0b-4c3d-9e4f-112233445566","n":3,"narrative":"Baiskeli imeibiwa","parties":[]}'
    ).hexdigest()
    assert record_commit(RECORD, SALT) == expected
    a_leaf().check_record(RECORD, SALT)


def test_a_changed_record_or_salt_no_longer_matches_the_commit() -> None:
    leaf = a_leaf()
    with pytest.raises(VerificationError, match="commit does not match the record"):
        leaf.check_record({**RECORD, "narrative": "Baiskeli imeibiwa."}, SALT)
    with pytest.raises(VerificationError):
        check_commit(leaf.commit, RECORD, bytes(32))
    with pytest.raises(FormatError):
        check_commit(leaf.commit, RECORD, SALT[:31])


def test_non_ascii_text_is_escaped_so_the_bytes_are_ascii() -> None:
    assert canonical_json({"b": "Wanjikũ — ☕", "a": 1}) == b'{"a":1,"b":"Wanjik\\u0169 \\u2014 \\u2615"}'


@pytest.mark.parametrize("value", [{"x": 1.5}, {"x": [0.0]}, {1: "a"}, {"x": b"bytes"}, {"x": datetime.now(UTC)}])
def test_floats_and_values_without_a_canonical_form_are_refused(value: Any) -> None:
    with pytest.raises(FormatError):
        canonical_json(value)


@pytest.mark.parametrize("text", ['{"x": 1.0}', '{"x": 1e3}', '{"x": NaN}', '{"x": 1, "x": 2}', "{"])
def test_strict_json_refuses_floats_nan_duplicate_keys_and_garbage(text: str) -> None:
    with pytest.raises(FormatError):
        loads_strict(text)


@pytest.mark.parametrize(
    "data",
    [
        b'{"v":1}',
        b' {"at":"2026-11-29T07:31:02Z"}',
        # the same leaf, not canonical: a space after a colon
        b'{"at": "2026-11-29T07:31:02Z","by":"1","commit":"' + b"0" * 64 + b'","kind":"occurrence","log":"l",'
        b'"ob":null,"prev":null,"record":"r","v":1}',
    ],
)
def test_leaf_bytes_that_are_not_exactly_a_canonical_v1_leaf_are_refused(data: bytes) -> None:
    with pytest.raises(FormatError):
        Leaf.from_bytes(data)


@pytest.mark.parametrize(
    "changes",
    [
        {"v": 2},
        {"at": "2026-11-29 07:31:02"},
        {"at": "2026-11-29T07:31:02.5Z"},
        {"commit": "AB" * 32},
        {"kind": "Occurrence"},
        {"by": ""},
        {"prev": -1},
        {"prev": True},
        {"ob": ""},
    ],
)
def test_leaf_fields_outside_the_v1_format_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(FormatError):
        a_leaf(**changes)


def test_leaf_times_are_utc_to_the_second() -> None:
    nairobi = timezone(timedelta(hours=3))
    assert format_at(datetime(2026, 11, 29, 10, 31, 2, 999, tzinfo=nairobi)) == "2026-11-29T07:31:02Z"
    with pytest.raises(ValueError):
        format_at(datetime(2026, 11, 29, 10, 31, 2))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_any_record_reparses_to_the_same_canonical_bytes_and_commit(record: dict[str, Any]) -> None:
    data = canonical_json(record)
    assert data.isascii()
    assert canonical_json(loads_strict(data)) == data
    assert record_commit(loads_strict(data), SALT) == record_commit(record, SALT)

"""Leaf format v1 of the station ledger: canonical JSON that carries a salted commitment to the
record, so the leaf stream holds no personal data.

Canonical JSON: keys sorted, no whitespace, ASCII only, no floats (their text form is not
unique); integers, strings, booleans, null, arrays and objects only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from daftari_verify import merkle
from daftari_verify.errors import FormatError, VerificationError

LEAF_VERSION = 1
SALT_SIZE = 32
LEAF_KEYS = frozenset({"at", "by", "commit", "kind", "log", "ob", "prev", "record", "v"})

_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_KIND = re.compile(r"[a-z][a-z0-9_]*")


def _check_json_value(value: Any, path: str) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        raise FormatError(f"{path} is a float; use an integer or a string")
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_json_value(item, f"{path}[{i}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise FormatError(f"{path} has a non-string key {key!r}")
            _check_json_value(item, f"{path}.{key}")
        return
    raise FormatError(f"{path} is a {type(value).__name__}, which has no canonical JSON form")


def _plainly_canonical(value: Any) -> bool:
    """True when ``value`` is made only of the plain JSON types (dict, list, str, int, bool, None).
    The hub checks every record of every batch; this walk is the fast path, and anything it does not
    recognise goes to ``_check_json_value``, which accepts the rest or names where it is wrong."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str or kind is int or kind is bool or item is None:
            continue
        if kind is dict:
            if not all(type(key) is str for key in item):
                return False
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        else:
            return False
    return True


def canonical_json(value: Any) -> bytes:
    """The one byte string a JSON value is hashed as."""
    if not _plainly_canonical(value):
        _check_json_value(value, "value")
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _no_float(text: str) -> Any:
    raise FormatError(f"number {text} is not an integer")


def _no_constant(text: str) -> Any:
    raise FormatError(f"{text} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise FormatError(f"key {key!r} appears twice")
        obj[key] = value
    return obj


def loads_strict(data: str | bytes) -> Any:
    """Parse JSON refusing floats, NaN/Infinity and duplicate keys (which canonical JSON cannot hold)."""
    try:
        return json.loads(data, parse_float=_no_float, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except FormatError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"not JSON: {exc}") from None


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_SIZE)


def record_commit(record: Mapping[str, Any], salt: bytes) -> str:
    """hex SHA-256(salt ‖ canonical JSON of the full record)."""
    if len(salt) != SALT_SIZE:
        raise FormatError(f"salt must be {SALT_SIZE} bytes, not {len(salt)}")
    if not isinstance(record, Mapping):
        raise FormatError("a record is a JSON object")
    return hashlib.sha256(salt + canonical_json(record)).hexdigest()


def check_commit(commit: str, record: Mapping[str, Any], salt: bytes) -> None:
    """Raise ``VerificationError`` unless ``commit`` is the commitment to this record and salt."""
    if not hmac.compare_digest(record_commit(record, salt), commit):
        raise VerificationError("commit does not match the record")


def format_at(moment: datetime) -> str:
    """A leaf's ``at``: UTC to the second, ``YYYY-MM-DDTHH:MM:SSZ``."""
    if moment.tzinfo is None:
        raise ValueError("a leaf's time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Leaf:
    at: str
    by: str
    commit: str
    kind: str
    log: str
    ob: str | None
    prev: int | None
    record: str
    v: int = LEAF_VERSION

    def __post_init__(self) -> None:
        def bad(what: str) -> FormatError:
            return FormatError(f"leaf {what}")

        if type(self.v) is not int or self.v != LEAF_VERSION:
            raise bad(f"version must be {LEAF_VERSION}")
        if not isinstance(self.at, str) or not _AT.fullmatch(self.at):
            raise bad("'at' must be a UTC time like 2026-11-29T07:31:02Z")
        for key in ("by", "log", "record"):
            value = getattr(self, key)
            if not isinstance(value, str) or not value:
                raise bad(f"{key!r} must be a non-empty string")
        if not isinstance(self.commit, str) or not _HEX64.fullmatch(self.commit):
            raise bad("'commit' must be 64 lowercase hex digits")
        if not isinstance(self.kind, str) or not _KIND.fullmatch(self.kind):
            raise bad("'kind' must be a lowercase word such as occurrence")
        if self.ob is not None and (not isinstance(self.ob, str) or not self.ob):
            raise bad("'ob' must be a non-empty string or null")
        if self.prev is not None and (type(self.prev) is not int or self.prev < 0):
            raise bad("'prev' must be a leaf index or null")

    def to_bytes(self) -> bytes:
        # Every field is a str, an int or None (checked above): a plain dict is asdict() without its deep copy.
        return canonical_json({f.name: getattr(self, f.name) for f in fields(self)})

    def leaf_hash(self) -> bytes:
        return merkle.leaf_hash(self.to_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> Leaf:
        """Parse leaf bytes; they must be exactly the canonical encoding of a v1 leaf."""
        obj = loads_strict(data)
        if not isinstance(obj, dict):
            raise FormatError("a leaf is a JSON object")
        if set(obj) != LEAF_KEYS:
            raise FormatError(f"a v1 leaf has exactly the keys {', '.join(sorted(LEAF_KEYS))}")
        leaf = cls(**obj)
        if leaf.to_bytes() != data:
            raise FormatError("leaf bytes are not canonical JSON")
        return leaf

    @classmethod
    def for_record(
        cls,
        *,
        at: datetime,
        by: str,
        kind: str,
        log: str,
        ob: str | None,
        prev: int | None,
        record_id: str,
        record: Mapping[str, Any],
        salt: bytes,
    ) -> Leaf:
        """The leaf that commits to ``record`` with ``salt``."""
        return cls(
            at=format_at(at),
            by=by,
            commit=record_commit(record, salt),
            kind=kind,
            log=log,
            ob=ob,
            prev=prev,
            record=record_id,
        )

    def check_record(self, record: Mapping[str, Any], salt: bytes) -> None:
        check_commit(self.commit, record, salt)

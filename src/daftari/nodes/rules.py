"""Pure rules of the link between a node and the hub: enrolment codes, retry delays, exit codes, and
what the hub's national search finds an entry of a node's book by."""

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import Any

from daftari.core.identifiers import normalise_id_number, normalise_plate
from daftari.core.phones import normalise_phone
from daftari.occurrences.entry_types import BY_CODE, SUSPECTED_OFFICER
from daftari.occurrences.rules import ob_date_of, parse_ob_number

ENROLMENT_VALID_FOR = timedelta(hours=24)
# Crockford's base32 without I, L, O, U: read aloud over a phone, typed at a station, no mix-ups.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_GROUPS = 5


FINGERPRINT_GROUPS = 4


def new_enrolment_code(*, hub_key: str) -> str:
    """Twenty-five random characters (125 bits) in groups of five, then the fingerprint of the hub's
    key in four more groups: ``7KQ2M-9XA4F-...-<fingerprint>``. The node takes the key whose
    fingerprint the code carries, and no other, as the hub's (NODES.md rule 5)."""
    groups = ("".join(secrets.choice(_CODE_ALPHABET) for _ in range(5)) for _ in range(CODE_GROUPS))
    return "-".join([*groups, *_groups(key_fingerprint(hub_key))])


def _groups(text: str) -> list[str]:
    return [text[i : i + 5] for i in range(0, len(text), 5)]


def key_fingerprint(key: str) -> str:
    """The first 100 bits of the SHA-256 of a verifier key string, in twenty code characters."""
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest(), "big") >> (256 - 5 * 5 * FINGERPRINT_GROUPS)
    return "".join(_CODE_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(5 * FINGERPRINT_GROUPS)))


def code_fingerprint(code: str) -> str | None:
    """The hub key's fingerprint an enrolment code carries, or None for a code of the wrong length."""
    plain = normalise_code(code)
    if len(plain) != 5 * (CODE_GROUPS + FINGERPRINT_GROUPS) or any(ch not in _CODE_ALPHABET for ch in plain):
        return None
    return plain[5 * CODE_GROUPS :]


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


class SyncOutcome(IntEnum):
    """``daftari node sync``'s exit code (NODES.md)."""

    UP_TO_DATE = 0
    REFUSED = 1
    UNREACHABLE = 2


# A pull of the hub's data is signed with the node's clock; a captured request is good for this long only.
REQUEST_GRACE = timedelta(minutes=5)


def request_is_fresh(signed_at: int, *, now: float) -> bool:
    """A node's signed read, made within the grace of the hub's clock (either side: clocks drift)."""
    return abs(now - signed_at) <= REQUEST_GRACE.total_seconds()


RETRY_CAP_SECONDS = 30.0


def retry_delay(failures: int, *, interval: float) -> float:
    """Seconds until the next try: the interval while the hub answers, doubling to 30 s while it does not.

    Not longer: a node holds its book to the hub within a minute of the link coming back (issue 13), and a
    try at a hub that is away costs one refused connection."""
    if failures <= 0:
        return interval
    return max(interval, min(interval * 2**failures, RETRY_CAP_SECONDS))


def first_ob_day_carried(now: datetime) -> date:
    """When a station's book changes writer (a node joins, or hands it back), the OB days whose numbers
    the new writer goes on from: today and yesterday, in the OB day sense. Yesterday too, because an
    entry numbered just before midnight, or on a clock a little behind, belongs to it."""
    return ob_date_of(now) - timedelta(days=1)


def parse_ob_counters(value: Any) -> list[tuple[date, int]] | None:
    """The ``ob_counters`` of the hub's join data, ``[{"ob_date": "2026-12-06", "last_seq": 14}]``, as
    (day, last number) pairs; None when they are missing or malformed."""
    if not isinstance(value, list):
        return None
    counters = []
    for row in value:
        if not isinstance(row, dict):
            return None
        last_seq, day = row.get("last_seq"), row.get("ob_date")
        if isinstance(last_seq, bool) or not isinstance(last_seq, int) or last_seq < 0 or not isinstance(day, str):
            return None
        try:
            counters.append((date.fromisoformat(day), last_seq))
        except ValueError:
            return None
    return counters


# The leaves of a node's book that are entries of the Occurrence Book (records.KIND_OCCURRENCE, KIND_AMENDMENT).
ENTRY_KINDS = frozenset({"occurrence", "amendment"})


@dataclass(frozen=True)
class Findable:
    """What national search at the hub finds a mirrored entry by, read from the record the node sent."""

    entry_id: uuid.UUID
    ob: tuple[int, date] | None
    entry_type: str
    recorded_at: datetime
    names: str  # the parties' names, lower case, one space apart
    words: str  # every word of the entry (narrative, place, names, offences, property, vehicles), lower case
    # ("id_number" | "phone" | "plate", the value as search normalises it), and ("officer", the service
    # number) when it names a police officer suspected, as recorded or as a correction changes it (vetting).
    mentions: frozenset[tuple[str, str]]
    refers_to: uuid.UUID | None = None  # the entry a correction or follow-up refers to

    def index_fields(self) -> dict[str, Any]:
        """The columns of its row in the hub's index of mirrored entries (nodes.MirroredEntry)."""
        seq, ob_date = self.ob if self.ob is not None else (None, None)
        return {
            "entry_id": self.entry_id,
            "ob_date": ob_date,
            "ob_seq": seq,
            "entry_type": self.entry_type,
            "recorded_at": self.recorded_at,
            "names": self.names,
            "words": self.words,
            "refers_to": self.refers_to,
        }


def rows_of(record: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The record's list ``name`` (its parties, vehicles...), whatever else the node sent there left out."""
    return [row for row in record.get(name) or [] if isinstance(row, dict)]


def words_of(text: str, *, at_most: int | None = None) -> list[str]:
    """Lower-case words, as search matches them."""
    return re.findall(r"\w+", (text or "").lower())[:at_most]


def _text(*values: Any) -> str:
    return " ".join(words_of(" ".join(str(v) for v in values if v)))


def findable(kind: str, record: dict[str, Any] | None) -> Findable | None:
    """The search keys of an entry of a node's book; None for any other leaf, an erased record, or a
    record this hub cannot read as an entry (its type unknown here)."""
    if kind not in ENTRY_KINDS or not isinstance(record, dict) or record.get("entry_type") not in BY_CODE:
        return None
    try:
        entry_id = uuid.UUID(str(record["id"]))
        recorded_at = datetime.fromisoformat(str(record["recorded_at"]))
    except (KeyError, ValueError):
        return None
    parties, vehicles = rows_of(record, "parties"), rows_of(record, "vehicles")
    mentions: set[tuple[str, str]] = set()
    for party in parties:
        if party.get("id_number"):
            mentions.add(("id_number", normalise_id_number(str(party["id_number"]))))
        phone = normalise_phone(str(party["phone"])) if party.get("phone") else None
        if phone:
            mentions.add(("phone", phone))
    for vehicle in vehicles:
        if vehicle.get("plate"):
            mentions.add(("plate", normalise_plate(str(vehicle["plate"]))))
    if (officer := officer_suspected(record)) is not None:
        mentions.add((OFFICER_MENTION, officer))
    names = _text(*(party.get("name") for party in parties))
    words = _text(
        record.get("narrative"),
        record.get("place"),
        names,
        *(f"{o.get('section', '')} {o.get('description', '')}" for o in rows_of(record, "offences")),
        *(f"{i.get('description', '')} {i.get('serial_number', '')}" for i in rows_of(record, "property_items")),
        *(f"{v.get('plate', '')} {v.get('make_model', '')} {v.get('colour', '')}" for v in vehicles),
    )
    return Findable(
        entry_id=entry_id,
        ob=parse_ob_number(str(record.get("ob") or "")),
        entry_type=str(record["entry_type"]),
        recorded_at=recorded_at,
        names=names,
        words=words,
        mentions=frozenset(mentions),
        refers_to=_uuid_or_none(record.get("refers_to")),
    )


# The mention of an entry that names a police officer suspected: vetting reads such entries (few) by it.
OFFICER_MENTION = "officer"


def officer_suspected(record: dict[str, Any]) -> str | None:
    """The "police officer suspected" an entry records, or a correction of it changes (its service number
    as written, upper case; "" or "NONE" when it says none): None when the record does not touch that field."""
    details = record.get("details")
    if not isinstance(details, dict):
        return None
    fields = details.get("changes") if record.get("entry_type") == "AMENDMENT" else details
    if not isinstance(fields, dict) or SUSPECTED_OFFICER.name not in fields:
        return None
    return str(fields[SUSPECTED_OFFICER.name] or "").strip().upper()[:40]


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


# --- The hub's figures of a node station (issues 12, 13) ---------------------------------------

# The custody events that end custody, each with whether it counts for Art. 49 (brought to court or
# released, or handed over, within the deadline: custody.services.APPLY) or ends it otherwise.
CUSTODY_CLOSINGS = {"release": True, "to_court": True, "handed_for_removal": True, "escape": False, "death": False}
# The custody events the figures count by themselves.
CUSTODY_COUNTED = frozenset({"death", "serious_injury"})


def moment_of(record: dict[str, Any], key: str) -> datetime | None:
    """A moment of a mirrored record (an aware ISO 8601 string), or None when missing or unreadable."""
    try:
        found = datetime.fromisoformat(str(record[key]))
    except (KeyError, ValueError):
        return None
    return found if found.tzinfo is not None else None


def suspects_named(record: dict[str, Any]) -> int:
    """How many suspects an entry names (the custody figures' arrests, one per suspect of an ARREST entry)."""
    return sum(1 for party in rows_of(record, "parties") if party.get("role") == "suspect")


def brought_within_deadline(booking: dict[str, Any], events: list[dict[str, Any]]) -> bool | None:
    """Whether a booking kept Art. 49, from its events in book order, as the cell register's projection
    sets it: the first event that ends custody decides; one that counts late counts when recorded
    (custody.rules.counted_at). None while held, or when custody ended otherwise (an escape, a death)."""
    deadline = moment_of(booking, "court_deadline")
    for event in events:
        kind = event.get("type")
        if kind not in CUSTODY_CLOSINGS:
            continue
        counts_at = moment_of(event, "recorded_at" if event.get("late") else "at")
        if not CUSTODY_CLOSINGS[kind] or deadline is None or counts_at is None:
            return None
        return counts_at <= deadline
    return None

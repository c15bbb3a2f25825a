"""What the node and hub endpoints take and answer."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from daftari.core.api_errors import ErrorOut


class JoinIn(Schema):
    code: str = Field(min_length=1, max_length=100, pattern=r"\S", description="The one-time enrolment code.")
    public_key: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"\S",
        description="The node's Ed25519 verifier key string (C2SP signed-note).",
    )


class StationOut(Schema):
    code: str
    name: str
    county: int
    sub_county: str
    lat: str | None
    lon: str | None


class OfficerOut(Schema):
    username: str
    password: str = Field(description="The password hash, never the password.")
    first_name: str
    last_name: str
    is_active: bool
    service_number: str
    rank: str
    phone: str
    roles: list[str]


class ObCounterOut(Schema):
    ob_date: date = Field(description="The OB day (Africa/Nairobi).")
    last_seq: int = Field(ge=0, description="The last OB number the hub gave at the station that day.")


class JoinOut(Schema):
    station: StationOut
    officers: list[OfficerOut]
    ob_counters: list[ObCounterOut] = Field(
        description="The station's last OB number of today and yesterday at the hub: the node's next "
        "entry of each day takes the number after it."
    )
    origin: str = Field(description="The log origin the node's book must carry.")
    hub_key: str = Field(description="The hub's cosigner key (C2SP tlog-cosignature, Ed25519, type 0x04).")
    next_index: int
    feed_key: str = Field(
        description="The key the hub signs its own log with (reference data, officers, alerts): "
        "the node verifies every feed with it, and this answer: its SHA-256 fingerprint (100 bits) ends "
        "the enrolment code."
    )
    signature: str = Field(
        description="A signed note by `feed_key` over `daftari-hub-join/v1`, the SHA-256 (hex) of the "
        "normalised enrolment code, the node's key, and the base64 SHA-256 of this answer's canonical JSON "
        "without `signature` (keys sorted, no spaces, ASCII)."
    )


class FeedIn(Schema):
    since: int = Field(ge=0, description="The size of the hub's log the node last verified (0 at first).")
    at: int = Field(description="The node's clock (Unix seconds) when it signed the request; 5 minutes' grace.")


class FeedLeafOut(Schema):
    index: int
    data: str = Field(description="The leaf's bytes, base64.")
    record: dict[str, Any] | None = Field(description="The record the leaf commits to, if the node may hold it.")
    salt: str | None = Field(description="The commitment's salt, base64, with the record.")
    withheld: str | None = Field(description="Why the record is not sent: redacted or other_station.")


class FeedOut(Schema):
    v: int
    origin: str = Field(description="The hub's log.")
    station: str
    since: int
    checkpoint: str = Field(description="The hub's signed checkpoint of its log (C2SP signed note).")
    checkpoint_at: datetime
    consistency: list[str] = Field(description="The consistency proof from `since` to the checkpoint, base64.")
    leaves: list[FeedLeafOut]


class PushOut(Schema):
    size: int = Field(description="How many leaves of the node's book the hub now holds.")
    cosigned: str = Field(description="The node's checkpoint with the hub's cosignature line added.")


class ResumeOut(ErrorOut):
    next_index: int = Field(description="The leaf the hub expects the next batch to start at.")


PUSH_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["origin", "start", "leaves", "checkpoint", "proof"],
                    "properties": {
                        "origin": {"type": "string"},
                        "start": {"type": "integer", "minimum": 0},
                        "leaves": {
                            "type": "array",
                            "minItems": 1,
                            "maxItems": 1024,
                            "items": {
                                "type": "object",
                                "required": ["leaf", "record", "salt"],
                                "properties": {
                                    "leaf": {"type": "string", "format": "byte"},
                                    "record": {"type": ["object", "null"]},
                                    "salt": {"type": ["string", "null"], "format": "byte"},
                                },
                            },
                        },
                        "checkpoint": {"type": "string"},
                        "proof": {"type": "array", "items": {"type": "string", "format": "byte"}},
                    },
                }
            }
        },
    }
}


class NodeStatusOut(Schema):
    hub: str = Field(description="The hub this node pushes its book to.")
    station: str
    last_sync_at: datetime | None = Field(description="When the hub last held everything the node had sent.")
    pending_leaves: int = Field(description="Leaves of the book the hub does not hold yet.")
    witnessed_size: int = Field(description="How many leaves the hub's latest cosignature covers.")
    witnessed_at: datetime | None
    hub_data_as_of: datetime | None = Field(description="When the node last received the hub's data.")
    refused: str = Field(description="Why the hub refused the book, if it did (sync then stays stopped); else empty.")


class HubNodeOut(Schema):
    station: str
    station_name: str
    last_contact_at: datetime | None
    size: int = Field(description="Leaves of the node's book the hub holds, verified.")
    witnessed_size: int = Field(description="Leaves covered by the hub's latest cosignature.")
    waiting_for_search: int = Field(
        description="Leaves the hub holds that national search does not find yet: the hub's worker indexes "
        "them within seconds of the push (and every 30 s)."
    )
    refusals: int
    halted_at: datetime | None = Field(description="When the hub refused the node's book and stopped its sync.")
    last_refusal: str
    left_at: datetime | None = Field(
        description="When the station's book was handed back to the hub: this node keeps it no more."
    )


class HandBackIn(Schema):
    reason: str = Field(
        min_length=1, max_length=500, pattern=r"\S", description="Why the book comes back (kept in the handover leaf)."
    )


class HandBackOut(Schema):
    station: str
    node_size: int = Field(description="Leaves of the node's book the hub holds: the node's book closes there.")
    node_root: str = Field(description="The root of the node's book at that size (hex), as the hub cosigned it.")
    at: datetime

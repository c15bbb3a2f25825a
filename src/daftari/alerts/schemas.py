"""The shapes of the national alerts register on the API."""

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import Field

from daftari.alerts.models import Alert
from daftari.alerts.rules import MAX_DESCRIPTION, MAX_NAME, MAX_REASON, MatchedOn
from daftari.core.schemas import NOT_BLANK, InputSchema

KINDS = tuple(Alert.Kind.values)


class AlertIn(InputSchema):
    id: uuid.UUID | None = Field(
        None, description="A client id, to retry safely: the same id and body answer 200, a different body 409."
    )
    kind: str = Field(json_schema_extra={"enum": list(KINDS)})
    name: str = Field("", max_length=MAX_NAME, description="Required (or id_number) for a wanted or missing person.")
    id_number: str = Field(
        "", max_length=32, description="ID, passport or document number; required for a lost document."
    )
    phone: str = Field("", max_length=32)
    plate: str = Field("", max_length=20, description="Required for a stolen vehicle.")
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION, pattern=NOT_BLANK)


class WithdrawalIn(InputSchema):
    reason: str = Field(min_length=1, max_length=MAX_REASON, pattern=NOT_BLANK)


class AlertOut(Schema):
    id: uuid.UUID
    kind: str = Field(json_schema_extra={"enum": list(KINDS)})
    name: str
    id_number: str
    phone: str
    plate: str
    description: str
    issued_at: datetime
    issued_by: str = Field(description="The issuing officer's service number, rank and name.")
    station: str = Field(description="The issuing officer's station code; empty for a national officer.")
    active: bool = Field(description="False once withdrawn.")
    withdrawn_at: datetime | None
    withdrawal_reason: str | None


class AlertPageOut(Schema):
    results: list[AlertOut]


class AlertFilters(InputSchema):
    booleans_are_json = False  # ?active=false

    kind: str = Field("", max_length=20, json_schema_extra={"enum": ["", *KINDS]})
    active: bool = Field(True, description="false lists withdrawn alerts too.")


class AlertMatchOut(Schema):
    alert: uuid.UUID
    kind: str = Field(json_schema_extra={"enum": list(KINDS)})
    matched_on: str = Field(json_schema_extra={"enum": [m.value for m in MatchedOn]})
    message: str = Field(description="What to tell the desk, e.g. 'This ID number matches a WANTED PERSON alert ...'.")
    description: str
    issued_at: datetime

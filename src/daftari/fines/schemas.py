"""The shapes of instant fines on the API. Checking what they mean is the rules' job, not these."""

import uuid
from datetime import datetime
from typing import Literal

from django.conf import settings
from ninja import Schema
from pydantic import Field

from daftari.core.schemas import NOT_BLANK, InputSchema
from daftari.fines.rules import State

TEXT = 500


class CatalogueOffenceOut(Schema):
    code: str
    offence: str
    fine_kes: int
    legal_reference: str
    status: str


class NoticeOffenceIn(InputSchema):
    code: str = Field(max_length=12, description="A catalogue code; for speeding MO07 or MO08 (the band is computed).")
    measured_speed: int | None = Field(None, ge=0, le=1000, description="kph, for speeding")
    speed_limit: int | None = Field(None, ge=0, le=1000, description="kph, for speeding")


class DriverIn(InputSchema):
    name: str = Field(max_length=TEXT)
    id_number: str = Field("", max_length=TEXT)
    licence: str = Field("", max_length=TEXT)
    phone: str = Field("", max_length=TEXT)


# Base64 of the largest photo accepted (4 characters per 3 bytes, padded).
PHOTO_BASE64_MAX = 4 * ((settings.DAFTARI_FINES_MAX_PHOTO_BYTES + 2) // 3)


class PhotoIn(InputSchema):
    content_type: Literal["image/jpeg", "image/png", "image/webp"] = Field(
        description="What the bytes are; checked against the bytes themselves."
    )
    data: str = Field(
        min_length=4,
        max_length=PHOTO_BASE64_MAX,
        pattern=r"^[A-Za-z0-9+/]*={0,2}$",
        description="The image bytes in standard base64; the bytes must really be a JPEG, PNG or WebP image.",
    )


class NoticeIn(InputSchema):
    id: uuid.UUID | None = Field(None, description="A client id: a retry with the same id and body returns the notice.")
    offences: list[NoticeOffenceIn] = Field(max_length=20)
    plate: str = Field(max_length=TEXT)
    driver: DriverIn
    place: str = Field(max_length=TEXT)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    issued_at: datetime
    language: str = Field("", max_length=2, json_schema_extra={"enum": ["", "en", "sw"]})
    photo: PhotoIn | None = Field(None, description="An optional roadside photo, the evidence.")
    confirm_unusual: bool = Field(
        False,
        description="True when the officer has checked that a number plate or ID number that fits no known "
        "Kenyan format is correct as typed (a foreign passport, an old plate): it is then recorded and flagged "
        "instead of refused.",
    )


class PayIn(InputSchema):
    phone: str = Field(max_length=TEXT, description="The M-Pesa phone to prompt, e.g. 0712345678.")


class CancelIn(InputSchema):
    reason: str = Field(max_length=TEXT, pattern=NOT_BLANK)


class NoticeFilters(InputSchema):
    plate: str = Field("", max_length=20)
    state: str = Field("", max_length=20, json_schema_extra={"enum": ["", *[s.value for s in State]]})
    page: int = Field(1, ge=1, le=10_000)
    per_page: int = Field(25, ge=1, le=100)


class LineOut(Schema):
    code: str
    offence: str
    fine_kes: int
    measured_speed: int | None
    speed_limit: int | None


class NoticeEventOut(Schema):
    kind: str
    at: datetime
    amount_kes: int | None
    mpesa_receipt: str
    late: bool
    details: dict[str, object]


class NoticeOut(Schema):
    number: str
    station: str
    officer: str
    catalogue_version: int
    plate: str | None = Field(description="null when your role does not see personal data.")
    plate_unusual: bool
    driver: dict[str, str | None]
    personal_data_withheld: bool
    place: str | None = Field(description="null when your role does not see personal data.")
    issued_at: datetime
    due_at: datetime
    offences: list[LineOut]
    total_kes: int
    warning_only: bool
    state: str
    paid_kes: int
    outstanding_kes: int = Field(description="What the notice asks of the driver now: 0 once it is cancelled or paid.")
    payable: bool = Field(
        description="Whether payment is still offered (issued or overdue, money unpaid). A cancelled, paid, "
        "contested, escalated or closed notice, or a warning, is not payable: a prompt answers 409."
    )
    late: bool
    photo_sha256: str | None = None
    events: list[NoticeEventOut]


class NoticePageOut(Schema):
    results: list[NoticeOut]
    page: int
    per_page: int
    has_next: bool


class PaymentOut(Schema):
    id: uuid.UUID
    account_reference: str
    amount_kes: int
    phone: str
    method: str
    state: str
    created_at: datetime


class ContestIn(InputSchema):
    note: str = Field("", max_length=TEXT, description="Why the motorist contests, or the court file reference.")


class CourtOutcomeIn(InputSchema):
    outcome: str = Field(max_length=40, json_schema_extra={"enum": ["convicted_and_paid", "acquitted", "withdrawn"]})

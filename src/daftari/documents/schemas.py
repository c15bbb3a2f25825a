"""The shapes of issued documents on the API."""

import uuid
from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class DocumentOut(Schema):
    id: uuid.UUID
    serial: str
    kind: str
    code: str = Field(description="The verification code printed with the QR code.")
    occurrence: uuid.UUID = Field(description="The entry the document was issued from.")
    ob_number: str
    station: str
    issued_at: datetime
    issued_by: str = Field(description="The issuing officer's service number.")
    personal_data_withheld: bool = Field(
        description="True for roles that work on figures only (analysts), and for a document issued from a "
        "restricted entry read outside that entry's circle."
    )
    restricted: bool
    applicant_name: str | None = Field(description="null when your role does not see personal data.")
    purpose: str | None = Field(description="null when your role does not see personal data.")
    details: dict[str, Any] = Field(
        description="A P3's injuries and investigating officer, a lost document's kind and number, the fee's M-Pesa "
        "receipt. The personal ones are left out when your role does not see personal data."
    )
    fee_kes: int
    supersedes: uuid.UUID | None
    revoked_at: datetime | None
    revocation_reason: str | None = Field(description="null when not revoked or withheld.")

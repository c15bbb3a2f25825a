"""The shapes of the readiness board on the API."""

import uuid
from datetime import date

from ninja import Schema
from pydantic import Field


class ReasonOut(Schema):
    code: str = Field(description="The criterion, 'training', 'document:<kind>' or 'vetting'.")
    message: str
    final: bool = Field(description="True when no retake can change it before departure.")


class DocumentAlertOut(Schema):
    document: str
    alert: str = Field(description="missing, before_departure or during_deployment")
    expires_on: date | None


class BoardRowOut(Schema):
    candidate: uuid.UUID
    service_number: str
    name: str
    rank: str
    age_on_departure: int
    years_of_service: int
    readiness: str = Field(description="ready, not_yet or excluded")
    reasons: list[ReasonOut]
    modules_passed: int
    training_certificate: str = Field(description="The certificate's number; empty until issued.")
    document_alerts: list[DocumentAlertOut]
    certified: bool = Field(description="Whether the certification letter has been issued.")


class BoardOut(Schema):
    contingent: uuid.UUID
    mission: str
    number: int
    departs_on: date
    returns_on: date
    criteria_version: str
    course_version: str
    ready: int
    not_yet: int
    excluded: int
    rows: list[BoardRowOut]

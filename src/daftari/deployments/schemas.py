"""The shapes of the readiness board on the API."""

import uuid
from datetime import date

from ninja import Schema
from pydantic import Field

from daftari.core.schemas import InputSchema
from daftari.deployments.rules import Readiness


class BoardQuery(InputSchema):
    readiness: str = Field(
        "",
        max_length=20,
        pattern="^(" + "|".join(r.value for r in Readiness) + ")?$",
        json_schema_extra={"enum": ["", *(r.value for r in Readiness)]},
        description="List only the candidates in this state (ready, not_yet, excluded); empty for all.",
    )
    page: int = Field(1, ge=1, le=10_000, description="From 1; a page past the last gives the last.")
    per_page: int = Field(50, ge=1, le=100)


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
    candidates: int = Field(description="The whole contingent; ready, not_yet and excluded count it too.")
    readiness: str = Field(description="The state listed; empty for all.")
    listed: int = Field(description="The candidates in the state listed, on every page.")
    page: int = Field(description="The page given (the last when a later one was asked for).")
    per_page: int
    pages: int
    has_next: bool
    rows: list[BoardRowOut] = Field(description="This page's candidates, by service number; only these are logged.")

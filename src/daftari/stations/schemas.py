from ninja import Schema
from pydantic import Field

from daftari.core.schemas import InputSchema


class TokenRequest(InputSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("", max_length=80, description="What the token is for, e.g. the device's name.")
    otp: str | None = Field(
        None,
        max_length=12,
        description="The 6-digit code from the officer's authenticator app: required for the OCS, commander, "
        "oversight and admin roles (422 naming this field when missing, 401 `invalid_otp` when wrong).",
    )


class TokenOut(Schema):
    token: str = Field(description="Send it as 'Authorization: Bearer <token>'. It is shown only this once.")

from ninja import Schema
from pydantic import Field

from daftari.core.schemas import InputSchema


class TokenRequest(InputSchema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=1024)
    name: str = Field("", max_length=80, description="What the token is for, e.g. the device's name.")


class TokenOut(Schema):
    token: str = Field(description="Send it as 'Authorization: Bearer <token>'. It is shown only this once.")

"""The base of every API input schema: text the databases can store, in bounded shapes."""

from typing import Any

from django.utils.translation import gettext
from ninja import Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

# Free-form objects (an entry's details, a correction's changes) are flat in practice;
# deeper nesting is refused before anything recurses over it.
MAX_DEPTH = 8


def _bad_text(text: str) -> str | None:
    # PostgreSQL refuses NUL in text and jsonb; lone surrogates cannot be encoded as UTF-8.
    if "\x00" in text:
        return gettext("Text may not contain NUL characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return gettext("Text must be valid Unicode.")
    return None


def check_storable(value: Any) -> Any:
    """Walks strings, lists and dicts (without recursion) and refuses what cannot be stored."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise PydanticCustomError("too_deep", gettext("Nested too deeply."))
        if isinstance(item, str):
            problem = _bad_text(item)
            if problem:
                raise PydanticCustomError("bad_text", problem)
        elif isinstance(item, dict):
            pending.extend((key, depth + 1) for key in item)
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            pending.extend((v, depth + 1) for v in item)
    return value


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        return check_storable(value)

"""The base of every API input schema: text the databases can store, in bounded shapes."""

import functools
import re
from datetime import date, datetime
from typing import Any, ClassVar, get_args

from django.utils.translation import gettext
from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import ConfigDict, ModelWrapValidatorHandler, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

# A pattern for text that must say something: at least one character that is not a space.
NOT_BLANK = r"\S"

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


# Pydantic reads a number as seconds since 1970; the published format is an ISO 8601 date or time.
_NUMBER = re.compile(r"^\s*[-+]?\d+(\.\d*)?\s*$")


def _day_or_time(annotation: Any) -> type[date] | None:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, date):
            return candidate
    return None


def _is_boolean(annotation: Any) -> bool:
    return annotation is bool or bool in get_args(annotation)


@functools.cache
def _field_kind(schema: type[Schema], field_name: str) -> tuple[bool, type[date] | None]:
    """Whether the field holds a boolean, and its date or time type (if any)."""
    # Asked for every field of every request: a schema's fields do not change once it is built.
    field = schema.model_fields.get(field_name)
    if field is None:
        return False, None
    return _is_boolean(field.annotation), _day_or_time(field.annotation)


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    # Pydantic reads 0, 1, "yes" or "off" as a boolean; a JSON body publishes true or false, and gets
    # 422 for anything else. A query string can only carry text: its schema sets this False.
    booleans_are_json: ClassVar[bool] = True

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        # Replaces ninja's own (same name): a schema that forbids extra fields was validated twice
        # there, the second time through a getter for ORM objects. A request's body or query is
        # plain data, validated once, with the same errors.
        return handler(values)

    @field_validator("*", mode="before")
    @classmethod
    def _iso_days_and_times(cls, value: Any, info: ValidationInfo) -> Any:
        boolean, kind = _field_kind(cls, info.field_name or "")
        if cls.booleans_are_json and boolean and value is not None and not isinstance(value, bool):
            raise PydanticCustomError("bool_type", gettext("Give true or false."))
        number = (isinstance(value, int | float) and not isinstance(value, bool)) or (
            isinstance(value, str) and _NUMBER.match(value) is not None
        )
        if kind is not None and number:
            code = "datetime_parsing" if issubclass(kind, datetime) else "date_parsing"
            raise PydanticCustomError(code, "Give an ISO 8601 date or time, not a number.")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:
        choices = _declared_choices(cls, info.field_name)
        if choices is not None and value is not None and value not in choices:
            # The published schema lists the choices: a value outside them is refused here, as it says.
            expected = ", ".join(repr(c) for c in choices if c)
            raise PydanticCustomError("enum", gettext("Give one of: %(expected)s.") % {"expected": expected})
        return check_storable(value)


@functools.cache
def _declared_choices(schema: type[Schema], field_name: str | None) -> list[Any] | None:
    field = schema.model_fields.get(field_name or "")
    extra = field.json_schema_extra if field is not None else None
    return extra.get("enum") if isinstance(extra, dict) else None  # type: ignore[return-value]


class OutputSchema(Schema):
    """A response schema whose views arrive as plain dicts (``entry_out``): validated as they are."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        # Replaces ninja's own (same name), which reads every value through a getter for ORM objects
        # (related managers, files, callables): a dict built from a read model holds none of them.
        if isinstance(values, dict):
            return handler(values)
        return handler(DjangoGetter(values, cls, info.context))  # as ninja reads anything else

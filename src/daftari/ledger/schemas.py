"""What the ledger's public endpoints take and answer (the proof formats are daftari-verify's)."""

from typing import Annotated, Any

from ninja import Field, Schema

# The largest index a PositiveBigIntegerField holds: anything above cannot be a leaf.
MAX_INDEX = 2**63 - 1

Count = Annotated[int, Field(ge=0, le=MAX_INDEX)]


class InclusionQuery(Schema):
    index: Count = Field(description="The 0-based leaf index, less than `size`.")
    size: int = Field(
        ge=1, le=MAX_INDEX, description="The tree size the proof leads to (a checkpoint's size); at most the book's."
    )


class ConsistencyQuery(Schema):
    old: Count = Field(description="The older tree size, at most `new`.")
    new: Count = Field(description="The newer tree size; at most the book's.")


class InclusionProofOut(Schema):
    index: int
    size: int
    hashes: list[str] = Field(description="Base64 SHA-256 hashes, RFC 9162 §2.1.3 order.")


class ConsistencyProofOut(Schema):
    old: int
    new: int
    hashes: list[str] = Field(description="Base64 SHA-256 hashes, RFC 9162 §2.1.4 order.")


def content(media_type: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """An OpenAPI 200 answer written by hand: a signed note, the leaf's own bytes, a zip."""
    schema = schema or {"type": "string"}
    return {"responses": {200: {"description": description, "content": {media_type: {"schema": schema}}}}}

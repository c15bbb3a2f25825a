"""What a change to the OpenAPI document takes away from integrators, against the published copy.

``breaking_changes(published, current)`` lists, in words, everything ``current`` removes or narrows:
a path, an operation, a declared answer or its media type, a parameter, a property; a new required
request property or parameter; a request value range, length, pattern or enum narrowed; a request
or response type changed so that old values no longer fit (requests) or new ones appear (responses);
a response property no longer always sent. Additions pass.

``python -m tests.openapi.published --write`` (``make openapi``) publishes the current schema on purpose.
"""

import json
import sys
from pathlib import Path
from typing import Any

PUBLISHED = Path(__file__).with_name("v1.json")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Bounds a request may only widen: a lower maximum or a higher minimum refuses what was accepted.
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
EVERY_TYPE = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})

Schema = dict[str, Any]


def resolve(schema: Any, components: Schema, seen: frozenset[str] = frozenset()) -> Any:
    """The schema with every local ``$ref`` replaced by what it names (a cycle is left as the ref)."""
    if isinstance(schema, list):
        return [resolve(item, components, seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.rsplit("/", 1)[1]
        if name in seen:
            return schema
        target = {**components.get(name, {}), **{k: v for k, v in schema.items() if k != "$ref"}}
        return resolve(target, components, seen | {name})
    return {key: resolve(value, components, seen) for key, value in schema.items()}


def types(schema: Schema) -> frozenset[str]:
    """The JSON types a schema admits; an unconstrained schema admits all of them."""
    declared = schema.get("type")
    if isinstance(declared, str):
        found = {declared}
    elif isinstance(declared, list):
        found = set(declared)
    else:
        found = set()
    for key in ("anyOf", "oneOf"):
        for member in schema.get(key, []):
            found |= types(member)
    if "const" in schema and not found:
        return frozenset({"const"})
    if not found:
        return EVERY_TYPE
    if "number" in found:
        found.add("integer")
    return frozenset(found)


def _single_variant(schema: Schema) -> Schema:
    """``X | None`` is published as anyOf [X, null]: the comparison goes into X."""
    for key in ("anyOf", "oneOf"):
        members = [m for m in schema.get(key, []) if m.get("type") != "null"]
        if len(members) == 1:
            return {**schema, **members[0]}
    return schema


def compare(old: Schema, new: Schema, where: str, *, request: bool) -> list[str]:
    problems: list[str] = []
    if not isinstance(old, dict) or not isinstance(new, dict) or "$ref" in old or "$ref" in new:
        return problems
    old_types, new_types = types(old), types(new)
    if request and not old_types <= new_types:
        problems.append(f"{where}: no longer takes {', '.join(sorted(old_types - new_types))}")
    if not request and not new_types <= old_types:
        problems.append(f"{where}: may now be {', '.join(sorted(new_types - old_types))}")
    old, new = _single_variant(old), _single_variant(new)
    if request:
        allowed: list[Any] = new["enum"] if "enum" in new else old.get("enum", [])
        removed = [v for v in old.get("enum", []) if v not in allowed]
        if removed:
            problems.append(f"{where}: enum values removed: {removed}")
        if "enum" in new and "enum" not in old:
            problems.append(f"{where}: now limited to {new['enum']}")
        for bound in UPPER_BOUNDS:
            if bound in new and (bound not in old or new[bound] < old[bound]):
                problems.append(f"{where}: {bound} lowered to {new[bound]}")
        for bound in LOWER_BOUNDS:
            if bound in new and (bound not in old or new[bound] > old[bound]):
                problems.append(f"{where}: {bound} raised to {new[bound]}")
        for key in ("pattern", "format"):
            if key in new and new.get(key) != old.get(key):
                problems.append(f"{where}: {key} now {new[key]!r}")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{where}.{name}: removed")
            continue
        if not request and name in old_required and name not in new_required:
            problems.append(f"{where}.{name}: no longer always sent")
        problems += compare(old_prop, new_props[name], f"{where}.{name}", request=request)
    if request:
        for name in sorted(new_required - old_required):
            problems.append(f"{where}.{name}: now required")
    if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
        problems += compare(old["items"], new["items"], f"{where}[]", request=request)
    if isinstance(old.get("additionalProperties"), dict) and isinstance(new.get("additionalProperties"), dict):
        problems += compare(old["additionalProperties"], new["additionalProperties"], f"{where}{{}}", request=request)
    return problems


def _parameters(operation: Schema) -> dict[tuple[str, str], Schema]:
    return {(p["in"], p["name"]): p for p in operation.get("parameters", [])}


def _operation(old: Schema, new: Schema, where: str) -> list[str]:
    problems: list[str] = []
    old_params, new_params = _parameters(old), _parameters(new)
    for key, param in old_params.items():
        label = f"{where} {key[0]} parameter {key[1]}"
        if key not in new_params:
            problems.append(f"{label}: removed")
            continue
        if new_params[key].get("required") and not param.get("required"):
            problems.append(f"{label}: now required")
        problems += compare(param.get("schema", {}), new_params[key].get("schema", {}), label, request=True)
    for key, param in new_params.items():
        if key not in old_params and param.get("required"):
            problems.append(f"{where} {key[0]} parameter {key[1]}: new and required")
    old_body, new_body = old.get("requestBody", {}), new.get("requestBody", {})
    for media, content in old_body.get("content", {}).items():
        if media not in new_body.get("content", {}):
            problems.append(f"{where} request body {media}: no longer taken")
            continue
        new_schema = new_body["content"][media].get("schema", {})
        problems += compare(content.get("schema", {}), new_schema, f"{where} body", request=True)
    if new_body.get("required") and old_body and not old_body.get("required"):
        problems.append(f"{where} body: now required")
    if new_body.get("required") and not old_body:
        problems.append(f"{where} body: new and required")
    old_answers = {str(k): v for k, v in old.get("responses", {}).items()}
    new_answers = {str(k): v for k, v in new.get("responses", {}).items()}
    for status, answer in old_answers.items():
        if status not in new_answers:
            problems.append(f"{where} {status}: no longer declared")
            continue
        for media, content in answer.get("content", {}).items():
            new_content = new_answers[status].get("content", {})
            if media not in new_content:
                problems.append(f"{where} {status} {media}: no longer declared")
                continue
            new_schema = new_content[media].get("schema", {})
            problems += compare(content.get("schema", {}), new_schema, f"{where} {status}", request=False)
    return problems


def breaking_changes(published: Schema, current: Schema) -> list[str]:
    old_components = published.get("components", {}).get("schemas", {})
    new_components = current.get("components", {}).get("schemas", {})
    problems: list[str] = []
    for path, old_item in published.get("paths", {}).items():
        new_item = current.get("paths", {}).get(path)
        if new_item is None:
            problems.append(f"{path}: removed")
            continue
        for method in METHODS:
            if method not in old_item:
                continue
            where = f"{method.upper()} {path}"
            if method not in new_item:
                problems.append(f"{where}: removed")
                continue
            old_op = resolve(old_item[method], old_components)
            new_op = resolve(new_item[method], new_components)
            problems += _operation(old_op, new_op, where)
    return problems


def current_schema() -> Schema:
    import django

    django.setup()
    from daftari.api import api

    # Through JSON, as served: status codes become strings, tuples lists.
    return dict(json.loads(json.dumps(api.get_openapi_schema())))


def write(path: Path = PUBLISHED) -> None:
    path.write_text(json.dumps(current_schema(), indent=1, sort_keys=True, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: python -m tests.openapi.published --write")
    write()
    print(f"published {PUBLISHED}")

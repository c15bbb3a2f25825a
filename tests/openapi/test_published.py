"""The published API (tests/openapi/v1.json) is never taken away from integrators silently.

A change that removes or narrows anything published fails here; additions pass. To publish a
deliberate change: ``make openapi``, then commit v1.json with the change and say why.
"""

import copy
import json
from typing import Any

from tests.openapi.published import PUBLISHED, breaking_changes, current_schema

CURRENT = current_schema()
BASE = json.loads(PUBLISHED.read_text())


def test_the_current_api_keeps_everything_published() -> None:
    problems = breaking_changes(BASE, CURRENT)
    assert not problems, "\n".join(["Run `make openapi` if this is meant:", *problems])


def changed(edit: Any) -> list[str]:
    current = copy.deepcopy(BASE)
    edit(current)
    return breaking_changes(BASE, current)


def entry_in(schema: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = schema["components"]["schemas"]["EntryIn"]
    return found


def test_the_published_schema_compared_with_itself_has_nothing_removed() -> None:
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []


def test_a_removed_path_operation_or_answer_is_breaking() -> None:
    assert changed(lambda s: s["paths"].pop("/api/v1/fines/offences"))
    assert changed(lambda s: s["paths"]["/api/v1/occurrences"].pop("get"))
    assert changed(lambda s: s["paths"]["/api/v1/occurrences"]["post"]["responses"].pop("409"))


def test_a_removed_response_property_or_one_no_longer_always_sent_is_breaking() -> None:
    assert changed(lambda s: s["components"]["schemas"]["EntryOut"]["properties"].pop("ob_number"))
    assert changed(lambda s: s["components"]["schemas"]["EntryOut"]["required"].remove("ob_number"))


def test_a_new_required_request_property_or_parameter_is_breaking() -> None:
    def require_place(s: dict[str, Any]) -> None:
        entry_in(s)["required"].append("place")

    def require_page(s: dict[str, Any]) -> None:
        for p in s["paths"]["/api/v1/occurrences"]["get"]["parameters"]:
            if p["name"] == "page":
                p["required"] = True

    assert any("place: now required" in p for p in changed(require_place))
    assert any("page: now required" in p for p in changed(require_page))


def test_a_narrowed_type_bound_or_enum_in_a_request_is_breaking() -> None:
    def narrow_type(s: dict[str, Any]) -> None:
        entry_in(s)["properties"]["lat"] = {"type": "integer"}

    def lower_max_length(s: dict[str, Any]) -> None:
        entry_in(s)["properties"]["place"]["maxLength"] = 10

    def drop_an_entry_type(s: dict[str, Any]) -> None:
        entry_in(s)["properties"]["entry_type"]["enum"].remove("COMPLAINT")

    assert any("lat" in p for p in changed(narrow_type))
    assert any("maxLength lowered" in p for p in changed(lower_max_length))
    assert any("'COMPLAINT'" in p or "COMPLAINT" in p for p in changed(drop_an_entry_type))


def test_additions_are_not_breaking() -> None:
    def add(s: dict[str, Any]) -> None:
        s["paths"]["/api/v1/new-things"] = {"get": {"responses": {"200": {"description": "OK"}}}}
        s["components"]["schemas"]["EntryOut"]["properties"]["new_field"] = {"type": "string"}
        entry_in(s)["properties"]["new_optional"] = {"type": "string"}
        entry_in(s)["properties"]["place"]["maxLength"] += 100
        s["paths"]["/api/v1/occurrences"]["post"]["responses"]["418"] = {"description": "I'm a teapot"}

    assert changed(add) == []

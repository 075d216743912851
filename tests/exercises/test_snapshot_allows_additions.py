"""A finished exercise keeps the chapters' OpenAPI snapshot tests green.

An exercise adds to a part's API; the snapshot test must let additions
through and still catch any change to what the chapter documents.
"""

import copy
import json
from typing import Any

from tests.openapi_snapshot import without_additions
from tests.serving import ROOT

STORED: dict[str, Any] = json.loads(
    (ROOT / "tests/part2_crud/openapi.json").read_text(encoding="utf-8")
)


def served_with(change: Any) -> Any:
    served = copy.deepcopy(STORED)
    change(served)
    return without_additions(served, STORED)


def test_a_new_query_parameter_is_let_through() -> None:
    def add_q(document: Any) -> None:
        parameter = {"name": "q", "in": "query", "required": False, "schema": {}}
        document["paths"]["/prompts"]["get"]["parameters"].append(parameter)

    assert served_with(add_q) == STORED


def test_a_new_endpoint_and_schema_are_let_through() -> None:
    def add_endpoint(document: Any) -> None:
        document["paths"]["/prompts/{prompt_id}/copy"] = {"post": {}}
        document["components"]["schemas"]["CopyRequest"] = {"type": "object"}

    assert served_with(add_endpoint) == STORED


def test_a_changed_limit_is_caught() -> None:
    def change_limit(document: Any) -> None:
        (limit,) = [
            p
            for p in document["paths"]["/prompts"]["get"]["parameters"]
            if p["name"] == "limit"
        ]
        limit["schema"]["maximum"] = 1000

    assert served_with(change_limit) != STORED


def test_a_newly_required_field_is_caught() -> None:
    def require_model(document: Any) -> None:
        document["components"]["schemas"]["PromptCreate"]["required"].append("model")

    assert served_with(require_model) != STORED


def test_a_removed_endpoint_is_caught() -> None:
    assert served_with(lambda document: document["paths"].pop("/prompts")) != STORED

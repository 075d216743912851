"""One error, one entry: the exact `detail` of a 422 for each endpoint with a body.

A body with an unknown field, a missing field or a value of the wrong type
gets a `detail` list with exactly one entry for that one mistake: its type,
where it is and what it says, and no copy of the input. FastAPI would list
an error twice if the body were validated on two paths of the dependency
graph; these tests see that at once.

`PROMPT_BODIES` are the endpoints of the prompt library (Parts 2 to 5);
`assert_one_entry` is the check. A chapter collects the tests with
`from tests.contract.validation_errors import *  # noqa: F403` and provides a
`client` fixture, as for the contract; Part 5 adds its own endpoints.
"""

from typing import Any

import pytest

from tests.contract.helpers import Response

__all__ = [
    "PROMPT_BODIES",
    "assert_one_entry",
    "test_one_mistake_gets_exactly_one_entry_in_detail",
]

UNKNOWN = {"type": "extra_forbidden", "msg": "Extra inputs are not permitted"}
MISSING = {"type": "missing", "msg": "Field required"}
NOT_A_STRING = {"type": "string_type", "msg": "Input should be a valid string"}
NOT_A_NUMBER = {"type": "float_type", "msg": "Input should be a valid number"}

# (method, path, body, the one error it gets, at which location)
PROMPT_BODIES: list[tuple[str, str, Any, dict[str, str], list[str | int]]] = [
    # POST /prompts
    ("POST", "/prompts", {"name": "a", "template": "t", "foo": 1}, UNKNOWN, ["foo"]),
    ("POST", "/prompts", {"name": "a"}, MISSING, ["template"]),
    ("POST", "/prompts", {"name": 5, "template": "t"}, NOT_A_STRING, ["name"]),
    # PATCH /prompts/{id}: every field optional, so only the body can be missing
    ("PATCH", "/prompts/1", {"name": "a", "foo": 1}, UNKNOWN, ["foo"]),
    ("PATCH", "/prompts/1", None, MISSING, []),
    ("PATCH", "/prompts/1", {"temperature": "0.5"}, NOT_A_NUMBER, ["temperature"]),
    # POST /prompts/{id}/render
    ("POST", "/prompts/1/render", {"variables": {}, "foo": 1}, UNKNOWN, ["foo"]),
    ("POST", "/prompts/1/render", None, MISSING, []),
    (
        "POST",
        "/prompts/1/render",
        {"variables": {"topic": 5}},
        NOT_A_STRING,
        ["variables", "topic"],
    ),
]


def assert_one_entry(
    response: Response, error: dict[str, str], where: list[str | int]
) -> None:
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": [{**error, "loc": ["body", *where]}]}


def case_id(case: tuple[str, str, Any, dict[str, str], list[str | int]]) -> str:
    method, path, _, error, _ = case
    return f"{method} {path}: {error['type']}"


@pytest.mark.parametrize(
    ("method", "path", "body", "error", "where"),
    PROMPT_BODIES,
    ids=map(case_id, PROMPT_BODIES),
)
def test_one_mistake_gets_exactly_one_entry_in_detail(
    client: Any,
    method: str,
    path: str,
    body: Any,
    error: dict[str, str],
    where: list[str | int],
) -> None:
    # On a store without prompt 1: input is checked before anything is looked up.
    response = client.request(method, path, json=body)
    assert_one_entry(response, error, where)

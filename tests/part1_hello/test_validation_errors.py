"""Part 1: each mistake in a body is one entry in the 422's `detail`.

An unknown field, a missing field or a value of the wrong type gets exactly
one entry, saying what is wrong and where, without a copy of the input.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

UNKNOWN = {"type": "extra_forbidden", "msg": "Extra inputs are not permitted"}
MISSING = {"type": "missing", "msg": "Field required"}
NOT_A_STRING = {"type": "string_type", "msg": "Input should be a valid string"}
NOT_AN_INTEGER = {"type": "int_type", "msg": "Input should be a valid integer"}

BODIES: list[tuple[str, Any, dict[str, str], list[str]]] = [
    ("/users", {"name": "Ada", "age": 36, "foo": 1}, UNKNOWN, ["foo"]),
    ("/users", {"name": "Ada"}, MISSING, ["age"]),
    ("/users", {"name": "Ada", "age": "36"}, NOT_AN_INTEGER, ["age"]),
    ("/generate", {"prompt": "Hello", "foo": 1}, UNKNOWN, ["foo"]),
    ("/generate", {}, MISSING, ["prompt"]),
    ("/generate", {"prompt": 5}, NOT_A_STRING, ["prompt"]),
]


@pytest.mark.parametrize(
    ("path", "body", "error", "where"),
    BODIES,
    ids=[f"{path}: {error['type']}" for path, _, error, _ in BODIES],
)
def test_one_mistake_gets_exactly_one_entry_in_detail(
    client: TestClient, path: str, body: Any, error: dict[str, str], where: list[str]
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": [{**error, "loc": ["body", *where]}]}

"""Part 5: each mistake in a body is one entry in the 422's `detail`.

The prompt library's endpoints come from the shared module; the two
generate endpoints take the same body, and the stream must not list an
error twice because its body reaches it through two dependencies.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.contract.validation_errors import *  # noqa: F403
from tests.contract.validation_errors import (
    MISSING,
    NOT_A_STRING,
    UNKNOWN,
    assert_one_entry,
)

NOT_AN_INTEGER = {"type": "int_type", "msg": "Input should be a valid integer"}
GENERATE_BODIES: list[tuple[Any, dict[str, str], list[str | int]]] = [
    ({"variables": {}, "foo": 1}, UNKNOWN, ["foo"]),
    (None, MISSING, []),
    ({"variables": {"topic": 5}}, NOT_A_STRING, ["variables", "topic"]),
    ({"max_tokens": "8"}, NOT_AN_INTEGER, ["max_tokens"]),
]


@pytest.mark.parametrize("path", ["/prompts/1/generate", "/prompts/1/generate/stream"])
@pytest.mark.parametrize(
    ("body", "error", "where"),
    GENERATE_BODIES,
    ids=[
        f"{error['type']}-{'.'.join(map(str, where))}"
        for _, error, where in GENERATE_BODIES
    ],
)
def test_one_mistake_in_a_generate_body_gets_exactly_one_entry(
    client: TestClient,
    path: str,
    body: Any,
    error: dict[str, str],
    where: list[str | int],
) -> None:
    assert_one_entry(client.post(path, json=body), error, where)

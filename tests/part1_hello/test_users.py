"""POST /users: a Pydantic model validates the body before our code runs."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.contract.helpers import JSON, error_locations


@pytest.mark.parametrize(
    "user",
    [
        {"name": "Ada", "age": 36},
        {"name": "A", "age": 0},
        {"name": "n" * 100, "age": 150},
        {"name": "🦜" * 100, "age": 1},
    ],
    ids=["typical", "shortest-youngest", "longest-oldest", "100-emoji"],
)
def test_create_user_returns_201_and_the_user(
    client: TestClient, user: dict[str, Any]
) -> None:
    response = client.post("/users", json=user)
    assert response.status_code == 201
    assert response.json() == user


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("name", "", id="name-empty"),
        pytest.param("name", "n" * 101, id="name-101-chars"),
        pytest.param("name", 7, id="name-number"),
        pytest.param("name", ["Ada"], id="name-list"),
        pytest.param("name", None, id="name-null"),
        pytest.param("age", -1, id="age-negative"),
        pytest.param("age", 151, id="age-over-150"),
        pytest.param("age", "36", id="age-string"),
        pytest.param("age", 36.5, id="age-float"),
        pytest.param("age", True, id="age-bool"),
        pytest.param("age", None, id="age-null"),
    ],
)
def test_create_user_with_invalid_field_returns_422_naming_it(
    client: TestClient, field: str, value: Any
) -> None:
    user = {"name": "Ada", "age": 36, field: value}
    response = client.post("/users", json=user)
    assert response.status_code == 422
    assert error_locations(response) == [("body", field)]


@pytest.mark.parametrize("field", ["name", "age"])
def test_create_user_without_field_returns_422_naming_it(
    client: TestClient, field: str
) -> None:
    user = {"name": "Ada", "age": 36}
    del user[field]
    response = client.post("/users", json=user)
    assert response.status_code == 422
    assert error_locations(response) == [("body", field)]


def test_create_user_with_unknown_field_returns_422_naming_it(
    client: TestClient,
) -> None:
    response = client.post("/users", json={"name": "Ada", "age": 36, "admin": True})
    assert response.status_code == 422
    assert error_locations(response) == [("body", "admin")]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_create_user_with_non_finite_age_returns_422(
    client: TestClient, number: str
) -> None:
    body = f'{{"name": "Ada", "age": {number}}}'
    response = client.post("/users", content=body, headers=JSON)
    assert response.status_code == 422
    assert error_locations(response) == [("body", "age")]


@pytest.mark.parametrize(
    "body",
    [b'{"name": "Ada", "age": ', b"[]"],
    ids=["truncated", "not-an-object"],
)
def test_create_user_with_malformed_json_returns_422(
    client: TestClient, body: bytes
) -> None:
    response = client.post("/users", content=body, headers=JSON)
    assert response.status_code == 422


@pytest.mark.parametrize(
    "body",
    [b'{"name": "Ada", "age": 1' + b"0" * 5000 + b"}", b'{"name": "\xff", "age": 1}'],
    ids=["integer-of-5001-digits", "not-utf8"],
)
def test_create_user_with_body_python_cannot_decode_returns_fastapis_400(
    client: TestClient, body: bytes
) -> None:
    response = client.post("/users", content=body, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": "There was an error parsing the body"}


def test_validation_errors_do_not_echo_the_input(client: TestClient) -> None:
    body = '{"name": "\\ud800", "age": 1}'  # a lone surrogate cannot be sent back
    response = client.post("/users", content=body, headers=JSON)
    assert response.status_code == 422
    assert "input" not in response.json()["detail"][0]

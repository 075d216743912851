"""Small helpers the tests of every chapter share."""

from typing import Any

from httpx2 import Response  # what Starlette's TestClient returns

__all__ = ["JSON", "Response", "assert_answered_in_json", "error_locations"]

# For bodies sent as raw bytes, which the client cannot label by itself.
JSON = {"Content-Type": "application/json"}


def error_locations(response: Response) -> list[tuple[Any, ...]]:
    """Where each validation error points, e.g. ("body", "name")."""
    return [tuple(error["loc"]) for error in response.json()["detail"]]


def assert_answered_in_json(response: Response) -> None:
    """A client error at worst, and a JSON body (or none at all for a 204)."""
    assert response.status_code < 500, response.text
    if response.status_code == 204:
        assert response.content == b""
    else:
        assert response.headers["content-type"] == "application/json"
        assert "detail" in response.json() or response.is_success

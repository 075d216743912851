"""Small helpers the tests of every chapter share."""

from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["JSON", "Response", "assert_answered_in_json", "error_locations"]


class Response(Protocol):
    """The parts of an answer the tests read, whichever HTTP library made it.

    Starlette's TestClient returns httpx2's or httpx's Response, depending on
    its version; both fit.
    """

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content(self) -> bytes: ...
    @property
    def text(self) -> str: ...
    @property
    def is_success(self) -> bool: ...
    def json(self, **kwargs: Any) -> Any: ...


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

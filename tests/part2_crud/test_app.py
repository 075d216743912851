"""What Part 2 does beyond the shared contract: its name, its error handlers."""

import logging

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from part2_crud.errors import register_error_handlers
from part2_crud.store import get_store


def broken_store() -> None:
    """A bug on the way to the store, to see what a client gets from a crash.

    It replaces the store itself, not one of its methods: a reader who adds a
    parameter to a method (an exercise asks for that) changes nothing here.
    """
    raise RuntimeError("password=hunter2 leaked in a stack trace")


def test_every_operation_has_a_tag(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for operations in paths.values():
        for operation in operations.values():
            assert operation["tags"]


def test_unexpected_error_answers_json_500_without_internals(app: FastAPI) -> None:
    app.dependency_overrides[get_store] = broken_store
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/prompts")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}


def test_unexpected_error_is_logged_with_its_traceback(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    app.dependency_overrides[get_store] = broken_store
    with TestClient(app, raise_server_exceptions=False) as client:
        client.get("/prompts")
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "GET /prompts" in record.getMessage()
    assert "Traceback" in caplog.text
    assert "RuntimeError: password=hunter2" in caplog.text


def test_an_http_error_raised_on_purpose_reaches_the_client_unchanged() -> None:
    # The handlers of errors.py leave HTTPException alone, a 400 included.
    app = FastAPI()
    register_error_handlers(app)

    @app.get("/refuse")
    def refuse() -> None:
        raise HTTPException(400, "Ask me something else")

    response = TestClient(app).get("/refuse")
    assert response.status_code == 400
    assert response.json() == {"detail": "Ask me something else"}

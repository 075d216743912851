"""What Part 2 does beyond the shared contract: its name, its error handlers."""

import logging

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from part2_crud.errors import register_error_handlers
from part2_crud.models import PromptPublic
from part2_crud.store import PromptStore, get_store


class FailingStore(PromptStore):
    """A store with a bug in it, to see what a client gets from a crash."""

    def list(self, offset: int, limit: int) -> list[PromptPublic]:
        raise RuntimeError("password=hunter2 leaked in a stack trace")


def test_openapi_names_part_2(client: TestClient) -> None:
    info = client.get("/openapi.json").json()["info"]
    assert "Part 2" in info["title"]
    assert "Part 2" in info["description"]
    assert info["version"]


def test_every_operation_has_a_tag(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for operations in paths.values():
        for operation in operations.values():
            assert operation["tags"]


def test_unexpected_error_answers_json_500_without_internals(app: FastAPI) -> None:
    app.dependency_overrides[get_store] = lambda: FailingStore()
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/prompts")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}


def test_unexpected_error_is_logged_with_its_traceback(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    app.dependency_overrides[get_store] = lambda: FailingStore()
    with TestClient(app, raise_server_exceptions=False) as client:
        client.get("/prompts")
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert "GET /prompts" in record.getMessage()
    assert "Traceback" in caplog.text
    assert "RuntimeError: password=hunter2" in caplog.text


def test_every_request_shares_one_store() -> None:
    assert isinstance(get_store(), PromptStore)
    assert get_store() is get_store()


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

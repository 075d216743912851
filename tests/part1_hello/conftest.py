from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from part1_hello.main import app as part1_app


@pytest.fixture(autouse=True)
def instant_fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fake model answers at once, unless a test sets its own latency."""
    monkeypatch.setenv("FAKE_LLM_LATENCY_S", "0")


@pytest.fixture
def app() -> FastAPI:
    """Part 1's app. It stores nothing, so there is nothing to override."""
    return part1_app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client

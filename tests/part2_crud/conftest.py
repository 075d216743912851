from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from part2_crud.main import app as part2_app
from part2_crud.store import PromptStore, get_store


@pytest.fixture
def app() -> Iterator[FastAPI]:
    """Part 2's app with a fresh, empty store for this test."""
    fresh_store = PromptStore()
    part2_app.dependency_overrides[get_store] = lambda: fresh_store
    yield part2_app
    part2_app.dependency_overrides.clear()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client

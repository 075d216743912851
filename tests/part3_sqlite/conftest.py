"""Part 3's fixtures: the real app, on a throwaway SQLite file for each test."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from part3_sqlite import database
from part3_sqlite.main import app as part3_app


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An engine on a fresh file under tmp_path, with the app's own settings."""
    engine = database.make_engine(f"sqlite:///{tmp_path / 'prompts.db'}")
    # The lifespan creates the tables outside any request, where
    # app.dependency_overrides does not reach; swapping the engine itself
    # covers the lifespan and every request's session alike.
    monkeypatch.setattr(database, "engine", engine)
    yield engine
    engine.dispose()


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    """Part 3's app, storing into this test's own database file."""
    return part3_app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client

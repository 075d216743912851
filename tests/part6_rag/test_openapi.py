from pathlib import Path

from fastapi.testclient import TestClient

from part6_rag.main import app
from tests.openapi_snapshot import assert_matches_snapshot

SNAPSHOT = Path(__file__).with_name("openapi.json")


def test_openapi_document_matches_the_snapshot() -> None:
    # The document needs no lifespan: no database, model or vector store is started.
    assert_matches_snapshot(TestClient(app), SNAPSHOT)

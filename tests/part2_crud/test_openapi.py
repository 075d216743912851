from pathlib import Path

from fastapi.testclient import TestClient

from tests.openapi_snapshot import assert_matches_snapshot

SNAPSHOT = Path(__file__).with_name("openapi.json")


def test_openapi_document_matches_the_snapshot(client: TestClient) -> None:
    assert_matches_snapshot(client, SNAPSHOT)

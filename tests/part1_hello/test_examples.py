import pytest
from fastapi.testclient import TestClient

from tests.examples import check_examples


def test_chapter_examples_match_the_app(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fake model's answer does not depend on its latency: keep it short.
    monkeypatch.setenv("FAKE_LLM_LATENCY_S", "0.01")
    check_examples(client, "part1_hello")

from typing import cast

import httpx
from fastapi.testclient import TestClient

from tests.examples import check_examples


def test_chapter_examples_match_the_app(client: httpx.Client) -> None:
    # Over the wire to the real app: check_examples only sends requests.
    check_examples(cast(TestClient, client), "part5_llm")

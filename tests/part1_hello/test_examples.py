from fastapi.testclient import TestClient

from tests.examples import check_examples


def test_chapter_examples_match_the_app(client: TestClient) -> None:
    # conftest.py makes the fake model answer at once; its answer is the same.
    check_examples(client, "part1_hello")

from fastapi.testclient import TestClient

from tests.examples import check_examples


def test_chapter_examples_match_the_app(client: TestClient) -> None:
    check_examples(client, "part4_mysql")

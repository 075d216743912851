"""The greeting, the documentation pages, and the real server."""

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.serving import running_server


def test_read_root_returns_a_greeting(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    message = response.json()["message"]
    assert isinstance(message, str)
    assert message


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_documentation_pages_answer_with_html(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("get", "/", {"200"}),
        ("post", "/users", {"201", "400", "422"}),
        ("post", "/generate", {"200", "400", "422"}),
    ],
)
def test_openapi_documents_every_status_of_each_operation(
    client: TestClient, method: str, path: str, codes: set[str]
) -> None:
    operation = client.get("/openapi.json").json()["paths"][path][method]
    assert set(operation["responses"]) == codes


@pytest.mark.parametrize(
    "command",
    ["uvicorn part1_hello.main:app --reload", "fastapi dev part1_hello/main.py"],
)
def test_readme_command_serves_the_app(command: str) -> None:
    with running_server(command, env={"FAKE_LLM_LATENCY_S": "0"}) as server:
        assert httpx.get(server.base_url + "/").status_code == 200
        answer = httpx.post(server.base_url + "/generate", json={"prompt": "Hi"})
        assert answer.status_code == 200
        assert answer.json()["prompt"] == "Hi"


def test_unknown_path_returns_404_in_json(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_wrong_method_returns_405_in_json(client: TestClient) -> None:
    response = client.get("/users")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == {"detail": "Method Not Allowed"}

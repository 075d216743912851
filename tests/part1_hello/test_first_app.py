"""The chapter's first code block: a whole app in a few lines, run as printed."""

import re

import httpx
from fastapi.testclient import TestClient

from part1_hello.first_app import app
from tests.serving import ROOT, running_server

RUN_COMMAND = "uvicorn part1_hello.first_app:app --reload"


def test_first_app_answers_with_a_greeting() -> None:
    response = TestClient(app).get("/")
    assert response.status_code == 200
    assert response.json() == {"message": "Hello from FastAPI, AI engineer!"}


def test_first_code_block_of_the_chapter_is_the_first_app() -> None:
    chapter = (ROOT / "docs" / "part1.md").read_text()
    first_block = re.search(r"^```(\w+).*?\n(.*?)^```", chapter, re.M | re.S)
    assert first_block is not None
    assert first_block[1] == "python"
    assert first_block[2].strip() == '--8<-- "part1_hello/first_app.py"'


def test_first_app_runs_under_uvicorn_with_its_docs() -> None:
    with running_server(RUN_COMMAND) as server:
        assert httpx.get(server.base_url + "/").json()["message"]
        docs = httpx.get(server.base_url + "/docs")
        assert docs.status_code == 200
        assert "/openapi.json" in docs.text
        assert httpx.get(server.base_url + "/openapi.json").json()["paths"] == {
            "/": {"get": app.openapi()["paths"]["/"]["get"]}
        }

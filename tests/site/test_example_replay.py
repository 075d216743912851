"""tests/examples.py: how a chapter's curl commands are read and replayed."""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import examples
from tests.examples import CurlRequest, check_examples, format_answer, parse_curl


def test_curl_with_continuations_becomes_a_request() -> None:
    command = (
        "curl -s -X PATCH http://127.0.0.1:8000/prompts/1 \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        """  -d '{"name": "summary"}'\n"""
    )
    assert parse_curl(command) == CurlRequest(
        "PATCH",
        "/prompts/1",
        {"Content-Type": "application/json"},
        '{"name": "summary"}',
    )


def test_curl_without_method_gets_or_posts_like_curl() -> None:
    assert parse_curl("curl -s 'http://127.0.0.1:8000/prompts?limit=5'").method == "GET"
    posted = parse_curl("curl -s http://127.0.0.1:8000/users -d '{}'")
    assert posted.method == "POST"
    # Without a Content-Type header, curl sends -d as a web form.
    assert posted.headers == {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    "command",
    [
        "wget http://127.0.0.1:8000/",
        "curl -s -L http://127.0.0.1:8000/",
        "curl -s https://example.org/",
        "curl -s -X",
        "curl -s http://127.0.0.1:8000/ http://127.0.0.1:8000/users",
    ],
)
def test_commands_the_replay_cannot_reproduce_are_refused(command: str) -> None:
    with pytest.raises(ValueError):
        parse_curl(command)


def test_answer_is_the_status_then_pretty_json() -> None:
    answer = format_answer(201, b'{"name":"caf\xc3\xa9","tags":[1]}')
    assert answer == 'HTTP 201\n{\n  "name": "café",\n  "tags": [\n    1\n  ]\n}\n'
    assert format_answer(204, b"") == "HTTP 204\n"


@pytest.fixture
def echo_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A part with one example, replayed against a tiny app."""
    folder = tmp_path / "echo_part"
    folder.mkdir()
    (folder / "01-hello.sh").write_text("curl -s http://127.0.0.1:8000/hello\n")
    monkeypatch.setattr(examples, "EXAMPLES", tmp_path)
    return folder


@pytest.fixture
def echo_client() -> TestClient:
    app = FastAPI()

    @app.get("/hello")
    def hello() -> dict[str, str]:
        return {"message": "hi"}

    return TestClient(app)


def test_update_mode_records_the_answers(
    echo_part: Path, echo_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPDATE_EXAMPLES", "1")
    check_examples(echo_client, "echo_part")
    expected = 'HTTP 200\n{\n  "message": "hi"\n}\n'
    assert (echo_part / "01-hello.out").read_text() == expected


def test_a_stale_answer_fails_the_replay(
    echo_part: Path, echo_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPDATE_EXAMPLES", raising=False)
    (echo_part / "01-hello.out").write_text('HTTP 200\n{\n  "message": "hello"\n}\n')
    with pytest.raises(AssertionError, match=r"01-hello\.sh"):
        check_examples(echo_client, "echo_part")


def test_an_answer_without_its_command_fails_the_replay(
    echo_part: Path, echo_client: TestClient
) -> None:
    (echo_part / "02-gone.out").write_text("HTTP 200\n")
    with pytest.raises(AssertionError, match="02-gone"):
        check_examples(echo_client, "echo_part")

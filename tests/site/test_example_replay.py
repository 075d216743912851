"""Every example of every chapter prints, pasted into a shell, exactly its box.

The first test is the proof: each part's server is started as its chapter
says, and each example command runs in bash with the real curl, changing
nothing but the address; what it prints must equal its `.out` file byte for
byte. The others pin down tests/examples.py, which the chapters' own quick
TestClient replays use.
"""

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests import examples
from tests.examples import (
    EXAMPLES,
    STATUS_LINE,
    CurlRequest,
    asks_for_the_status_line,
    check_examples,
    check_examples_with_curl,
    compare_or_record,
    example_commands,
    parse_curl,
    printed_by_curl,
)
from tests.serving import ROOT
from tests.site.servers import PARTS, Servers, docs_command

EXAMPLE_PARTS = sorted(folder.name for folder in EXAMPLES.iterdir() if folder.is_dir())


@pytest.mark.parametrize("part", EXAMPLE_PARTS)
def test_pasted_examples_print_exactly_their_answer_boxes(
    part: str, servers: Servers
) -> None:
    if part not in PARTS:
        pytest.fail(f"tests/site/servers.py does not know how to serve {part}")
    # A fresh server on fresh storage, started with the chapter's own command.
    check_examples_with_curl(servers.get(docs_command(part)).base_url, part)


@pytest.mark.parametrize(
    "command",
    [c for part in EXAMPLE_PARTS for c in example_commands(part)],
    ids=lambda command: f"{command.parent.name}/{command.name}",
)
def test_every_example_asks_curl_for_the_status_line(command: Path) -> None:
    # One way for every chapter: the body as sent, then `HTTP <status>`.
    assert asks_for_the_status_line(command.read_text()), command.name


def test_example_folders_are_named_after_parts() -> None:
    assert EXAMPLE_PARTS
    assert all((ROOT / part / "main.py").is_file() for part in EXAMPLE_PARTS)


def test_curl_with_continuations_becomes_a_request() -> None:
    command = (
        f"curl -s -w '{STATUS_LINE}' -X PATCH http://127.0.0.1:8000/prompts/1 \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        """  -d '{"name": "summary"}'\n"""
    )
    assert parse_curl(command) == CurlRequest(
        "PATCH",
        "/prompts/1",
        {"Content-Type": "application/json"},
        '{"name": "summary"}',
        STATUS_LINE,
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
        "curl -s -w '%{time_total}' http://127.0.0.1:8000/",
    ],
)
def test_commands_the_replay_cannot_reproduce_are_refused(command: str) -> None:
    with pytest.raises(ValueError):
        parse_curl(command)


def test_curl_prints_the_body_as_sent_then_the_status_line() -> None:
    request = parse_curl(f"curl -s -w '{STATUS_LINE}' http://127.0.0.1:8000/")
    body = '{"name":"café"}'.encode()
    assert printed_by_curl(request, 201, body) == body + b"\nHTTP 201\n"
    # No body (a 204): the line break that -w asks for comes first.
    assert printed_by_curl(request, 204, b"") == b"\nHTTP 204\n"


@pytest.fixture
def echo_part(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A part with one example, replayed against a tiny app."""
    folder = tmp_path / "echo_part"
    folder.mkdir()
    command = f"curl -s -w '{STATUS_LINE}' http://127.0.0.1:8000/hello\n"
    (folder / "01-hello.sh").write_text(command)
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
    expected = b'{"message":"hi"}\nHTTP 200\n'
    assert (echo_part / "01-hello.out").read_bytes() == expected


def test_a_stale_answer_fails_the_replay(
    echo_part: Path, echo_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPDATE_EXAMPLES", raising=False)
    (echo_part / "01-hello.out").write_text('{"message":"hello"}\nHTTP 200\n')
    with pytest.raises(AssertionError, match=r"01-hello\.sh"):
        check_examples(echo_client, "echo_part")


def test_an_answer_without_its_command_fails_the_replay(
    echo_part: Path, echo_client: TestClient
) -> None:
    (echo_part / "02-gone.out").write_text("\nHTTP 204\n")
    with pytest.raises(AssertionError, match="02-gone"):
        check_examples(echo_client, "echo_part")


def test_curl_streaming_flag_changes_nothing_in_the_request() -> None:
    streamed = f"curl -s -w '{STATUS_LINE}' -N http://127.0.0.1:8000/runs"
    assert parse_curl(streamed) == parse_curl(streamed.replace(" -N", ""))


RUN = '{"text":"a b","duration_ms":%d,"created_at":"%s","id":1}\nHTTP 200\n'


@pytest.fixture
def comparing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UPDATE_EXAMPLES", raising=False)


@pytest.mark.usefixtures("comparing")
def test_a_runs_timings_and_start_time_may_differ_from_the_box(
    echo_part: Path,
) -> None:
    box = RUN % (611, "2026-11-30T20:32:27.032159Z")
    (echo_part / "01-hello.out").write_text(box)
    printed = RUN % (7, "2027-01-02T03:04:05.000001Z")
    compare_or_record(echo_part / "01-hello.sh", printed.encode(), "here")


@pytest.mark.usefixtures("comparing")
@pytest.mark.parametrize(
    "printed",
    [
        RUN.replace("a b", "a c") % (611, "2026-11-30T20:32:27.032159Z"),
        RUN.replace('"id":1', '"id":2') % (611, "2026-11-30T20:32:27.032159Z"),
    ],
)
def test_everything_else_in_a_run_must_match_the_box(
    echo_part: Path, printed: str
) -> None:
    (echo_part / "01-hello.out").write_text(RUN % (611, "2026-11-30T20:32:27.032159Z"))
    with pytest.raises(AssertionError, match=r"01-hello\.sh"):
        compare_or_record(echo_part / "01-hello.sh", printed.encode(), "here")

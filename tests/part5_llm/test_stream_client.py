"""The chapter's stream client: plain httpx reads the app's stream as it arrives."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from part5_llm.stream_client import main, server_sent_events
from tests.part5_llm.conftest import TOKENS
from tests.part5_llm.helpers import (
    calls,
    create_prompt,
    expected_answer,
    runs_of,
    unique_topic,
    wait_for,
)
from tests.serving import ROOT, ServerProcess
from tests.site.printed import STREAM_CLIENT, printed_commands

CHAPTER = "docs/part5.md"
CHAPTER_TEMPLATE = "Write a haiku about {topic}"  # docs/examples/part5_llm/01


def test_client_prints_the_answer_then_how_the_run_ended(
    http: httpx.Client, app_server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt_id, topic = create_prompt(http), unique_topic()
    arguments = [str(prompt_id), f"topic={topic}", "--base-url", app_server.base_url]
    assert main(arguments) == 0
    (run,) = runs_of(http, prompt_id)
    ending = f"run {run['id']}: completed, {TOKENS} pieces"
    assert capsys.readouterr().out == f"{expected_answer(topic, TOKENS)}\n{ending}\n"


def test_client_passes_max_tokens_on(
    http: httpx.Client, app_server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt_id, topic = create_prompt(http), unique_topic()
    arguments = [str(prompt_id), f"topic={topic}", "--max-tokens", "3"]
    assert main([*arguments, "--base-url", app_server.base_url]) == 0
    assert capsys.readouterr().out.startswith(f"{expected_answer(topic, 3)}\nrun ")


def test_client_that_walks_away_leaves_a_cancelled_run(
    http: httpx.Client,
    app_server: ServerProcess,
    fake: ServerProcess,
    capsys: pytest.CaptureFixture[str],
) -> None:
    prompt_id, topic = create_prompt(http, model="fake-slow"), unique_topic()
    arguments = [str(prompt_id), f"topic={topic}", "--stop-after", "2"]
    assert main([*arguments, "--base-url", app_server.base_url]) == 0
    text = expected_answer(topic, 2)
    assert capsys.readouterr().out == f"{text}\n(walked away after 2 pieces)\n"
    (run,) = wait_for(lambda: runs_of(http, prompt_id))
    assert (run["status"], run["text"]) == ("cancelled", text)
    assert wait_for(lambda: calls(fake, topic)[0]["outcome"]) == "closed"


def test_client_shows_a_refusal_before_the_stream_and_fails(
    app_server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(2**62), "--base-url", app_server.base_url]) == 1
    printed = capsys.readouterr().out
    assert printed.startswith("HTTP 404: {") and '"detail"' in printed


def test_client_shows_an_error_event_and_fails(
    http: httpx.Client, app_server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    prompt_id, topic = create_prompt(http, model="fake-stall"), unique_topic()
    arguments = [str(prompt_id), f"topic={topic}", "--base-url", app_server.base_url]
    assert main(arguments) == 1
    assert capsys.readouterr().out == f"{expected_answer(topic, 3)}\nerror 504: " + (
        "The model provider did not answer within LLM_TIMEOUT_S\n"
    )


def test_events_are_read_as_the_format_defines_them() -> None:
    wire = [
        ": ping",  # a comment: skipped
        "event: delta",
        'data: {"text":',  # two data lines are one value, joined by a line break
        'data: "hi"}',
        "",
        "event: done",  # no data: no event
        "",
        'data:{"text":"no space"}',  # the space after the colon is optional
        "",
    ]
    assert list(server_sent_events(iter(wire))) == [
        ("delta", {"text": "hi"}),
        ("message", {"text": "no space"}),
    ]


def stream_client_commands() -> list[str]:
    return [c for c in printed_commands(CHAPTER) if STREAM_CLIENT.match(c)]


def test_the_chapter_prints_the_client_command() -> None:
    assert stream_client_commands()


@pytest.mark.parametrize("command", stream_client_commands())
def test_printed_client_command_reads_the_chapters_first_prompt(
    command: str, emptied_http: httpx.Client, app_server: ServerProcess
) -> None:
    # The tables start empty: the chapter's first prompt gets id 1.
    assert create_prompt(emptied_http, template=CHAPTER_TEMPLATE) == 1
    # Pasted into bash as printed, from the repository root, with the
    # virtual environment's python; only the address is added.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    completed = subprocess.run(
        ["bash", "-c", f"{command} --base-url {app_server.base_url}"],
        cwd=ROOT,
        env=os.environ | {"PATH": path},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    printed_text = completed.stdout.splitlines()[0]
    assert printed_text.startswith("Write a haiku")
    (run,) = wait_for(lambda: runs_of(emptied_http, 1))
    if run["status"] == "completed":
        assert run["text"] == printed_text
    else:
        # After a walk-away the run may hold a chunk more than the client
        # printed: the app can read the next one before it sees the client go.
        assert run["status"] == "cancelled"
        assert run["text"].startswith(printed_text)

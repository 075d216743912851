"""Part 5 as a reader starts it: offline by default, the key never shown."""

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.part5_llm.conftest import APP_COMMAND, llm_environment, measured
from tests.part5_llm.helpers import (
    TEMPLATE,
    create_prompt,
    events,
    key_pieces_in,
    unique_topic,
    wait_for,
)
from tests.serving import ROOT, ServerProcess, free_port, running_server

RUN_COMMAND = "uvicorn part5_llm.main:app --reload"
# Set but empty counts as not set: a reader's own LLM_* variables stay out.
NO_PROVIDER = {"LLM_BASE_URL": "", "LLM_API_KEY": "", "FAKE_LLM_LATENCY_S": "0"}


@pytest.fixture(scope="module")
def offline(mysql_env: dict[str, str]) -> Iterator[ServerProcess]:
    """The chapter's command, with MySQL and no model provider configured."""
    with running_server(RUN_COMMAND, measured(mysql_env | NO_PROVIDER)) as server:
        yield server


def test_without_a_provider_the_fake_model_answers(offline: ServerProcess) -> None:
    with httpx.Client(base_url=offline.base_url, timeout=30) as http:
        prompt_id = create_prompt(http)
        topic = unique_topic()
        body = {"variables": {"topic": topic}, "max_tokens": 3}
        run = http.post(f"/prompts/{prompt_id}/generate", json=body).json()
    assert run["status"] == "completed"
    assert run["text"] == " ".join(TEMPLATE.format(topic=topic).split()[:3])


def test_without_a_provider_the_fake_model_streams(offline: ServerProcess) -> None:
    with httpx.Client(base_url=offline.base_url, timeout=30) as http:
        prompt_id = create_prompt(http)
        path = f"/prompts/{prompt_id}/generate/stream"
        body = {"variables": {"topic": "x"}, "max_tokens": 2}
        with http.stream("POST", path, json=body) as response:
            names = [event.event for event in events(response)]
    assert names == ["delta", "delta", "done"]


def test_without_a_provider_the_log_says_which_model_answers(
    offline: ServerProcess,
) -> None:
    assert re.search(
        r"LLM_BASE_URL is not set: the fake model at http://127\.0\.0\.1:\d+/v1",
        offline.log(),
    )


def test_without_a_provider_uvicorn_still_logs_as_usual(offline: ServerProcess) -> None:
    # Logged after the lifespan has started the fake: its server must not
    # have turned uvicorn's own lines off for the whole process.
    assert wait_for(lambda: "Application startup complete." in offline.log())
    # The fake's own start-up lines stay out: one server process is the app's.
    assert offline.log().count("Started server process") == 1


def test_chapter_readme_shows_the_command_tested_here() -> None:
    readme = (ROOT / "part5_llm" / "README.md").read_text()
    assert RUN_COMMAND in readme


def test_fake_provider_runs_alone_as_a_module() -> None:
    command = "python -m part5_llm.fake_provider"  # --host and --port are added
    with running_server(command, measured({})) as fake:
        assert httpx.get(f"{fake.base_url}/fake/calls").json() == []


def test_the_key_is_in_no_log_answer_or_openapi_document(
    app_server: ServerProcess, http: httpx.Client
) -> None:
    # Every kind of call first, the failures included, so the log has them all.
    for model in ("gpt-4o-mini", "fake-error-401", "fake-error-404", "fake-stall"):
        prompt_id = create_prompt(http, model=model)
        body = {"variables": {"topic": "secret"}}
        answers = [
            http.post(f"/prompts/{prompt_id}/generate", json=body).text,
            http.post(f"/prompts/{prompt_id}/generate/stream", json=body).text,
        ]
        for answer in answers:
            assert not key_pieces_in(answer)
    assert not key_pieces_in(http.get("/openapi.json").text)
    assert not key_pieces_in(app_server.log())


def test_without_mysql_it_starts_and_answers_503_even_to_a_stream(
    fake: ServerProcess, mysql_env: dict[str, str]
) -> None:
    nobody_listens = mysql_env | {"MYSQL_PORT": str(free_port())}
    environment = measured(nobody_listens | llm_environment(fake))
    with running_server(APP_COMMAND, environment) as server:
        health = httpx.get(f"{server.base_url}/health", timeout=10)
        path = f"{server.base_url}/prompts/1/generate/stream"
        stream = httpx.post(path, json={"variables": {}}, timeout=10)
    for answer in (health, stream):
        assert answer.status_code == 503
        assert answer.headers["content-type"] == "application/json"
        assert answer.headers["retry-after"] == "5"
    assert server.log().count("is unavailable") == 1
    assert "Traceback" not in server.log()

"""POST /prompts/{id}/generate/stream: the answer as Server-Sent Events."""

from collections.abc import Iterator

import fastapi.routing
import httpx
import pytest
from fastapi.testclient import TestClient

from tests.part5_llm.conftest import TOKENS, with_model_client
from tests.part5_llm.helpers import (
    calls,
    create_prompt,
    events,
    expected_answer,
    stream,
    unique_topic,
)
from tests.serving import ServerProcess


def test_stream_sends_deltas_then_done(http: httpx.Client) -> None:
    prompt_id = create_prompt(http)
    topic = unique_topic()
    response, received = stream(http, prompt_id, {"variables": {"topic": topic}})
    assert response.status_code == 200
    assert [e.event for e in received] == ["delta"] * TOKENS + ["done"]
    text = "".join(e.data["text"] for e in received[:-1])
    assert text == expected_answer(topic, TOKENS)


def test_stream_answers_as_event_stream_without_buffering(http: httpx.Client) -> None:
    prompt_id = create_prompt(http)
    response, _ = stream(http, prompt_id, {"variables": {"topic": "x"}})
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-accel-buffering"] == "no"
    assert response.headers["cache-control"] == "no-cache"


def test_done_event_carries_the_stored_run_without_its_text(
    http: httpx.Client,
) -> None:
    prompt_id = create_prompt(http)
    topic = unique_topic()
    _, received = stream(http, prompt_id, {"variables": {"topic": topic}})
    done = received[-1].data
    stored = http.get(f"/runs/{done['id']}").json()
    assert stored.pop("text") == expected_answer(topic, TOKENS)
    assert done == stored
    assert (done["status"], done["finish_reason"]) == ("completed", "stop")
    assert (done["prompt_tokens"], done["completion_tokens"]) == (4, TOKENS)


def test_each_chunk_reaches_the_client_as_the_provider_sends_it(
    http: httpx.Client, fake: ServerProcess
) -> None:
    prompt_id = create_prompt(http, model="fake-slow")  # 4 words a second
    topic = unique_topic()
    path = f"/prompts/{prompt_id}/generate/stream"
    body = {"variables": {"topic": topic}, "max_tokens": 3}
    with http.stream("POST", path, json=body) as response:
        received = events(response)
        first = next(received)
        # The provider is still generating when its first word has reached us.
        assert first.event == "delta"
        assert calls(fake, topic)[0]["tokens_sent"] < 3
        last = list(received)[-1]
    assert last.event == "done"
    assert last.at - first.at > 0.4  # two more words, at 0.25 s each


def test_max_tokens_cuts_the_stream_short(http: httpx.Client) -> None:
    prompt_id = create_prompt(http)
    topic = unique_topic()
    body = {"variables": {"topic": topic}, "max_tokens": 2}
    _, received = stream(http, prompt_id, body)
    assert [e.event for e in received] == ["delta", "delta", "done"]
    assert received[-1].data["finish_reason"] == "length"


def test_provider_is_asked_for_a_stream_with_usage(
    http: httpx.Client, fake: ServerProcess
) -> None:
    prompt_id = create_prompt(http, model="streamer")
    topic = unique_topic()
    _, received = stream(http, prompt_id, {"variables": {"topic": topic}})
    [call] = calls(fake, topic)
    assert (call["model"], call["stream"], call["outcome"]) == (
        "streamer",
        True,
        "completed",
    )
    assert received[-1].data["completion_tokens"] == TOKENS  # from the usage chunk


def test_missing_prompt_gets_a_json_404_before_any_event(
    http: httpx.Client, fake: ServerProcess
) -> None:
    topic = unique_topic()
    response, received = stream(http, 999999, {"variables": {"topic": topic}})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Prompt 999999 not found"}
    assert received == []
    assert calls(fake, topic) == []


def test_missing_variable_gets_a_json_422_before_any_event(
    http: httpx.Client, fake: ServerProcess
) -> None:
    prompt_id = create_prompt(http, template="{topic} and {other}")
    topic = unique_topic()
    response, _ = stream(http, prompt_id, {"variables": {"topic": topic}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "variables", "other"]
    assert calls(fake, topic) == []


@pytest.fixture
def quick_pings(
    in_process: TestClient, fake: ServerProcess, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """The app, pinging after 0.3 s of silence; it waits 1 s for the model.

    FastAPI pings after 15 s; a test should not wait that long to see one.
    """
    monkeypatch.setattr(fastapi.routing, "_PING_INTERVAL", 0.3)  # meant for tests
    with with_model_client(in_process, f"{fake.base_url}/v1", timeout_s=1) as client:
        yield client


def test_a_comment_line_keeps_a_silence_alive(quick_pings: TestClient) -> None:
    prompt_id = create_prompt(quick_pings, model="fake-stall")  # silent after 3
    path = f"/prompts/{prompt_id}/generate/stream"
    with quick_pings.stream("POST", path, json={"variables": {"topic": "x"}}) as r:
        lines = [line for line in r.iter_lines() if line]
    kinds = [line.split(":")[0] or "comment" for line in lines]
    # Three words, then comments while the model is silent, then the 504.
    assert kinds[:6] == ["event", "data"] * 3
    assert kinds[6:-2] and set(kinds[6:-2]) == {"comment"}
    assert lines[-2:][0] == "event: error"

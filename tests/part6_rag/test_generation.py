"""Part 5's calls to the model, as Part 6 keeps them."""

import httpx
import pytest

from tests.part6_rag.helpers import Event, events, prompt, wait_for


def stream(http: httpx.Client, prompt_id: int) -> tuple[int, list[Event]]:
    body = {"variables": {"x": "hi"}}
    with http.stream("POST", f"/prompts/{prompt_id}/generate/stream", json=body) as r:
        if r.headers["content-type"].startswith("text/event-stream"):
            return r.status_code, list(events(r))
        r.read()
        return r.status_code, []


def test_generate_records_a_completed_run_with_no_sources(http: httpx.Client) -> None:
    prompt_id = prompt(http)
    run = http.post(f"/prompts/{prompt_id}/generate", json={"variables": {"x": "hi"}})
    assert run.status_code == 200, run.text
    assert run.json()["status"] == "completed"
    assert run.json()["sources"] == []


def test_the_stream_sends_deltas_then_done(http: httpx.Client) -> None:
    status, received = stream(http, prompt(http))
    assert status == 200
    assert [e.event for e in received][-1] == "done"
    assert {e.event for e in received[:-1]} == {"delta"}


def test_a_refused_stream_is_a_json_502(http: httpx.Client) -> None:
    status, received = stream(http, prompt(http, model="fake-error-401"))
    assert (status, received) == (502, [])


def test_a_provider_that_breaks_mid_stream_ends_it_with_an_error_event(
    http: httpx.Client,
) -> None:
    prompt_id = prompt(http, model="fake-broken")
    status, received = stream(http, prompt_id)
    assert status == 200
    assert received[-1].event == "error"
    assert received[-1].data["status"] == 502
    [run] = http.get("/runs", params={"prompt_id": prompt_id}).json()
    assert run["status"] == "failed"


def test_a_client_that_walks_away_leaves_a_cancelled_run(http: httpx.Client) -> None:
    prompt_id = prompt(http, model="fake-slow")
    body = {"variables": {"x": "hi"}}
    with http.stream("POST", f"/prompts/{prompt_id}/generate/stream", json=body) as r:
        for line in r.iter_lines():
            if line.startswith("event: delta"):
                break
    [run] = wait_for(lambda: http.get("/runs", params={"prompt_id": prompt_id}).json())
    assert run["status"] == "cancelled"


def test_a_silent_provider_is_a_504(http: httpx.Client) -> None:
    prompt_id = prompt(http, model="fake-silent")
    answer = http.post(f"/prompts/{prompt_id}/generate", json={"variables": {"x": "1"}})
    assert answer.status_code == 504


def test_a_missing_variable_is_422(http: httpx.Client) -> None:
    answer = http.post(f"/prompts/{prompt(http)}/generate", json={"variables": {}})
    assert answer.status_code == 422


@pytest.mark.parametrize(
    ("model", "retry_after", "said"),
    [
        ("fake-error-429", "1", "rate-limiting us (429)"),  # its 0.2 s, rounded up
        ("fake-error-500", "5", "unavailable (500)"),  # it gives none: ours
    ],
    ids=["rate-limited", "down"],
)
def test_a_busy_provider_is_a_503_with_a_retry_after(
    http: httpx.Client, model: str, retry_after: str, said: str
) -> None:
    prompt_id = prompt(http, model=model)
    answer = http.post(f"/prompts/{prompt_id}/generate", json={"variables": {"x": "1"}})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == retry_after
    assert said in answer.json()["detail"]


def test_a_filled_template_over_a_million_characters_is_422(
    http: httpx.Client,
) -> None:
    body = {"variables": {"x": "a" * 1_000_000}}  # "Say " makes it too long
    answer = http.post(f"/prompts/{prompt(http)}/generate", json=body)
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["type"] == "too_long"

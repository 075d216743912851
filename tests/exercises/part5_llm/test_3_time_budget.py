"""Exercise 3 (stretch): a time limit for the whole answer.

Both generate requests take an optional `max_seconds` (above 0, at most 3600).
An answer that takes longer is stopped: the one-answer request gets a `504`,
and a stream ends with an `error` event whose status is `504`, after the
deltas that came in time. Either way the run is recorded as `failed`, with the
text so far. An answer within the limit is answered as before.
"""

import time

import httpx

from tests.exercises.part5_llm.helpers import create_prompt, stream_events

# The fake model streams `fake-slow` at four words a second: its 40 words
# take 10 seconds. A one-answer request takes 0.05 seconds a word.
SLOW_MODEL = "fake-slow"


def only_run_of(api: httpx.Client, prompt_id: int) -> dict[str, object]:
    runs = api.get("/runs", params={"prompt_id": prompt_id}).json()
    assert len(runs) == 1, f"prompt {prompt_id} should have one run, it has {runs}"
    return dict(runs[0])


def test_a_stream_over_time_ends_with_a_504_error_event(api: httpx.Client) -> None:
    prompt = create_prompt(api, model=SLOW_MODEL)
    body = {"variables": {"x": "hello"}, "max_seconds": 0.6}
    started = time.monotonic()
    events = stream_events(api, prompt["id"], body)
    took = time.monotonic() - started
    assert events, "the stream sent no event at all"
    name, data = events[-1]
    assert name == "error", f"a stream over max_seconds should end with error: {name}"
    assert data["status"] == 504, f"the error event says status {data['status']}"
    assert took < 5, f"max_seconds was 0.6, yet the stream took {took:.1f} s"
    deltas = [data["text"] for name, data in events if name == "delta"]
    assert 0 < len(deltas) < 40, f"deltas before the error: {deltas}"
    run = only_run_of(api, prompt["id"])
    assert run["status"] == "failed", f"the run is {run['status']}, not failed"
    assert run["text"] == "".join(deltas), "the run's text is not the deltas sent"


def test_one_answer_over_time_gets_504(api: httpx.Client) -> None:
    prompt = create_prompt(api)
    body = {"variables": {"x": "hello"}, "max_tokens": 10, "max_seconds": 0.2}
    response = api.post(f"/prompts/{prompt['id']}/generate", json=body)
    assert response.status_code == 504, (
        f"an answer of 0.5 s with max_seconds 0.2 got {response.status_code}"
    )
    run = only_run_of(api, prompt["id"])
    assert run["status"] == "failed", f"the run is {run['status']}, not failed"


def test_answers_in_time_are_unchanged(api: httpx.Client) -> None:
    prompt = create_prompt(api)
    body = {"variables": {"x": "hello"}, "max_tokens": 2, "max_seconds": 30}
    response = api.post(f"/prompts/{prompt['id']}/generate", json=body)
    assert response.status_code == 200, f"generate answered {response.text}"
    assert response.json()["status"] == "completed"
    name, run = stream_events(api, prompt["id"], body)[-1]
    assert name == "done", f"a stream within max_seconds ended with {name}"
    assert run["status"] == "completed"


def test_max_seconds_must_be_above_0(api: httpx.Client) -> None:
    prompt = create_prompt(api)
    for max_seconds in (0, -1):
        body = {"variables": {"x": "hello"}, "max_seconds": max_seconds}
        response = api.post(f"/prompts/{prompt['id']}/generate", json=body)
        assert response.status_code == 422, (
            f"max_seconds {max_seconds} got {response.status_code}, not 422"
        )

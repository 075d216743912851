"""The client walks away mid-stream: the provider's connection closes at once.

A real provider stops generating, and billing, when its connection closes;
the fake records the moment it saw the close. The run is kept as
`cancelled`, with the text that had arrived by then.
"""

import time
from typing import Any

import httpx
import pytest

from tests.part5_llm.helpers import (
    calls,
    create_prompt,
    events,
    expected_answer,
    runs_of,
    unique_topic,
    wait_for,
)
from tests.serving import ServerProcess

CLOSE_WITHIN_S = 1.0


def walk_away_after(
    http: httpx.Client, prompt_id: int, topic: str, deltas: int
) -> tuple[str, float]:
    """Read `deltas` delta events, then close the connection; return text and time."""
    path = f"/prompts/{prompt_id}/generate/stream"
    with http.stream("POST", path, json={"variables": {"topic": topic}}) as response:
        received = events(response)
        text = "".join(next(received).data["text"] for _ in range(deltas))
        # Leaving the block closes the connection, unread events and all.
    return text, time.time()


def closed_call(fake: ServerProcess, topic: str) -> dict[str, Any] | None:
    found = calls(fake, topic)
    return found[0] if found and found[0]["outcome"] else None


@pytest.mark.parametrize(
    "model",
    [
        pytest.param("fake-slow", id="while-words-flow"),
        pytest.param("fake-stall", id="while-the-model-is-silent"),
    ],
)
def test_provider_connection_closes_within_a_second(
    http: httpx.Client, fake: ServerProcess, model: str
) -> None:
    prompt_id = create_prompt(http, model=model)
    topic = unique_topic()
    _, left_at = walk_away_after(http, prompt_id, topic, deltas=2)
    call = wait_for(lambda: closed_call(fake, topic))
    assert call["outcome"] == "closed"
    assert call["ended_at"] - left_at < CLOSE_WITHIN_S


def test_run_is_recorded_as_cancelled_with_the_text_so_far(
    http: httpx.Client,
) -> None:
    prompt_id = create_prompt(http, model="fake-slow")  # 4 words a second
    topic = unique_topic()
    seen, _ = walk_away_after(http, prompt_id, topic, deltas=2)
    [run] = wait_for(lambda: runs_of(http, prompt_id))
    assert (run["status"], run["error"]) == ("cancelled", None)
    # At least what the client saw, and no more than the model had said.
    assert run["text"].startswith(seen)
    assert expected_answer(topic, 20).startswith(run["text"])
    assert run["completion_tokens"] is None  # the usage chunk never came

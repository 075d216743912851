"""What Part 5's tests do again and again: a prompt, a stream, the fake's calls."""

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2
from fastapi.testclient import TestClient

from part5_llm.fake_provider import answer_text
from tests.part5_llm.conftest import API_KEY
from tests.serving import ServerProcess

TEMPLATE = "Tell me about {topic}"
# The app over the wire, or in this process for what needs no process of its own.
Client = httpx.Client | TestClient
Response = httpx.Response | httpx2.Response  # TestClient's is httpx2's


def unique_topic() -> str:
    """A topic no other test uses, to find this test's calls at the fake."""
    return f"topic-{uuid.uuid4().hex[:12]}"


def create_prompt(http: Client, **fields: Any) -> int:
    body = {"name": f"prompt {uuid.uuid4().hex}", "template": TEMPLATE, **fields}
    response = http.post("/prompts", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def expected_answer(topic: str, tokens: int) -> str:
    """What the fake model answers to TEMPLATE filled with `topic`."""
    return answer_text(TEMPLATE.format(topic=topic), tokens)


@dataclass
class Event:
    event: str  # "delta", "done" or "error"
    data: Any  # the JSON payload
    at: float  # time.monotonic() when it arrived


def events(response: Response) -> Iterator[Event]:
    """The events of a Server-Sent Events answer, as they arrive.

    The format, in short: `field: value` lines, a blank line ends an event,
    and a line starting with ':' is a comment (a keep-alive ping).
    """
    name, data = "message", list[str]()
    for line in response.iter_lines():
        if line == "":
            if data:
                yield Event(name, json.loads("\n".join(data)), time.monotonic())
            name, data = "message", list[str]()
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)


def stream(
    http: Client, prompt_id: int, body: dict[str, Any]
) -> tuple[Response, list[Event]]:
    """Send a stream request and read it to the end."""
    path = f"/prompts/{prompt_id}/generate/stream"
    with http.stream("POST", path, json=body) as response:
        if response.headers["content-type"].startswith("text/event-stream"):
            return response, list(events(response))
        response.read()
        return response, []


def calls(fake: ServerProcess, topic: str) -> list[dict[str, Any]]:
    """The requests the fake provider received for `topic`, oldest first."""
    answer = httpx.get(f"{fake.base_url}/fake/calls", timeout=10)
    return [call for call in answer.json() if topic in call["prompt"]]


def runs_of(http: httpx.Client, prompt_id: int) -> list[dict[str, Any]]:
    response = http.get("/runs", params={"prompt_id": prompt_id})
    assert response.status_code == 200, response.text
    runs: list[dict[str, Any]] = response.json()
    return runs


def wait_for(condition: Any, timeout: float = 10.0) -> Any:
    """Poll `condition()` until it returns something true; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.02)
    raise AssertionError(f"still false after {timeout} s: {condition}")


def key_pieces_in(text: str) -> list[str]:
    """Every eight characters of this run's key that `text` contains.

    Shorter pieces would turn up by chance: a port number in a log line, a
    hex id in an answer.
    """
    pieces = {API_KEY[i : i + 8] for i in range(len(API_KEY) - 7)}
    return sorted(piece for piece in pieces if piece in text)

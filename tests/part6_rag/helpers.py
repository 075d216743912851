"""What Part 6's tests do again and again: add a document, wait until it is in."""

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Event:
    event: str  # "sources", "delta", "done" or "error"
    data: Any  # the JSON payload


def events(response: httpx.Response) -> Iterator[Event]:
    """The events of a Server-Sent Events answer, as they arrive."""
    name, data = "message", list[str]()
    for line in response.iter_lines():
        if line == "":
            if data:
                yield Event(name, json.loads("\n".join(data)))
            name, data = "message", list[str]()
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)


def unique_word() -> str:
    """A made-up word no other test's document holds."""
    return f"zq{uuid.uuid4().hex[:10]}"


def prompt(http: httpx.Client, **fields: Any) -> int:
    """A new prompt's id: "Say {x}" unless `fields` say otherwise."""
    body = {"name": f"gen {uuid.uuid4().hex}", "template": "Say {x}", **fields}
    answer = http.post("/prompts", json=body)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def add_document(http: httpx.Client, text: str, **fields: Any) -> dict[str, Any]:
    body = {"title": f"Doc {uuid.uuid4().hex[:8]}", "text": text, **fields}
    response = http.post("/documents", json=body)
    assert response.status_code == 202, response.text
    document: dict[str, Any] = response.json()
    return document


def wait_until(
    http: httpx.Client, document_id: int, status: str, timeout: float = 20.0
) -> dict[str, Any]:
    """The document, once its status is `status` (fails if it settles otherwise)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document: dict[str, Any] = http.get(f"/documents/{document_id}").json()
        if document["status"] == status:
            return document
        if document["status"] != "indexing":
            raise AssertionError(f"document settled as {document}")
        time.sleep(0.05)
    raise AssertionError(f"document {document_id} still not {status} after {timeout} s")


def ready_document(http: httpx.Client, text: str, **fields: Any) -> dict[str, Any]:
    return wait_until(http, add_document(http, text, **fields)["id"], "ready")


def ask_stream(
    http: httpx.Client, body: dict[str, Any]
) -> tuple[httpx.Response, list[Event]]:
    with http.stream("POST", "/ask/stream", json=body) as response:
        if response.headers["content-type"].startswith("text/event-stream"):
            return response, list(events(response))
        response.read()
        return response, []


def wait_for(condition: Any, timeout: float = 10.0) -> Any:
    """Poll `condition()` until it returns something true; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"still false after {timeout} s: {condition}")

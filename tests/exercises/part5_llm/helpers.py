"""What the checks of Part 5's exercises share: a prompt, a stream, the fake's calls."""

import json
import re
import secrets
from typing import Any

import httpx

from tests.serving import ServerProcess

TEMPLATE = "Say {x}"


def create_prompt(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    """A new prompt, with a name no other check uses."""
    body = {"name": f"exercise-{secrets.token_hex(6)}", "template": TEMPLATE, **fields}
    response = api.post("/prompts", json=body)
    assert response.status_code == 201, f"POST /prompts answered {response.text}"
    return dict(response.json())


def stream_events(
    api: httpx.Client, prompt_id: int, body: dict[str, Any]
) -> list[tuple[str, Any]]:
    """POST /prompts/{id}/generate/stream: each event's name and JSON data."""
    url = f"/prompts/{prompt_id}/generate/stream"
    received: list[tuple[str, Any]] = []
    with api.stream("POST", url, json=body) as response:
        assert response.status_code == 200, (
            f"the stream answered {response.status_code}: {response.read().decode()}"
        )
        name, data = "message", ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = line.removeprefix("data: ")
            elif line == "" and data:  # a blank line ends an event
                received.append((name, json.loads(data)))
                name, data = "message", ""
    return received


def fake_calls(server: ServerProcess) -> list[dict[str, Any]]:
    """What the app's own fake provider was asked, from its GET /fake/calls."""
    found = re.search(r"the fake model at (http://\S+)/v1 answers", server.log())
    assert found, "the server's log does not say where its fake model answers"
    return list(httpx.get(f"{found[1]}/fake/calls", timeout=10.0).json())

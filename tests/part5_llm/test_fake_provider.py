"""The fake provider speaks Chat Completions as OpenAI-compatible servers do."""

import json
from typing import Any

import httpx
import pytest

from tests.part5_llm.conftest import API_KEY, TOKENS
from tests.serving import ServerProcess

REQUEST = {"model": "m", "messages": [{"role": "user", "content": "one two three"}]}
AUTHORIZED = {"Authorization": f"Bearer {API_KEY}"}


def chat(fake: ServerProcess, **fields: Any) -> httpx.Response:
    url = f"{fake.base_url}/v1/chat/completions"
    return httpx.post(url, json=REQUEST | fields, headers=AUTHORIZED, timeout=10)


def data_lines(response: httpx.Response) -> list[str]:
    return [
        line[6:] for line in response.text.splitlines() if line.startswith("data: ")
    ]


def test_one_answer_is_a_chat_completion(fake: ServerProcess) -> None:
    answer = chat(fake, max_tokens=4).json()
    assert answer["object"] == "chat.completion"
    assert answer["choices"][0]["message"] == {
        "role": "assistant",
        "content": "one two three one",
    }
    assert answer["choices"][0]["finish_reason"] == "length"
    assert answer["usage"] == {
        "prompt_tokens": 3,
        "completion_tokens": 4,
        "total_tokens": 7,
    }


def test_stream_is_chunks_then_done(fake: ServerProcess) -> None:
    response = chat(fake, stream=True)
    assert response.headers["content-type"].startswith("text/event-stream")
    *chunks, done = data_lines(response)
    assert done == "[DONE]"
    parsed = [json.loads(chunk) for chunk in chunks]
    assert {chunk["object"] for chunk in parsed} == {"chat.completion.chunk"}
    deltas = [chunk["choices"][0]["delta"] for chunk in parsed]
    assert deltas[0] == {"role": "assistant", "content": ""}
    assert len(deltas) == 1 + TOKENS + 1  # the role, each word, the finish
    assert parsed[-1]["choices"][0]["finish_reason"] == "stop"
    assert all("usage" not in chunk for chunk in parsed)


def test_stream_ends_with_usage_when_asked(fake: ServerProcess) -> None:
    response = chat(fake, stream=True, stream_options={"include_usage": True})
    usage_chunk = json.loads(data_lines(response)[-2])
    assert usage_chunk["choices"] == []
    assert usage_chunk["usage"]["completion_tokens"] == TOKENS


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer sk-wrong-0000"}])
def test_any_other_key_gets_401(fake: ServerProcess, headers: dict[str, str]) -> None:
    url = f"{fake.base_url}/v1/chat/completions"
    response = httpx.post(url, json=REQUEST, headers=headers, timeout=10)
    assert response.status_code == 401
    assert "Incorrect API key provided" in response.json()["error"]["message"]

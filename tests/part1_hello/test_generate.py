"""POST /generate: an async call to a fake language model."""

import asyncio
import time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import part1_hello.main as part1_main
from tests.contract.helpers import JSON, error_locations


def generate(client: TestClient, prompt: str) -> dict[str, Any]:
    response = client.post("/generate", json={"prompt": prompt})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


class TestAnswer:
    def test_generate_returns_prompt_completion_and_model(
        self, client: TestClient
    ) -> None:
        answer = generate(client, "Write a haiku about type hints.")
        assert answer["prompt"] == "Write a haiku about type hints."
        assert isinstance(answer["completion"], str)
        assert answer["completion"]
        assert isinstance(answer["model"], str)
        assert answer["model"]

    def test_same_prompt_gets_the_same_completion(self, client: TestClient) -> None:
        assert generate(client, "Hello?") == generate(client, "Hello?")

    def test_different_prompts_get_different_completions(
        self, client: TestClient
    ) -> None:
        first = generate(client, "Hello?")["completion"]
        assert first != generate(client, "Hello!")["completion"]

    @pytest.mark.parametrize("prompt", ["?", "p" * 4000, "🦜" * 4000])
    def test_generate_accepts_prompts_of_1_to_4000_characters(
        self, client: TestClient, prompt: str
    ) -> None:
        assert generate(client, prompt)["prompt"] == prompt


class TestValidation:
    @pytest.mark.parametrize(
        "prompt",
        ["", "p" * 4001, 42, ["a"], None],
        ids=["empty", "4001-chars", "number", "list", "null"],
    )
    def test_generate_with_invalid_prompt_returns_422(
        self, client: TestClient, prompt: Any
    ) -> None:
        response = client.post("/generate", json={"prompt": prompt})
        assert response.status_code == 422
        assert error_locations(response) == [("body", "prompt")]

    def test_generate_without_prompt_returns_422(self, client: TestClient) -> None:
        response = client.post("/generate", json={})
        assert response.status_code == 422
        assert error_locations(response) == [("body", "prompt")]

    def test_generate_with_unknown_field_returns_422(self, client: TestClient) -> None:
        response = client.post("/generate", json={"prompt": "Hi", "max_tokens": 5})
        assert response.status_code == 422
        assert error_locations(response) == [("body", "max_tokens")]

    @pytest.mark.parametrize("body", [b'{"prompt": NaN}', b'{"prompt": "Hi"'])
    def test_generate_with_body_that_is_not_valid_json_returns_422(
        self, client: TestClient, body: bytes
    ) -> None:
        response = client.post("/generate", content=body, headers=JSON)
        assert response.status_code == 422


class TestLatency:
    def test_latency_is_one_second_when_not_set(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("FAKE_LLM_LATENCY_S")
        waited: list[float] = []

        async def note_the_wait(seconds: float) -> None:
            waited.append(seconds)

        monkeypatch.setattr(part1_main.asyncio, "sleep", note_the_wait)
        generate(client, "How long?")
        assert waited == [1.0]

    def test_generate_waits_for_the_configured_latency(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("FAKE_LLM_LATENCY_S", "0.3")
        started = time.perf_counter()
        generate(client, "Take your time.")
        assert time.perf_counter() - started >= 0.29  # a sleep may end a hair early

    def test_latency_does_not_change_the_answer(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        instant = generate(client, "Same either way?")
        monkeypatch.setenv("FAKE_LLM_LATENCY_S", "0.05")
        assert generate(client, "Same either way?") == instant


def test_50_simultaneous_generations_wait_together_not_in_turn(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    latency = 0.2
    monkeypatch.setenv("FAKE_LLM_LATENCY_S", str(latency))

    async def generate_50_at_once() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as ac:
            calls = (ac.post("/generate", json={"prompt": f"#{n}"}) for n in range(50))
            return await asyncio.gather(*calls)

    started = time.perf_counter()
    responses = asyncio.run(generate_50_at_once())
    elapsed = time.perf_counter() - started
    assert [r.status_code for r in responses] == [200] * 50
    # One after another they would take 50 latencies; waiting together, about one.
    assert elapsed < 10 * latency

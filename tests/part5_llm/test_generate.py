"""POST /prompts/{id}/generate: the model's whole answer, and its run."""

from datetime import UTC, datetime, timedelta

import httpx

from tests.part5_llm.conftest import TOKENS
from tests.part5_llm.helpers import (
    TEMPLATE,
    calls,
    create_prompt,
    expected_answer,
    unique_topic,
)
from tests.serving import ServerProcess


def test_generate_returns_the_models_answer_as_a_completed_run(
    http: httpx.Client,
) -> None:
    prompt_id = create_prompt(http, model="fake-echo", temperature=0.3)
    topic = unique_topic()
    before = datetime.now(UTC)
    response = http.post(
        f"/prompts/{prompt_id}/generate", json={"variables": {"topic": topic}}
    )
    assert response.status_code == 200, response.text
    run = response.json()
    assert run["text"] == expected_answer(topic, TOKENS)
    assert run["prompt_id"] == prompt_id
    assert (run["model"], run["temperature"]) == ("fake-echo", 0.3)
    assert run["input"] == TEMPLATE.format(topic=topic)
    assert (run["status"], run["error"], run["finish_reason"]) == (
        "completed",
        None,
        "stop",
    )
    assert (run["prompt_tokens"], run["completion_tokens"]) == (4, TOKENS)
    assert 0 <= run["first_token_ms"] <= run["duration_ms"]
    # Python 3.10 reads no trailing "Z"; the offset it stands for reads the same.
    created = datetime.fromisoformat(run["created_at"].replace("Z", "+00:00"))
    assert before - timedelta(seconds=1) <= created <= datetime.now(UTC)


def test_generated_run_reads_back_unchanged(http: httpx.Client) -> None:
    prompt_id = create_prompt(http)
    body = {"variables": {"topic": unique_topic()}}
    run = http.post(f"/prompts/{prompt_id}/generate", json=body).json()
    assert http.get(f"/runs/{run['id']}").json() == run


def test_max_tokens_cuts_the_answer_short(http: httpx.Client) -> None:
    prompt_id = create_prompt(http)
    topic = unique_topic()
    body = {"variables": {"topic": topic}, "max_tokens": 3}
    run = http.post(f"/prompts/{prompt_id}/generate", json=body).json()
    assert run["text"] == expected_answer(topic, 3)
    assert (run["finish_reason"], run["completion_tokens"]) == ("length", 3)


def test_missing_prompt_gets_404_and_calls_no_model(
    http: httpx.Client, fake: ServerProcess
) -> None:
    topic = unique_topic()
    response = http.post(
        "/prompts/999999/generate", json={"variables": {"topic": topic}}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Prompt 999999 not found"}
    assert calls(fake, topic) == []


def test_missing_variable_gets_422_and_calls_no_model(
    http: httpx.Client, fake: ServerProcess
) -> None:
    prompt_id = create_prompt(http, template="About {topic} in {style}")
    topic = unique_topic()
    response = http.post(
        f"/prompts/{prompt_id}/generate", json={"variables": {"topic": topic}}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "variables", "style"]
    assert calls(fake, topic) == []


def test_max_tokens_out_of_range_gets_422(http: httpx.Client) -> None:
    prompt_id = create_prompt(http)
    for max_tokens in (0, 4097, "5", 2.5):
        body = {"variables": {"topic": "x"}, "max_tokens": max_tokens}
        response = http.post(f"/prompts/{prompt_id}/generate", json=body)
        assert response.status_code == 422, max_tokens
        assert response.json()["detail"][0]["loc"] == ["body", "max_tokens"]


def test_the_provider_gets_the_rendered_prompt_with_the_prompts_model(
    http: httpx.Client, fake: ServerProcess
) -> None:
    prompt_id = create_prompt(http, model="some-model")
    topic = unique_topic()
    http.post(f"/prompts/{prompt_id}/generate", json={"variables": {"topic": topic}})
    [call] = calls(fake, topic)
    assert (call["model"], call["stream"]) == ("some-model", False)
    assert call["prompt"] == TEMPLATE.format(topic=topic)


def test_filled_template_over_a_million_characters_gets_422(
    http: httpx.Client, fake: ServerProcess
) -> None:
    prompt_id = create_prompt(http, template="{a}{b}")
    topic = unique_topic()
    body = {"variables": {"a": topic, "b": "x" * 1_000_000}}
    response = http.post(f"/prompts/{prompt_id}/generate", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "variables"]
    assert calls(fake, topic) == []


def test_filled_template_of_a_million_characters_is_kept_whole(
    http: httpx.Client,
) -> None:
    prompt_id = create_prompt(http, template="{a}")
    body = {"variables": {"a": "é" * 1_000_000}, "max_tokens": 1}
    run = http.post(f"/prompts/{prompt_id}/generate", json=body).json()
    assert http.get(f"/runs/{run['id']}").json()["input"] == "é" * 1_000_000

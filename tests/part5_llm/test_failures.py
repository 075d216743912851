"""When the provider fails: 502, 503 or 504 as the contract says, and a failed run.

Before a stream has started, a failure is a status code in JSON, exactly as
for `generate`; after it has started, it is one `error` event that ends it.
"""

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.part4_mysql.tcp_proxy import TcpProxy
from tests.part5_llm.conftest import (
    API_KEY,
    APP_COMMAND,
    MAX_RETRIES,
    llm_environment,
    measured,
    with_model_client,
)
from tests.part5_llm.helpers import (
    Client,
    Response,
    calls,
    create_prompt,
    events,
    expected_answer,
    key_pieces_in,
    runs_of,
    stream,
    unique_topic,
)
from tests.serving import ServerProcess, free_port, running_server

ENDPOINTS = ["generate", "generate/stream"]

# The fake fails as its model name says; the app answers as the contract says.
FAILURES = [
    pytest.param("fake-error-400", 502, "refused the request as invalid", id="400"),
    pytest.param("fake-error-401", 502, "check LLM_API_KEY", id="401"),
    pytest.param("fake-error-403", 502, "refused access", id="403"),
    pytest.param("fake-error-404", 502, "does not know this model", id="404"),
    pytest.param("fake-error-500", 503, "unavailable (500)", id="500"),
    pytest.param("fake-silent", 504, "did not answer within", id="silent"),
]


def ask(http: Client, endpoint: str, prompt_id: int, topic: str) -> Response:
    body = {"variables": {"topic": topic}}
    if endpoint == "generate":
        return http.post(f"/prompts/{prompt_id}/generate", json=body)
    response, received = stream(http, prompt_id, body)
    assert received == [], "a failure before the stream is no event"
    return response


@pytest.mark.parametrize(("model", "status", "says"), FAILURES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_provider_failure_gets_its_status_in_json(
    http: httpx.Client, endpoint: str, model: str, status: int, says: str
) -> None:
    prompt_id = create_prompt(http, model=model)
    response = ask(http, endpoint, prompt_id, unique_topic())
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert says in response.json()["detail"]
    # The fake's 401 quotes the key's last four characters, as OpenAI's does.
    assert not key_pieces_in(response.text)
    assert API_KEY[-4:] not in response.json()["detail"]


@pytest.mark.parametrize(
    ("model", "says"),
    [("fake-error-429", "rate-limiting"), ("fake-error-503", "unavailable (503)")],
)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_busy_provider_is_retried_then_503_passes_on_its_retry_after(
    http: httpx.Client, fake: ServerProcess, endpoint: str, model: str, says: str
) -> None:
    prompt_id = create_prompt(http, model=model)
    topic = unique_topic()
    response = ask(http, endpoint, prompt_id, topic)
    assert response.status_code == 503
    assert says in response.json()["detail"]
    assert response.headers["retry-after"] == "1"  # the fake's 0.2 s, rounded up
    assert len(calls(fake, topic)) == 1 + MAX_RETRIES


@pytest.mark.parametrize(
    ("model", "status"),
    [
        pytest.param("fake-error-404", 502, id="refusal"),
        # Silence too: one time-out, then the 504, as the contract says.
        pytest.param("fake-silent", 504, id="silence"),
    ],
)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_provider_is_asked_once_when_asking_again_cannot_help(
    http: httpx.Client, fake: ServerProcess, endpoint: str, model: str, status: int
) -> None:
    prompt_id = create_prompt(http, model=model)
    topic = unique_topic()
    assert ask(http, endpoint, prompt_id, topic).status_code == status
    # A retry would have reached the fake before the answer.
    assert len(calls(fake, topic)) == 1


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_failed_call_is_recorded_as_a_failed_run(
    http: httpx.Client, endpoint: str
) -> None:
    prompt_id = create_prompt(http, model="fake-error-403")
    topic = unique_topic()
    detail = ask(http, endpoint, prompt_id, topic).json()["detail"]
    [run] = runs_of(http, prompt_id)
    assert (run["status"], run["error"], run["text"]) == ("failed", detail, "")
    assert run["first_token_ms"] is None


def test_stall_mid_stream_ends_it_with_one_504_error_event(
    http: httpx.Client,
) -> None:
    prompt_id = create_prompt(http, model="fake-stall")  # silent after 3 words
    _, received = stream(http, prompt_id, {"variables": {"topic": unique_topic()}})
    assert [e.event for e in received] == ["delta"] * 3 + ["error"]
    assert received[-1].data == {
        "status": 504,
        "detail": "The model provider did not answer within LLM_TIMEOUT_S",
    }


def test_stall_mid_stream_records_a_failed_run_with_the_text_so_far(
    http: httpx.Client,
) -> None:
    prompt_id = create_prompt(http, model="fake-stall")
    topic = unique_topic()
    stream(http, prompt_id, {"variables": {"topic": topic}})
    [run] = runs_of(http, prompt_id)
    assert run["status"] == "failed"
    assert run["error"] == "The model provider did not answer within LLM_TIMEOUT_S"
    assert run["text"] == expected_answer(topic, 3)


@pytest.fixture
def unreachable(in_process: TestClient) -> Iterator[TestClient]:
    """The app, pointed at a port where no provider listens."""
    nowhere = f"http://127.0.0.1:{free_port()}/v1"
    with with_model_client(in_process, nowhere) as client:
        yield client


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_unreachable_provider_gets_503_with_retry_after(
    unreachable: TestClient, endpoint: str
) -> None:
    prompt_id = create_prompt(unreachable)
    response = ask(unreachable, endpoint, prompt_id, unique_topic())
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The model provider cannot be reached")
    assert response.headers["retry-after"] == "5"


@pytest.fixture(scope="module")
def proxied(
    fake: ServerProcess, mysql_env: dict[str, str]
) -> Iterator[tuple[httpx.Client, TcpProxy]]:
    """The app, reaching MySQL through a relay that a test can cut."""
    host, port = mysql_env["MYSQL_HOST"], int(mysql_env["MYSQL_PORT"])
    with TcpProxy(host, port) as proxy:
        relayed = mysql_env | {"MYSQL_HOST": "127.0.0.1", "MYSQL_PORT": str(proxy.port)}
        environment = measured(relayed | llm_environment(fake))
        with (
            running_server(APP_COMMAND, environment) as server,
            httpx.Client(base_url=server.base_url, timeout=10) as client,
        ):
            yield client, proxy


def test_mysql_gone_before_the_end_ends_the_stream_with_a_503_event(
    proxied: tuple[httpx.Client, TcpProxy],
) -> None:
    http, proxy = proxied
    prompt_id = create_prompt(http, model="fake-slow")  # 4 words a second
    path = f"/prompts/{prompt_id}/generate/stream"
    body = {"variables": {"topic": unique_topic()}, "max_tokens": 3}
    try:
        with http.stream("POST", path, json=body) as response:
            received = events(response)
            first = next(received)
            proxy.cut()  # the answer goes on; the run cannot be written
            rest = list(received)
    finally:
        proxy.restore()
    assert [first.event] + [e.event for e in rest] == ["delta"] * 3 + ["error"]
    assert rest[-1].data == {"status": 503, "detail": "Database unavailable"}


def test_error_reported_inside_the_stream_ends_it_with_a_502_event(
    http: httpx.Client,
) -> None:
    prompt_id = create_prompt(http, model="fake-broken")  # an error after 3 words
    topic = unique_topic()
    _, received = stream(http, prompt_id, {"variables": {"topic": topic}})
    assert [e.event for e in received] == ["delta"] * 3 + ["error"]
    assert received[-1].data == {
        "status": 502,
        "detail": "The model provider failed mid-answer",
    }
    [run] = runs_of(http, prompt_id)
    assert (run["status"], run["text"]) == ("failed", expected_answer(topic, 3))

"""Part 5 under generated and hostile requests: never a 5xx it did not mean.

The shared suite covers every operation of the OpenAPI document, the new
ones included; the tests below send the new endpoints what a schema cannot
describe. The model here always answers: a 5xx could only be the app's.
"""

import uuid

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from schemathesis import GenerationMode

from tests.contract.fuzz import *  # noqa: F403
from tests.contract.fuzzing import (
    CONTENT_TYPES,
    FUZZ_SETTINGS,
    HOSTILE_BODIES,
    NOT_IDS,
    UNDECODABLE_BODIES,
    check_generated_requests,
    path_segments,
    query_strings,
    raw_bodies,
)
from tests.contract.helpers import JSON, Response, assert_answered_in_json

GENERATE = ["/prompts/{id}/generate", "/prompts/{id}/generate/stream"]


@pytest.fixture
def generating_prompt(in_process: TestClient) -> int:
    body = {"name": f"fuzz {uuid.uuid4().hex}", "template": "Hi {name}"}
    response = in_process.post("/prompts", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.fixture
def run_id(in_process: TestClient, generating_prompt: int) -> int:
    body = {"variables": {"name": "fuzz"}, "max_tokens": 1}
    response = in_process.post(f"/prompts/{generating_prompt}/generate", json=body)
    return int(response.json()["id"])


def assert_no_server_error(response: Response) -> None:
    """JSON for an error; an event stream when a stream started."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        assert response.status_code == 200
        assert "event: error" not in response.text
    else:
        assert_answered_in_json(response)


def test_generated_requests_that_reach_a_real_run_get_documented_answers(
    in_process: TestClient, generating_prompt: int, run_id: int
) -> None:
    # The shared test above sends invalid requests to every operation already.
    known: dict[str, object] = {"prompt_id": generating_prompt, "run_id": run_id}
    check_generated_requests(in_process, GenerationMode.POSITIVE, known)


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES.keys() - UNDECODABLE_BODIES))
@pytest.mark.parametrize("path", GENERATE)
def test_hostile_body_to_generate_gets_a_json_422(
    in_process: TestClient, generating_prompt: int, path: str, name: str
) -> None:
    url = path.format(id=generating_prompt)
    response = in_process.post(url, content=HOSTILE_BODIES[name], headers=JSON)
    assert response.status_code == 422
    assert_answered_in_json(response)


@pytest.mark.parametrize("name", sorted(UNDECODABLE_BODIES))
@pytest.mark.parametrize("path", GENERATE)
def test_undecodable_body_to_generate_gets_fastapis_json_400(
    in_process: TestClient, generating_prompt: int, path: str, name: str
) -> None:
    url = path.format(id=generating_prompt)
    response = in_process.post(url, content=HOSTILE_BODIES[name], headers=JSON)
    assert response.status_code == 400
    assert_answered_in_json(response)


@pytest.mark.parametrize("path", GENERATE)
@FUZZ_SETTINGS
@given(body=raw_bodies(["variables", "name", "max_tokens"]), content_type=CONTENT_TYPES)
def test_raw_body_to_generate_never_gets_a_server_error(
    in_process: TestClient,
    generating_prompt: int,
    path: str,
    body: bytes,
    content_type: str | None,
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    url = path.format(id=generating_prompt)
    assert_no_server_error(in_process.post(url, content=body, headers=headers))


@pytest.mark.parametrize("not_an_id", NOT_IDS)
def test_run_segment_that_is_no_id_gets_a_json_422(
    in_process: TestClient, not_an_id: str
) -> None:
    response = in_process.get(f"/runs/{not_an_id}")
    assert response.status_code == 422
    assert_answered_in_json(response)


@FUZZ_SETTINGS
@given(segment=path_segments)
def test_any_path_segment_as_run_id_never_gets_a_server_error(
    in_process: TestClient, segment: str
) -> None:
    assert_answered_in_json(in_process.get(f"/runs/{segment}"))


@FUZZ_SETTINGS
@given(query=query_strings)
def test_any_query_string_on_the_runs_never_gets_a_server_error(
    in_process: TestClient, query: str
) -> None:
    assert_answered_in_json(in_process.get(f"/runs?{query}"))

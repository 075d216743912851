"""No 5xx, whatever the input: the prompt library under generated requests.

Collected by each prompt-library chapter with
`from tests.contract.fuzz import *  # noqa: F403` in its `test_fuzz.py`; it
uses only that chapter's `client` fixture.
"""

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from schemathesis import GenerationMode

from tests.contract.fuzzing import (
    CONTENT_TYPES,
    FUZZ_SETTINGS,
    HOSTILE_BODIES,
    NOT_IDS,
    OTHER_SPELLINGS_OF_AN_ID,
    UNDECODABLE_BODIES,
    check_generated_requests,
    path_segments,
    query_strings,
    raw_bodies,
)
from tests.contract.helpers import JSON, Response, assert_answered_in_json

PROMPT_FIELDS = ["name", "template", "model", "temperature", "variables"]

# Every operation that reads a JSON body, with {id} standing for a prompt id.
BODY_OPERATIONS = [
    ("POST", "/prompts"),
    ("PATCH", "/prompts/{id}"),
    ("POST", "/prompts/{id}/render"),
]
ID_OPERATIONS = [
    ("GET", "/prompts/{id}"),
    ("PATCH", "/prompts/{id}"),
    ("DELETE", "/prompts/{id}"),
    ("POST", "/prompts/{id}/render"),
]


@pytest.fixture
def prompt_id(client: TestClient) -> int:
    """One prompt that exists, so that requests can reach the handlers."""
    response = client.post(
        "/prompts", json={"name": "fuzz target", "template": "Hi {name}"}
    )
    assert response.status_code == 201
    return int(response.json()["id"])


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_requests_generated_from_the_openapi_document_get_documented_answers(
    client: TestClient, prompt_id: int, mode: GenerationMode
) -> None:
    check_generated_requests(client, mode, path_parameters={"prompt_id": prompt_id})


def send_hostile_body(
    client: TestClient, prompt_id: int, method: str, path: str, name: str
) -> Response:
    url = path.format(id=prompt_id)
    return client.request(method, url, content=HOSTILE_BODIES[name], headers=JSON)


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES.keys() - UNDECODABLE_BODIES))
@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
def test_hostile_body_gets_a_json_422(
    client: TestClient, prompt_id: int, method: str, path: str, name: str
) -> None:
    response = send_hostile_body(client, prompt_id, method, path, name)
    assert response.status_code == 422
    assert_answered_in_json(response)


@pytest.mark.parametrize("name", sorted(UNDECODABLE_BODIES))
@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
def test_undecodable_body_gets_fastapis_json_400(
    client: TestClient, prompt_id: int, method: str, path: str, name: str
) -> None:
    response = send_hostile_body(client, prompt_id, method, path, name)
    assert response.status_code == 400
    assert_answered_in_json(response)


@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
@FUZZ_SETTINGS
@given(body=raw_bodies(PROMPT_FIELDS), content_type=CONTENT_TYPES)
def test_raw_body_never_gets_a_server_error(
    client: TestClient,
    prompt_id: int,
    method: str,
    path: str,
    body: bytes,
    content_type: str | None,
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    url = path.format(id=prompt_id)
    response = client.request(method, url, content=body, headers=headers)
    assert_answered_in_json(response)


def send_to_id(client: TestClient, method: str, path: str, prompt_id: str) -> Response:
    body: dict[str, object] = {"variables": {}} if path.endswith("render") else {}
    return client.request(method, path.format(id=prompt_id), json=body)


@pytest.mark.parametrize("not_an_id", NOT_IDS)
@pytest.mark.parametrize(("method", "path"), ID_OPERATIONS)
def test_segment_that_is_no_id_gets_a_json_422(
    client: TestClient, method: str, path: str, not_an_id: str
) -> None:
    response = send_to_id(client, method, path, not_an_id)
    assert response.status_code == 422
    assert_answered_in_json(response)


@pytest.mark.parametrize("spelling", OTHER_SPELLINGS_OF_AN_ID)
@pytest.mark.parametrize(("method", "path"), ID_OPERATIONS)
def test_other_spelling_of_a_missing_id_gets_a_json_404(
    client: TestClient, method: str, path: str, spelling: str
) -> None:
    response = send_to_id(client, method, path, spelling)
    assert response.status_code == 404
    assert_answered_in_json(response)


@pytest.mark.parametrize(("method", "path"), ID_OPERATIONS)
@FUZZ_SETTINGS
@given(segment=path_segments)
def test_any_path_segment_as_id_never_gets_a_server_error(
    client: TestClient, prompt_id: int, method: str, path: str, segment: str
) -> None:
    body: dict[str, object] = {"variables": {"name": "x"}} if "render" in path else {}
    response = client.request(method, path.format(id=segment), json=body)
    assert_answered_in_json(response)


@FUZZ_SETTINGS
@given(query=query_strings)
def test_any_query_string_on_the_list_never_gets_a_server_error(
    client: TestClient, prompt_id: int, query: str
) -> None:
    response = client.get(f"/prompts?{query}")
    assert_answered_in_json(response)

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
    ODD_IDS,
    check_generated_requests,
    path_segments,
    query_strings,
    raw_bodies,
)
from tests.contract.helpers import assert_answered_in_json

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


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS)
def test_hostile_body_gets_a_json_client_error(
    client: TestClient, prompt_id: int, method: str, path: str, body: bytes
) -> None:
    url = path.format(id=prompt_id)
    headers = {"Content-Type": "application/json"}
    response = client.request(method, url, content=body, headers=headers)
    assert response.status_code == 422
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


@pytest.mark.parametrize("odd_id", ODD_IDS)
@pytest.mark.parametrize(("method", "path"), ID_OPERATIONS)
def test_odd_id_gets_a_json_client_error(
    client: TestClient, method: str, path: str, odd_id: str
) -> None:
    body: dict[str, object] = {"variables": {}} if path.endswith("render") else {}
    response = client.request(method, path.format(id=odd_id), json=body)
    assert response.status_code in (404, 422)
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

"""Part 1 under generated and hostile requests: never a 5xx."""

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from schemathesis import GenerationMode

from tests.contract.fuzzing import (
    CONTENT_TYPES,
    FUZZ_SETTINGS,
    HOSTILE_BODIES,
    UNDECODABLE_BODIES,
    check_generated_requests,
    raw_bodies,
)
from tests.contract.helpers import JSON, assert_answered_in_json

BODY_PATHS = ["/users", "/generate"]


@pytest.mark.parametrize("mode", list(GenerationMode))
def test_requests_generated_from_the_openapi_document_get_documented_answers(
    client: TestClient, mode: GenerationMode
) -> None:
    check_generated_requests(client, mode)


@pytest.mark.parametrize("name", HOSTILE_BODIES)
@pytest.mark.parametrize("path", BODY_PATHS)
def test_hostile_body_gets_a_json_client_error(
    client: TestClient, path: str, name: str
) -> None:
    response = client.post(path, content=HOSTILE_BODIES[name], headers=JSON)
    # 400: FastAPI could not decode the body at all; 422: it is not valid input.
    assert response.status_code == (400 if name in UNDECODABLE_BODIES else 422)
    assert_answered_in_json(response)


@pytest.mark.parametrize("path", BODY_PATHS)
@FUZZ_SETTINGS
@given(body=raw_bodies(["name", "age", "prompt"]), content_type=CONTENT_TYPES)
def test_raw_body_never_gets_a_server_error(
    client: TestClient, path: str, body: bytes, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    assert_answered_in_json(client.post(path, content=body, headers=headers))

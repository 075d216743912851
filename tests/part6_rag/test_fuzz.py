"""Part 6 under generated and hostile requests: never a 5xx it did not mean.

The shared suite covers every operation of the OpenAPI document, Part 6's
included; the tests below send the new endpoints what a schema cannot
describe. Over the wire, against the app process, the real fake provider
(chat and embeddings) and Qdrant: a 5xx other than the contract's 502, 503
and 504 could only be the app's.
"""

import httpx
import pymysql
import pytest
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
from tests.contract.helpers import JSON, assert_answered_in_json
from tests.part6_rag.helpers import ready_document

pytestmark = pytest.mark.timeout(300)
BODIES = {
    "/documents": ["title", "text", "source"],
    "/ask": ["question", "k", "prompt_id", "max_tokens"],
    "/ask/stream": ["question", "k", "prompt_id", "max_tokens"],
}


@pytest.fixture
def client(http: httpx.Client, admin: pymysql.Connection) -> httpx.Client:
    """For the shared suite: no prompt and no run stored (documents stay)."""
    with admin.cursor() as cursor:
        cursor.execute("DELETE FROM prompt")
        cursor.execute("DELETE FROM run")
    return http


def assert_no_server_error(response: httpx.Response) -> None:
    """JSON for an error, or an event stream that started; no 5xx but 502-504."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        assert response.status_code == 200
        return
    assert response.status_code < 500 or response.status_code in (502, 503, 504)
    assert_answered_in_json(response)


def test_generated_requests_that_reach_a_real_document_get_documented_answers(
    http: httpx.Client,
) -> None:
    document = ready_document(http, "# Fuzz\nA document that fuzzing can find.")
    known: dict[str, object] = {"document_id": document["id"]}
    check_generated_requests(http, GenerationMode.POSITIVE, known)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES.keys() - UNDECODABLE_BODIES))
@pytest.mark.parametrize("path", sorted(BODIES))
def test_hostile_body_to_a_new_endpoint_gets_a_json_422(
    http: httpx.Client, path: str, name: str
) -> None:
    response = http.post(path, content=HOSTILE_BODIES[name], headers=JSON)
    assert response.status_code == 422
    assert_answered_in_json(response)


@pytest.mark.parametrize("name", sorted(UNDECODABLE_BODIES))
@pytest.mark.parametrize("path", sorted(BODIES))
def test_undecodable_body_to_a_new_endpoint_gets_a_json_400(
    http: httpx.Client, path: str, name: str
) -> None:
    response = http.post(path, content=HOSTILE_BODIES[name], headers=JSON)
    assert response.status_code == 400
    assert_answered_in_json(response)


@pytest.mark.parametrize("path", sorted(BODIES))
@FUZZ_SETTINGS
@given(body=raw_bodies(["title", "text", "question", "k"]), content_type=CONTENT_TYPES)
def test_raw_body_to_a_new_endpoint_never_gets_a_server_error(
    http: httpx.Client, path: str, body: bytes, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    assert_no_server_error(http.post(path, content=body, headers=headers))


@FUZZ_SETTINGS
@given(body=raw_bodies(["file", "title"]), content_type=CONTENT_TYPES)
def test_raw_body_to_the_upload_never_gets_a_server_error(
    http: httpx.Client, body: bytes, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"Content-Type": content_type}
    assert_no_server_error(http.post("/documents/files", content=body, headers=headers))


@pytest.mark.parametrize("not_an_id", NOT_IDS)
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_document_segment_that_is_no_id_gets_a_json_422(
    http: httpx.Client, method: str, not_an_id: str
) -> None:
    response = http.request(method, f"/documents/{not_an_id}")
    assert response.status_code == 422
    assert_answered_in_json(response)


@FUZZ_SETTINGS
@given(segment=path_segments)
def test_any_path_segment_as_document_id_never_gets_a_server_error(
    http: httpx.Client, segment: str
) -> None:
    assert_answered_in_json(http.post(f"/documents/{segment}/reindex"))


@FUZZ_SETTINGS
@given(query=query_strings)
def test_any_query_string_on_search_never_gets_a_server_error(
    http: httpx.Client, query: str
) -> None:
    assert_no_server_error(http.get(f"/search?{query}"))

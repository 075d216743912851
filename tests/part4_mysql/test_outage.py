"""The database goes away under a running app, then comes back.

A TcpProxy stands between the app and the server, so these tests cut and
restore the app's link to MySQL without stopping the shared server.
"""

import logging
import time

import pytest
from fastapi.testclient import TestClient

from part4_mysql.database import READ_TIMEOUT_S
from tests.contract.helpers import Response
from tests.part4_mysql.tcp_proxy import TcpProxy

UNAVAILABLE = {"detail": "Database unavailable, try again shortly"}


def timed(
    client: TestClient, method: str, path: str, body: object = None
) -> tuple[Response, float]:
    started = time.monotonic()
    response = client.request(method, path, json=body)
    return response, time.monotonic() - started


def existing_prompt(client: TestClient) -> int:
    response = client.post("/prompts", json={"name": "kept", "template": "t"})
    assert response.status_code == 201
    return int(response.json()["id"])


def test_health_says_ok_while_the_database_answers(proxied_client: TestClient) -> None:
    response = proxied_client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_every_endpoint_answers_503_at_once_while_the_server_is_down(
    proxied_client: TestClient, proxy: TcpProxy
) -> None:
    prompt_id = existing_prompt(proxied_client)
    proxy.cut()
    requests: list[tuple[str, str, dict[str, object] | None]] = [
        ("GET", "/health", None),
        ("GET", "/prompts", None),
        ("GET", f"/prompts/{prompt_id}", None),
        ("POST", "/prompts", {"name": "new", "template": "t"}),
        ("PATCH", f"/prompts/{prompt_id}", {"model": "m"}),
        ("DELETE", f"/prompts/{prompt_id}", None),
        ("POST", f"/prompts/{prompt_id}/render", {"variables": {}}),
    ]
    for method, path, body in requests:
        response, seconds = timed(proxied_client, method, path, body)
        assert response.status_code == 503, (method, path, response.text)
        assert response.json() == UNAVAILABLE
        assert response.headers["Retry-After"] == "5"
        assert seconds < 2, (method, path, seconds)  # a refused connection is quick


def test_a_silent_network_gives_503_within_seconds(
    proxied_client: TestClient, proxy: TcpProxy
) -> None:
    proxy.stall()  # connections open, but nothing gets through either way
    response, seconds = timed(proxied_client, "GET", "/prompts")
    assert response.status_code == 503
    # The pooled connection's ping times out, then a new connection's
    # greeting never arrives: two read time-outs at most, never a hang.
    assert seconds < 2 * READ_TIMEOUT_S + 2


def test_app_recovers_by_itself_when_the_server_returns(
    proxied_client: TestClient, proxy: TcpProxy
) -> None:
    prompt_id = existing_prompt(proxied_client)
    proxy.cut()
    assert proxied_client.get(f"/prompts/{prompt_id}").status_code == 503
    proxy.restore()
    # The failed request told the pool its connections were dead; new ones
    # are opened now, with no restart of the app.
    response = proxied_client.get(f"/prompts/{prompt_id}")
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "kept"
    assert proxied_client.get("/health").status_code == 200


def test_outage_is_logged_on_the_server(
    proxied_client: TestClient, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    proxy.cut()
    with caplog.at_level(logging.WARNING, logger="part4_mysql"):
        proxied_client.get("/prompts")
    assert "Database unavailable on GET /prompts" in caplog.text


def test_every_endpoint_documents_503(proxied_client: TestClient) -> None:
    paths = proxied_client.get("/openapi.json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "503" in operation["responses"], (method, path)

"""Connections the server closed are replaced before a request can see them.

The pool tests each connection before lending it (`pool_pre_ping=True`), so
a connection that MySQL killed or lost in a restart is opened anew and the
request never knows. These tests close the app's idle connections for real:
with `KILL` from another session, and by restarting a private server.
"""

import time

import pytest
from fastapi.testclient import TestClient

from part4_mysql.settings import Settings
from tests.part4_mysql.databases import (
    Restartable,
    admin_connection,
    client_on_new_database,
)


def unavailable_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("part4")]
    return [message for message in messages if "unavailable" in message]


def kill_other_connections(settings: Settings) -> None:
    """KILL every other connection to the database, and wait until they are gone.

    An account may kill its own connections, so no administrator is needed.
    """
    with admin_connection(settings) as killer, killer.cursor() as cursor:
        cursor.execute(
            "SELECT ID FROM information_schema.PROCESSLIST"
            " WHERE DB = %s AND ID <> CONNECTION_ID()",
            (settings.database,),
        )
        doomed = [row[0] for row in cursor.fetchall()]
        assert doomed, "the app holds no idle connection to kill"
        for connection_id in doomed:
            cursor.execute(f"KILL CONNECTION {int(connection_id)}")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID IN %s",
                (doomed,),
            )
            if cursor.fetchone() == (0,):
                return
            time.sleep(0.01)
        raise TimeoutError(f"connections {doomed} outlived KILL")


def test_a_connection_killed_while_idle_is_replaced_unseen(
    client: TestClient, test_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    created = client.post("/prompts", json={"name": "a", "template": "t"})
    assert created.status_code == 201
    kill_other_connections(test_settings)
    response = client.get("/prompts")
    assert response.status_code == 200, response.text
    assert [prompt["name"] for prompt in response.json()] == ["a"]
    assert unavailable_logged(caplog) == []


def test_the_app_carries_on_unseen_after_the_server_restarts(
    restartable: Restartable, caplog: pytest.LogCaptureFixture
) -> None:
    with client_on_new_database(restartable.settings) as (_, client):
        body = {"name": "before the restart", "template": "t"}
        prompt_id = client.post("/prompts", json=body).json()["id"]
        restartable.server.restart()  # every pooled connection dies with it
        response = client.get(f"/prompts/{prompt_id}")
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "before the restart"
    assert unavailable_logged(caplog) == []


def test_requests_during_a_restart_answer_503_then_the_app_recovers(
    restartable: Restartable, caplog: pytest.LogCaptureFixture
) -> None:
    with client_on_new_database(restartable.settings) as (_, client):
        assert client.get("/health").status_code == 200
        restartable.server.stop()
        try:
            down = client.get("/health")
        finally:
            restartable.server.start()
        assert down.status_code == 503
        assert client.get("/health").status_code == 200
    assert len(unavailable_logged(caplog)) == 1

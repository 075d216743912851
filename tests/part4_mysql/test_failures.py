"""Errors that are not outages: a refused statement, a lock, a deadlock."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pymysql
import pytest
from fastapi.testclient import TestClient
from pymysql.cursors import Cursor
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from part4_mysql.database import Database, is_lock_conflict, is_unavailable
from part4_mysql.main import save
from part4_mysql.models import Prompt
from part4_mysql.settings import Settings
from tests.part4_mysql.databases import (
    admin_connection,
    open_database,
    serving,
    throwaway_database,
)


def create(client: TestClient, name: str, template: str = "t") -> dict[str, Any]:
    response = client.post("/prompts", json={"name": name, "template": template})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_failed_insert_does_not_spoil_the_next_request(client: TestClient) -> None:
    create(client, "taken")
    # One at a time, these requests share one pooled connection: each must
    # find it clean after the one before failed.
    for attempt in range(5):
        assert (
            client.post("/prompts", json={"name": "TAKEN", "template": "t"}).status_code
            == 409
        )
        create(client, f"free {attempt}")
    assert len(client.get("/prompts").json()) == 6


def test_refused_rename_changes_nothing(client: TestClient) -> None:
    create(client, "taken")
    prompt = create(client, "mine", template="before")
    response = client.patch(
        f"/prompts/{prompt['id']}", json={"name": "Taken", "template": "after"}
    )
    assert response.status_code == 409
    assert client.get(f"/prompts/{prompt['id']}").json() == prompt


def test_row_locked_too_long_answers_409_not_503(
    client: TestClient, test_settings: Settings
) -> None:
    prompt = create(client, "busy")
    url = f"/prompts/{prompt['id']}"
    with (
        admin_connection(test_settings, database=test_settings.database) as other,
        other.cursor() as cursor,
    ):
        # Another transaction holds the row, as a slow admin script might.
        cursor.execute("BEGIN")
        cursor.execute("SELECT * FROM prompt WHERE id = %s FOR UPDATE", (prompt["id"],))
        response = client.patch(url, json={"model": "m"})
        assert response.status_code == 409
        assert "concurrent change" in response.json()["detail"]
        assert client.get("/health").status_code == 200  # not an outage
        cursor.execute("ROLLBACK")
    assert client.patch(url, json={"model": "m"}).status_code == 200


def test_prompt_deleted_while_being_patched_answers_404(
    client: TestClient, test_settings: Settings
) -> None:
    prompt = create(client, "doomed")
    url = f"/prompts/{prompt['id']}"
    with (
        admin_connection(test_settings, database=test_settings.database) as other,
        other.cursor() as cursor,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        cursor.execute("BEGIN")
        cursor.execute("DELETE FROM prompt WHERE id = %s", (prompt["id"],))
        # The PATCH still sees the prompt (the delete is not committed), and
        # its UPDATE waits for our lock on the row.
        patching = pool.submit(client.patch, url, json={"model": "m"})
        wait_for_statement(cursor, test_settings.database, "UPDATE prompt")
        cursor.execute("COMMIT")
        assert patching.result().status_code == 404


def wait_for_statement(cursor: Cursor, database: str, start: str) -> None:
    """Wait until another connection to `database` runs a statement."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST"
            " WHERE DB = %s AND INFO LIKE %s",
            (database, start + "%"),
        )
        if cursor.fetchone() == (1,):
            return
        time.sleep(0.01)
    raise TimeoutError(f"no {start!r} began on {database}")


def test_other_database_errors_are_answered_500_and_logged(
    server_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        throwaway_database(server_settings) as settings,
        open_database(settings) as broken,
        serving(broken) as app,
        TestClient(app) as client,
    ):
        # The table goes away behind the app's back: a bug, not an outage.
        with broken.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE prompt")
        broken.tables_ready = True
        response = client.get("/prompts")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert any(record.exc_info for record in caplog.records)  # the traceback


def test_a_failed_constraint_other_than_the_name_is_not_a_name_clash(
    empty_database: Database,
) -> None:
    with Session(empty_database.engine) as session, pytest.raises(IntegrityError):
        save(session, Prompt(name="no template", template=None))  # type: ignore[arg-type]


def deadlock(database: Database) -> DBAPIError:
    """Make two transactions wait for each other; return the loser's error."""
    insert = text(
        "INSERT INTO prompt (id, name, name_key, template, model, temperature)"
        " VALUES (:id, :name, :name, 't', 'm', 1)"
    )
    update = text("UPDATE prompt SET model = 'changed' WHERE id = :id")
    with database.engine.begin() as connection:
        connection.execute(insert, [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}])
    errors: list[DBAPIError] = []
    both_hold_a_row = threading.Barrier(2)

    def transaction(first: int, second: int) -> None:
        with database.engine.connect() as connection:
            connection.execute(update, {"id": first})
            both_hold_a_row.wait()
            try:
                connection.execute(update, {"id": second})
            except DBAPIError as error:
                errors.append(error)
            connection.rollback()

    threads = [
        threading.Thread(target=transaction, args=args) for args in ((1, 2), (2, 1))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1, errors  # InnoDB rolls back exactly one of them
    return errors[0]


def test_deadlock_is_a_lock_conflict_not_an_outage(empty_database: Database) -> None:
    error = deadlock(empty_database)
    assert isinstance(error, OperationalError)  # the same class as an outage
    assert is_lock_conflict(error)
    assert not is_unavailable(error)


def test_trap_taught_drop_database_waits_for_an_open_transaction(
    server_settings: Settings,
) -> None:
    # MySQL's own behaviour, which the chapter's "Traps" section teaches: why
    # the fixtures dispose of their engines before dropping a test database.
    with (
        throwaway_database(server_settings) as settings,
        admin_connection(settings, database=settings.database) as reader,
        reader.cursor() as cursor,
    ):
        cursor.execute("CREATE TABLE t (x INT)")
        cursor.execute("BEGIN")
        cursor.execute("SELECT * FROM t")  # the open transaction holds the table
        with admin_connection(settings) as dropper, dropper.cursor() as drop:
            drop.execute("SET SESSION lock_wait_timeout = 1")
            with pytest.raises(pymysql.err.OperationalError) as waited:
                drop.execute(f"DROP DATABASE `{settings.database}`")
        assert waited.value.args[0] == 1205  # Lock wait timeout exceeded
        cursor.execute("ROLLBACK")
    # Leaving the `with` closed the connection, then dropped the database.

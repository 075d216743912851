"""What the SQLite database itself guarantees, below the API's validation."""

import logging
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.schema import CreateTable
from sqlmodel import Session, SQLModel

from part3_sqlite import database
from part3_sqlite.main import save, update_prompt
from part3_sqlite.models import Prompt, PromptUpdate
from tests.bursts import burst_of_reads
from tests.examples import EXAMPLES

RECORDED_TABLE = EXAMPLES / "part3_sqlite" / "prompt-table.sql"


def insert_row(engine: Engine, **values: Any) -> None:
    """Write a row straight into the table, the API's validation bypassed."""
    row: dict[str, Any] = {"name": "a", "template": "x", "model": "m", "temperature": 0}
    row |= values
    row.setdefault("name_key", row["name"].casefold())
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO prompt (name, name_key, template, model, temperature)"
                " VALUES (:name, :name_key, :template, :model, :temperature)"
            ),
            row,
        )


def table_sql(engine: Engine) -> str:
    with engine.connect() as connection:
        sql = "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'prompt'"
        return str(connection.execute(text(sql)).scalar_one())


def take_write_lock(path: Path) -> sqlite3.Connection:
    """Another connection, holding the database's write lock until it is closed."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def database_path(engine: Engine) -> Path:
    assert engine.url.database is not None
    return Path(engine.url.database)


@pytest.fixture
def tables(client: TestClient, engine: Engine) -> Engine:
    """This test's engine, once the app's lifespan has created the tables."""
    return engine


# --- The table definition -------------------------------------------------------


def test_chapter_shows_the_table_as_sqlite_stores_it(tables: Engine) -> None:
    # SQLAlchemy indents with tabs and ends lines with a space; tidy that up.
    lines = table_sql(tables).expandtabs(4).splitlines()
    stored = "\n".join(line.rstrip() for line in lines) + "\n"
    if os.environ.get("UPDATE_EXAMPLES") == "1":
        RECORDED_TABLE.write_text(stored)
    assert RECORDED_TABLE.read_text() == stored


def test_name_key_holds_a_unique_constraint(tables: Engine) -> None:
    insert_row(tables, name="Straße")
    with pytest.raises(IntegrityError, match="UNIQUE constraint failed"):
        insert_row(tables, name="STRASSE")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("name", ""),
        ("name", "n" * 101),
        ("template", ""),
        ("template", "t" * 10_001),
        ("model", ""),
        ("model", "m" * 101),
        ("temperature", -0.1),
        ("temperature", 2.1),
    ],
)
def test_check_constraints_refuse_values_the_api_refuses(
    tables: Engine, column: str, value: object
) -> None:
    with pytest.raises(IntegrityError, match="CHECK constraint failed"):
        insert_row(tables, **{column: value})


def test_check_constraints_accept_text_with_a_nul_character(tables: Engine) -> None:
    # SQLite's length() stops at the first NUL; the checks must not trip on it.
    row = {"name": "\x00", "template": "\x00" + "t" * 9_999, "model": "\x00"}
    insert_row(tables, **row)
    with tables.connect() as connection:
        stored = connection.execute(text("SELECT name, template, model FROM prompt"))
        assert stored.all() == [tuple(row.values())]


# --- Constraints surface as HTTP answers ----------------------------------------


def test_name_taken_in_the_database_alone_returns_409(
    client: TestClient, tables: Engine
) -> None:
    insert_row(tables, name="Summary")  # the app never saw this row being written
    response = client.post("/prompts", json={"name": "SUMMARY", "template": "x"})
    assert response.status_code == 409


def test_other_constraint_failures_are_not_reported_as_a_taken_name(
    tables: Engine,
) -> None:
    with Session(tables) as session, pytest.raises(IntegrityError, match="CHECK"):
        save(session, Prompt(name="summary", template="x", temperature=9.0))


def test_patch_of_a_prompt_deleted_after_it_was_read_returns_404(
    client: TestClient, tables: Engine
) -> None:
    created = client.post("/prompts", json={"name": "a", "template": "x"})
    prompt_id = created.json()["id"]
    with Session(tables) as session:
        read = session.get(Prompt, prompt_id)  # as the PATCH endpoint does first
        assert read is not None
        client.delete(f"/prompts/{prompt_id}")  # meanwhile, another request
        with pytest.raises(HTTPException) as refused:
            update_prompt(prompt_id, PromptUpdate(template="y"), session)
    assert refused.value.status_code == 404


# --- Waiting instead of failing -------------------------------------------------


def test_a_write_waits_for_another_writer_instead_of_failing(
    client: TestClient, tables: Engine
) -> None:
    inserting = threading.Event()

    def note_insert(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith("INSERT"):
            inserting.set()

    event.listen(tables, "before_cursor_execute", note_insert)
    body = {"name": "patient", "template": "x"}
    with (
        closing(take_write_lock(database_path(tables))) as other_writer,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        answer = pool.submit(client.post, "/prompts", json=body)
        assert inserting.wait(timeout=30)  # the INSERT has started, lock held
        # Refused, it would have failed at once; waiting, it cannot finish.
        finished, _ = wait([answer], timeout=0.5)
        assert not finished, "the write did not wait for the lock"
        other_writer.close()  # lets go of the lock
        assert answer.result(timeout=30).status_code == 201


def test_every_connection_is_set_to_wait_thirty_seconds_for_the_lock(
    engine: Engine,
) -> None:
    # Several connections at once, so that the pool opens each of them.
    connections = [engine.connect() for _ in range(3)]
    try:
        timeouts = [
            c.execute(text("PRAGMA busy_timeout")).scalar_one() for c in connections
        ]
    finally:
        for connection in connections:
            connection.close()
    assert timeouts == [30_000] * 3  # milliseconds: the chapter's thirty seconds


def test_the_database_file_uses_write_ahead_logging(tables: Engine) -> None:
    with sqlite3.connect(database_path(tables)) as connection:
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    assert mode == "wal"


def test_switching_to_wal_waits_while_another_process_holds_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.db"  # a new file starts with a rollback journal
    other_process = take_write_lock(path)
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        # SQLite refused the switch at once; the other process lets go while
        # the function waits to ask again.
        pauses.append(seconds)
        other_process.close()

    monkeypatch.setattr(database.time, "sleep", pause)
    with closing(sqlite3.connect(path)) as connection:
        database.use_write_ahead_log(connection)
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
    assert len(pauses) == 1
    assert mode == "wal"


def test_no_other_worker_can_create_the_table_while_one_looks_for_it(
    engine: Engine,
) -> None:
    engine.connect().close()  # the file exists, in WAL mode, with no table yet
    table = str(CreateTable(SQLModel.metadata.tables["prompt"]).compile(engine))
    other_worker = sqlite3.connect(database_path(engine), timeout=0)
    attempts: list[str] = []

    def other_worker_creates_it(_conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        # The worst moment: this worker has just seen that there is no table.
        if "table_info" in statement and not attempts:
            try:
                other_worker.execute(table)
                attempts.append("created")
            except sqlite3.OperationalError as error:
                attempts.append(str(error))

    event.listen(engine, "after_cursor_execute", other_worker_creates_it)
    with closing(other_worker):
        database.create_db_and_tables()
    assert attempts == ["database is locked"]


# --- A connection for every thread ----------------------------------------------


def test_every_thread_gets_a_connection_at_once_so_a_burst_gets_no_error(
    app: FastAPI, engine: Engine
) -> None:
    # A failed request is an answer to count, not an error to raise here.
    with TestClient(app, raise_server_exceptions=False) as client:
        burst = burst_of_reads(client, engine)
    assert burst.all_held, burst.explain()
    assert burst.statuses == [200] * len(burst.statuses), burst.explain()


# --- Before the lifespan has run ------------------------------------------------


def test_without_the_lifespan_there_is_no_table_and_the_log_says_so(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    # Not entered with `with`, this TestClient never runs the lifespan.
    client = TestClient(app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR):
        response = client.get("/prompts")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert "no such table: prompt" in caplog.text

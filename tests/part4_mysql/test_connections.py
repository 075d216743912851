"""How the app's connections are set up: character set, strict mode, limits."""

import anyio
import anyio.to_thread
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError
from sqlalchemy.pool import QueuePool

from part4_mysql.database import (
    LOCK_WAIT_TIMEOUT_S,
    READ_TIMEOUT_S,
    Database,
    error_number,
)
from part4_mysql.settings import Settings
from tests.part4_mysql.databases import admin_connection


def session_variable(database: Database, name: str) -> str:
    with database.engine.connect() as connection:
        return str(connection.execute(text(f"SELECT @@SESSION.{name}")).scalar_one())


@pytest.mark.parametrize(
    "variable",
    ["character_set_client", "character_set_connection", "character_set_results"],
)
def test_connections_speak_utf8mb4(database: Database, variable: str) -> None:
    assert session_variable(database, variable) == "utf8mb4"


def test_connections_use_strict_sql_mode(database: Database) -> None:
    # STRICT_ALL_TABLES is not in this server's default mode: the app sets it.
    assert "STRICT_ALL_TABLES" in session_variable(database, "sql_mode").split(",")


def test_strict_mode_rejects_a_too_long_value(database: Database) -> None:
    insert = text(
        "INSERT INTO prompt (name, name_key, template, model, temperature)"
        " VALUES ('long', 'long', 't', :model, 0.5)"
    )
    with database.engine.connect() as connection:
        with pytest.raises(DataError) as rejected:
            connection.execute(insert, {"model": "m" * 101})
        connection.rollback()
    assert error_number(rejected.value) == 1406  # Data too long for column


@pytest.mark.usefixtures("empty_database")
def test_without_strict_mode_mysql_cuts_long_values_silently(
    test_settings: Settings,
) -> None:
    # The trap the app avoids: the same insert on a connection without it.
    with (
        admin_connection(test_settings, database=test_settings.database) as raw,
        raw.cursor() as cursor,
    ):
        cursor.execute("SET SESSION sql_mode = ''")
        cursor.execute(
            "INSERT INTO prompt (name, name_key, template, model, temperature)"
            " VALUES ('long', 'long', 't', %s, 0.5)",
            ("m" * 101,),
        )
        cursor.execute("SELECT CHAR_LENGTH(model) FROM prompt")
        assert cursor.fetchone() == (100,)


def test_lock_waits_end_before_the_read_timeout(database: Database) -> None:
    assert int(session_variable(database, "innodb_lock_wait_timeout")) == (
        LOCK_WAIT_TIMEOUT_S
    )
    assert LOCK_WAIT_TIMEOUT_S < READ_TIMEOUT_S


def test_pool_lends_a_connection_to_every_endpoint_thread(database: Database) -> None:
    async def endpoint_threads() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    pool = database.engine.pool
    assert isinstance(pool, QueuePool)
    capacity = pool.size() + pool._max_overflow
    assert capacity >= anyio.run(endpoint_threads)

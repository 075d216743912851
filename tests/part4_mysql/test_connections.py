"""How the app's connections are set up: character set, strict mode, pool size."""

import threading
from concurrent.futures import ThreadPoolExecutor

import anyio
import anyio.to_thread
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from part4_mysql.database import POOL_TIMEOUT_S, Database, error_number
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
def test_trap_taught_a_connection_without_strict_mode_cuts_long_values(
    test_settings: Settings,
) -> None:
    # MySQL's own behaviour, which the chapter's "Traps" section teaches and
    # the app avoids: the same insert on a connection without strict mode.
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


def test_pool_lends_a_connection_to_every_endpoint_thread_at_once(
    database: Database,
) -> None:
    # As many threads as anyio runs `def` endpoints on each hold a connection
    # at the same time; a smaller pool would leave some of them waiting until
    # the pool time-out, then failing.
    async def endpoint_threads() -> int:
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    threads = anyio.run(endpoint_threads)
    all_hold_one = threading.Barrier(threads, timeout=POOL_TIMEOUT_S + 2)
    refused: list[str] = []

    def hold_a_connection() -> None:
        try:
            with database.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
                all_hold_one.wait()
        except PoolTimeoutError as error:
            refused.append(str(error).splitlines()[0])
            all_hold_one.abort()
        except threading.BrokenBarrierError:
            pass  # another thread was refused

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in range(threads):
            pool.submit(hold_a_connection)
    assert refused == [], f"{len(refused)} of {threads} threads got no connection"
    assert not all_hold_one.broken

"""Fixtures for Part 4: a real MySQL or MariaDB server, never a stand-in.

The whole run works in one throwaway database, `prompt_library_test_<hex>`,
created as the tutorial user and dropped at the end; each test starts from an
empty table. The server is the one the app itself would use (MYSQL_HOST,
MYSQL_PORT, MYSQL_USER and MYSQL_PASSWORD from the environment or `.env`) if
it lets that account in; otherwise a private server the tests start
themselves (tests/mysql_server.py).
"""

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from part4_mysql.database import Database
from part4_mysql.settings import Settings
from tests.mysql_server import (
    FoundServer,
    NoServerBinaries,
    private_server,
    session_server,
)
from tests.part4_mysql.databases import (
    Restartable,
    login_of,
    open_database,
    serving,
    settings_for,
    throwaway_database,
)
from tests.part4_mysql.tcp_proxy import TcpProxy


@pytest.fixture(scope="session")
def mysql_server() -> Iterator[FoundServer]:
    """The configured server, or a private one; skips (fails under CI) if none."""
    yield from session_server(login_of(Settings()), "part4_mysql")


@pytest.fixture(scope="session")
def server_settings(mysql_server: FoundServer) -> Settings:
    """The app's settings, pointed at the server the tests use."""
    return settings_for(mysql_server.login)


@pytest.fixture(scope="session")
def restartable(mysql_server: FoundServer) -> Iterator[Restartable]:
    """A private server of these tests' own, which a test may stop and restart.

    Never the session's server: a restart must not reach other tests' pools.
    (Asking for `mysql_server` first: with no server at all, one skip reason.)
    """
    with ExitStack() as stack:
        try:
            server = stack.enter_context(private_server())
        except NoServerBinaries as missing:
            message = f"a restart needs a private MySQL server, and {missing}"
            if os.environ.get("CI"):
                pytest.fail(message, pytrace=False)
            pytest.skip(message)
        configured = Settings()
        password = configured.password.get_secret_value()
        login = server.add_account(configured.user, password)
        yield Restartable(server, settings_for(login))


@pytest.fixture(scope="session")
def test_settings(server_settings: Settings) -> Iterator[Settings]:
    """Settings that point at this run's throwaway database."""
    with throwaway_database(server_settings) as settings:
        yield settings


@pytest.fixture(scope="session")
def database(test_settings: Settings) -> Iterator[Database]:
    """The throwaway database, through the app's own engine factory."""
    with open_database(test_settings) as database:
        database.create_tables()
        yield database


@pytest.fixture
def empty_database(database: Database) -> Database:
    """The throwaway database with no prompts in it."""
    with database.engine.begin() as connection:
        # TRUNCATE also resets AUTO_INCREMENT: each test counts ids from 1.
        connection.execute(text("TRUNCATE TABLE prompt"))
    return database


@pytest.fixture
def app(empty_database: Database) -> Iterator[FastAPI]:
    """Part 4's app on an empty table in the throwaway database."""
    with serving(empty_database) as app:
        yield app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def proxy(test_settings: Settings) -> Iterator[TcpProxy]:
    """A relay to the server that a test can cut, stall and restore."""
    with TcpProxy(test_settings.host, test_settings.port) as relay:
        yield relay


@pytest.fixture
def proxied_settings(test_settings: Settings, proxy: TcpProxy) -> Settings:
    """The throwaway database, reached through `proxy`."""
    return test_settings.model_copy(update={"host": "127.0.0.1", "port": proxy.port})


@pytest.fixture
def proxied_client(app: FastAPI, proxied_settings: Settings) -> Iterator[TestClient]:
    """Part 4's app (on an empty table) reaching MySQL through `proxy`."""
    with (
        open_database(proxied_settings) as database,
        serving(database) as proxied,
        TestClient(proxied) as test_client,
    ):
        yield test_client

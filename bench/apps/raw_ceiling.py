"""The ceiling: the same queries with no framework features and no ORM.

A bare Starlette app that parses the JSON itself, runs hand-written SQL
through the database driver on connections opened at start-up, and sends the
row back. No validation, no dependency injection, no ORM: what is left is
the cost of HTTP and of the query itself. Like a plain `def` endpoint, each
query runs in the thread pool.
`BENCH_DATABASE_URL` picks the store: `memory`, `sqlite:///path/to/file` or
`mysql+pymysql://user:password@host:port/database`.
"""

import itertools
import json
import os
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote, urlsplit

import pymysql
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

COLUMNS = ("id", "name", "template", "model", "temperature")
SCHEMA = {
    "sqlite": "CREATE TABLE IF NOT EXISTS prompt (id INTEGER PRIMARY KEY, "
    "name VARCHAR(100) NOT NULL UNIQUE, template TEXT NOT NULL, "
    "model VARCHAR(100) NOT NULL, temperature FLOAT NOT NULL)",
    "mysql": "CREATE TABLE IF NOT EXISTS prompt (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
    "name VARCHAR(100) NOT NULL UNIQUE, template TEXT NOT NULL, "
    "model VARCHAR(100) NOT NULL, temperature DOUBLE NOT NULL)",
}
INSERT = (
    "INSERT INTO prompt (name, template, model, temperature) VALUES (%s, %s, %s, %s)"
)
SELECT = "SELECT id, name, template, model, temperature FROM prompt WHERE id = %s"

Row = dict[str, Any]
THREADS = 40  # the size of the thread pool that runs every query


class MemoryStore:
    def __init__(self) -> None:
        self.rows: dict[int, Row] = {}
        self.ids = itertools.count(1)
        self.lock = threading.Lock()

    def insert(self, values: tuple[Any, ...]) -> Row:
        with self.lock:
            row = dict(zip(COLUMNS, (next(self.ids), *values), strict=True))
            self.rows[row["id"]] = row
            return row

    def select(self, prompt_id: int) -> Row | None:
        with self.lock:
            return self.rows.get(prompt_id)


class SQLStore:
    """A fixed set of driver connections, all opened at start-up."""

    def __init__(self, url: str) -> None:
        self.url = urlsplit(url)
        self.dialect = "mysql" if self.url.scheme.startswith("mysql") else "sqlite"
        # As many connections as the thread pool has threads: no query ever
        # waits for a connection, and none is opened while requests wait.
        self.idle: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for _ in range(THREADS):
            self.idle.put(self.connect())
        with self.cursor() as cursor:
            cursor.execute(SCHEMA[self.dialect])

    def connect(self) -> Any:
        if self.dialect == "mysql":
            return pymysql.connect(
                host=self.url.hostname,
                port=self.url.port or 3306,
                user=unquote(self.url.username or ""),
                password=unquote(self.url.password or ""),
                database=self.url.path.lstrip("/"),
                charset="utf8mb4",
                autocommit=True,
                ssl_disabled=True,  # as the parts connect
            )
        # isolation_level=None: every statement commits on its own. WAL, as
        # Part 3 uses, lets reads go on while a write commits.
        connection = sqlite3.connect(
            self.url.path[1:], isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA busy_timeout = 30000")
        connection.execute("PRAGMA journal_mode = WAL")
        return connection

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        """A cursor on a connection that is ours until the block ends."""
        connection = self.idle.get()
        try:
            yield connection.cursor()
        finally:
            self.idle.put(connection)

    def sql(self, statement: str) -> str:
        # The two drivers mark parameters differently.
        return statement if self.dialect == "mysql" else statement.replace("%s", "?")

    def insert(self, values: tuple[Any, ...]) -> Row:
        with self.cursor() as cursor:
            cursor.execute(self.sql(INSERT), values)
            return dict(zip(COLUMNS, (cursor.lastrowid, *values), strict=True))

    def select(self, prompt_id: int) -> Row | None:
        with self.cursor() as cursor:
            cursor.execute(self.sql(SELECT), (prompt_id,))
            found = cursor.fetchone()
        return None if found is None else dict(zip(COLUMNS, found, strict=True))


database_url = os.environ["BENCH_DATABASE_URL"]
store = MemoryStore() if database_url == "memory" else SQLStore(database_url)


async def create_prompt(request: Request) -> JSONResponse:
    data = json.loads(await request.body())
    values = (
        data["name"],
        data["template"],
        data.get("model", "gpt-4o-mini"),
        data.get("temperature", 0.7),
    )
    row = await run_in_threadpool(store.insert, values)
    return JSONResponse(row, status_code=201)


async def read_prompt(request: Request) -> JSONResponse:
    row = await run_in_threadpool(store.select, request.path_params["prompt_id"])
    if row is None:
        return JSONResponse({"detail": "Prompt not found"}, status_code=404)
    return JSONResponse(row)


app = Starlette(
    routes=[
        Route("/prompts", create_prompt, methods=["POST"]),
        Route("/prompts/{prompt_id:int}", read_prompt, methods=["GET"]),
    ]
)

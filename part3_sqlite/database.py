"""Where the prompts live: one SQLite file, reached through an SQLAlchemy engine."""

import os
import sqlite3
import time
from collections.abc import Iterator

from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, create_engine

# A relative path is relative to the folder you start the server from.
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///prompts.db")

# How long a write waits for another to finish before it fails with
# "database is locked". Writes here take milliseconds: this is generous.
BUSY_TIMEOUT_MS = 30_000

# FastAPI runs `def` endpoints on 40 threads, and a request keeps its
# connection until its answer is written, which needs a thread too. With fewer
# connections than threads, a burst leaves every thread waiting for a
# connection held by a request that waits for a thread: the app stalls.
POOL_SIZE = 40


def make_engine(url: str) -> Engine:
    # Requests run on a pool of threads, so a connection opened by one thread
    # may later serve another. The pool lends it to one thread at a time.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        pool_size=POOL_SIZE,
        max_overflow=0,
    )
    event.listen(engine, "connect", configure_connection)
    return engine


def configure_connection(connection: sqlite3.Connection, _record: object) -> None:
    """Run on every new connection, before SQLAlchemy hands it out."""
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    use_write_ahead_log(connection)


# One engine, and with it one pool of connections, for the whole process.
engine = make_engine(DATABASE_URL)


def use_write_ahead_log(connection: sqlite3.Connection) -> None:
    """Let requests read while another one writes; the file remembers this."""
    # Switching a new file needs it to itself for an instant. If another
    # worker holds it just then, SQLite refuses at once instead of waiting
    # (waiting could deadlock the two), so wait a little and ask again.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def create_db_and_tables() -> None:
    """Create the tables that do not exist yet; every worker runs this at start."""
    with engine.connect() as connection:
        # Take the write lock before looking for the table. A second worker
        # starting at the same moment waits here, then finds the table made.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        SQLModel.metadata.create_all(connection)
        connection.commit()


def get_session() -> Iterator[Session]:
    """One session per request, closed when the request is done."""
    # expire_on_commit=False: after a commit, keep the values just written.
    with Session(engine, expire_on_commit=False) as session:
        yield session

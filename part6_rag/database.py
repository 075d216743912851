"""Where prompts, runs and documents live: MySQL, through a pool of connections.

Part 5's module, but the app no longer creates its tables: Alembic's
migrations do (`migrations/`), and the app only checks, before it serves,
that the database is at the newest revision. This module also tells "the
database is unavailable" apart from every other database error, and writes
rows from a worker thread, so that streams never wait for MySQL.
"""

from collections.abc import Iterator
from pathlib import Path

import anyio.to_thread
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import Session, SQLModel, create_engine

from . import models  # noqa: F401 (defining the models registers their tables)
from .settings import Settings

# Never wait long for a server that does not answer: a client would rather
# get a quick 503 than a request that hangs.
CONNECT_TIMEOUT_S = 3  # to open a connection
READ_TIMEOUT_S = 2  # for each answer; our queries take milliseconds
# How long a write waits for a row that another transaction holds. Shorter
# than READ_TIMEOUT_S, so a lock wait ends with its own error, not a time-out.
LOCK_WAIT_TIMEOUT_S = 1
# FastAPI runs `def` endpoints in anyio's pool of 40 threads, so up to 40
# requests may want a connection at once: the pool keeps 40. None is opened
# beyond them, because an extra connection would be closed again right after
# the burst that needed it, and opening one costs far more than a query.
POOL_SIZE = 40
MAX_OVERFLOW = 0
POOL_TIMEOUT_S = 3  # to wait for a free connection before giving up


def make_engine(settings: Settings) -> Engine:
    return create_engine(
        settings.database_url(),
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,  # ping before lending: replace a dead connection
        connect_args={
            "charset": "utf8mb4",  # UTF-8 with four-byte characters
            "sql_mode": "TRADITIONAL",  # strict: refuse, never truncate
            "init_command": (
                f"SET SESSION innodb_lock_wait_timeout = {LOCK_WAIT_TIMEOUT_S}"
            ),
            "connect_timeout": CONNECT_TIMEOUT_S,
            "read_timeout": READ_TIMEOUT_S,
            "write_timeout": READ_TIMEOUT_S,
            "ssl_disabled": True,  # a local development server
        },
    )


ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
UPGRADE_COMMAND = f"alembic -c {ALEMBIC_INI.parent.name}/alembic.ini upgrade head"


def alembic_config() -> Config:
    return Config(str(ALEMBIC_INI))


class SchemaBehind(Exception):
    """The database is not at the revision this code was written for."""

    def __init__(self, current: str | None, head: str | None) -> None:
        self.current, self.head = current, head
        super().__init__(
            f"The database is at revision {current or 'none'}, this app needs "
            f"{head}: run `{UPGRADE_COMMAND}` (or `make run PART=6`)"
        )


class Database:
    """An engine, and whether its schema is known to be the one we need."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.schema_ready = False

    def check_schema(self) -> None:
        """Raise SchemaBehind unless the migrations have all been applied.

        The app never migrates by itself: two workers starting together
        would race to change the same tables.
        """
        if self.schema_ready:
            return
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        with self.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current != head:
            raise SchemaBehind(current, head)
        self.schema_ready = True

    def session(self) -> Iterator[Session]:
        # If MySQL was down when the app started, the first request after it
        # comes back checks the schema.
        self.check_schema()
        # Leaving the block closes the session and gives its connection back.
        with Session(self.engine, expire_on_commit=False) as session:
            yield session


database = Database(make_engine(Settings()))


def get_session() -> Iterator[Session]:
    """One session per request, closed when the request is done."""
    yield from database.session()


def save_row(row: SQLModel) -> None:
    """Insert or update one row. It blocks its thread while MySQL answers."""
    database.check_schema()
    with Session(database.engine, expire_on_commit=False) as session:
        session.add(row)
        session.commit()


async def save_row_in_thread(row: SQLModel) -> None:
    """The same, from async code: a worker thread waits for MySQL, not the loop.

    Every stream shares the one event loop; a few milliseconds of blocking
    per run would hold up every other stream's next token.
    """
    await anyio.to_thread.run_sync(save_row, row)


# MySQL's error numbers for "we cannot use the server right now".
UNAVAILABLE_ERRORS = {
    1040,  # Too many connections
    1044,  # Access denied for user ... to database
    1045,  # Access denied for user ... (using password: YES)
    1049,  # Unknown database
    1053,  # Server shutdown in progress
    1927,  # Connection was killed (MariaDB)
    2003,  # Can't connect to MySQL server (refused, unknown host, time-out)
    2006,  # MySQL server has gone away
    2013,  # Lost connection to MySQL server during query (or a read time-out)
    2055,  # Lost connection to MySQL server at '...', system error
    4031,  # The client was disconnected by the server (MySQL 8)
}
# Two transactions got in each other's way: the server itself is fine.
LOCK_CONFLICT_ERRORS = {
    1205,  # Lock wait timeout exceeded; try restarting transaction
    1213,  # Deadlock found when trying to get lock; try restarting transaction
}
DUPLICATE_KEY = 1062  # Duplicate entry '...' for key '...'


def error_number(error: DBAPIError) -> int | None:
    """MySQL's error number inside SQLAlchemy's wrapper, if there is one."""
    args = getattr(error.orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def is_unavailable(error: Exception) -> bool:
    if isinstance(error, PoolTimeoutError):
        return True  # every connection stayed busy for POOL_TIMEOUT_S
    if isinstance(error, DBAPIError):
        # connection_invalidated: SQLAlchemy saw this connection die.
        return error.connection_invalidated or error_number(error) in UNAVAILABLE_ERRORS
    return False


def is_lock_conflict(error: Exception) -> bool:
    return isinstance(error, DBAPIError) and error_number(error) in LOCK_CONFLICT_ERRORS


def describe(error: Exception) -> str:
    """The driver's own words on one line: (2003, "Can't connect to ...")."""
    return " ".join(str(getattr(error, "orig", None) or error).split())

"""Real servers for the site tests: each started once, and all at once.

The chapters' commands and each part's /docs check need running servers.
Starting them together saves most of the waiting, and a command two tests
need (`make run PART=1` and `uvicorn part1_hello.main:app --reload` start
the same server) runs only once.
"""

import atexit
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from functools import cache
from pathlib import Path

import pytest

from tests.mysql_server import FoundServer, NoServerBinaries, found_server
from tests.serving import ServerProcess, start_server
from tests.site.printed import SERVER_COMMANDS

PARTS = ["part1_hello", "part2_crud", "part3_sqlite", "part4_mysql", "part5_llm"]
# Their servers start when a test asks, so that a missing server skips alone.
NEED_MYSQL = {"part4_mysql", "part5_llm"}


@contextmanager
def no_env(storage: Path) -> Iterator[dict[str, str]]:
    yield {}


@contextmanager
def quick_model(storage: Path) -> Iterator[dict[str, str]]:
    yield {"FAKE_LLM_LATENCY_S": "0.01"}


@contextmanager
def sqlite_file(storage: Path) -> Iterator[dict[str, str]]:
    yield {"DATABASE_URL": f"sqlite:///{storage / 'prompts.db'}"}


# One server for every MySQL part this process serves: starting a private
# server costs a second, a database on it a few milliseconds.
_MYSQL = ExitStack()
atexit.register(_MYSQL.close)


@cache
def process_server() -> FoundServer:
    """The configured server, or a private one kept until this process ends."""
    from part4_mysql.settings import Settings
    from tests.part4_mysql.databases import login_of

    return _MYSQL.enter_context(found_server(login_of(Settings())))


@contextmanager
def mysql_database(storage: Path) -> Iterator[dict[str, str]]:
    """A throwaway database on the server Part 4's own tests would use."""
    from tests.part4_mysql.databases import (
        server_environment,
        settings_for,
        throwaway_database,
    )

    try:
        found = process_server()
    except NoServerBinaries as missing:
        # Only this: any other error is a failure, never a skip.
        message = f"no MySQL server for Parts 4 and 5, and {missing}"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with throwaway_database(settings_for(found.login)) as database:
        yield server_environment(database)


@contextmanager
def mysql_database_and_quick_model(storage: Path) -> Iterator[dict[str, str]]:
    # No LLM_BASE_URL: Part 5 starts its own fake provider, made quick here.
    with mysql_database(storage) as env:
        yield {**env, "FAKE_LLM_LATENCY_S": "0.01"}


@contextmanager
def migrated_database_and_vectors(storage: Path) -> Iterator[dict[str, str]]:
    """Part 6: a database brought to the newest revision, a Qdrant folder."""
    import subprocess
    import sys

    from tests.serving import ROOT

    with mysql_database(storage) as env:
        upgrade = [sys.executable, "-m", "alembic", "-c", "part6_rag/alembic.ini"]
        done = subprocess.run(
            [*upgrade, "upgrade", "head"],
            cwd=ROOT,
            env=os.environ | env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        yield {
            **env,
            "FAKE_LLM_LATENCY_S": "0.01",
            "QDRANT_PATH": str(storage / "qdrant"),
        }


# What each part's server needs: fresh storage, a quick fake model.
STORAGE: dict[str, Callable[[Path], AbstractContextManager[dict[str, str]]]] = {
    "part1_hello": quick_model,
    "part2_crud": no_env,
    "part3_sqlite": sqlite_file,
    "part4_mysql": mysql_database,
    "part5_llm": mysql_database_and_quick_model,
    "part6_rag": migrated_database_and_vectors,
}


def part_of(command: str) -> str:
    found = re.search(r"part\d_[a-z]+", command)
    assert found, f"which part does {command!r} serve?"
    return found[0]


def docs_command(part: str) -> str:
    """The command that serves a part for its /docs check: the chapter's own."""
    printed = f"uvicorn {part}.main:app --reload"
    return printed if printed in SERVER_COMMANDS else f"uvicorn {part}.main:app"


class Servers:
    """Servers by command, started on first use and stopped at the end."""

    def __init__(self, stack: ExitStack, storage: Path) -> None:
        self.stack = stack
        self.storage = storage
        self.started: dict[str, ServerProcess] = {}
        self.answering: set[str] = set()

    def start(self, command: str) -> None:
        if command in self.started:
            return
        part = part_of(command)
        folder = Path(tempfile.mkdtemp(prefix=f"{part}-", dir=self.storage))
        env = self.stack.enter_context(STORAGE[part](folder))
        server = start_server(command, env)
        self.stack.callback(server.stop)
        self.started[command] = server

    def get(self, command: str) -> ServerProcess:
        """The server of `command`, once it answers."""
        self.start(command)
        server = self.started[command]
        if command not in self.answering:
            server.wait_until_up()
            self.answering.add(command)
        return server

"""Part 3 as readers run it: real uvicorn processes on a real database file."""

import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.bursts import all_at_once
from tests.examples import example_commands, run_in_shell
from tests.serving import ROOT, ServerProcess, running_server

RUN_COMMAND = "uvicorn part3_sqlite.main:app --reload"
WORKERS_COMMAND = "uvicorn part3_sqlite.main:app --workers 2"


def database_env(path: Path) -> dict[str, str]:
    return {"DATABASE_URL": f"sqlite:///{path}"}


def test_chapter_shows_the_commands_tested_here() -> None:
    chapter = (ROOT / "docs" / "part3.md").read_text()
    bash_blocks = re.findall(r"```bash\n(.*?)```", chapter, re.DOTALL)
    shown = {line.strip() for block in bash_blocks for line in block.splitlines()}
    assert {RUN_COMMAND, WORKERS_COMMAND} <= shown


# --- Stop, start again: nothing is lost ---------------------------------------


@dataclass
class RestartSession:
    answers: dict[Path, str]  # each example command, and what curl got back
    database: Path


@pytest.fixture(scope="module")
def restart_session(tmp_path_factory: pytest.TempPathFactory) -> RestartSession:
    """The chapter's example requests, with real curl, around a real restart.

    The examples before the first one named "after-restart" go to one server;
    then it stops, and the same command starts a new one on the same file.
    """
    database = tmp_path_factory.mktemp("restart") / "prompts.db"
    commands = example_commands("part3_sqlite")
    first_after = next(i for i, c in enumerate(commands) if "after-restart" in c.stem)
    answers = {}
    for batch in (commands[:first_after], commands[first_after:]):
        with running_server(RUN_COMMAND, env=database_env(database)) as server:
            for command in batch:
                answers[command] = run_in_shell(server.base_url, command).decode()
    return RestartSession(answers, database)


def test_examples_answer_as_recorded_across_a_restart(
    restart_session: RestartSession,
) -> None:
    for command, answer in restart_session.answers.items():
        assert answer == command.with_suffix(".out").read_text(), command.name


def test_prompts_are_stored_in_the_file_database_url_names(
    restart_session: RestartSession,
) -> None:
    with sqlite3.connect(restart_session.database) as connection:
        rows = connection.execute("SELECT id, name FROM prompt ORDER BY id").fetchall()
    # Prompt 2 was deleted before the restart; its id was not handed out again.
    assert rows == [(1, "summary"), (3, "translate")]


# --- Two worker processes, one file -------------------------------------------


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The chapter's two-worker command, started on a brand-new database file."""
    database = tmp_path_factory.mktemp("workers") / "prompts.db"
    with running_server(WORKERS_COMMAND, env=database_env(database)) as server:
        server.wait_for_workers(2)
        # Both workers prepared the new file at the same moment, without error.
        assert "Traceback" not in server.log(), server.log()
        yield server


def test_racing_creates_across_two_workers_let_exactly_one_win(
    two_workers: ServerProcess,
) -> None:
    url = two_workers.base_url + "/prompts"

    def create(n: int) -> httpx.Response:
        return httpx.post(url, json={"name": "race", "template": f"#{n}"}, timeout=60)

    assert sorted(r.status_code for r in all_at_once(20, create)) == [201] + [409] * 19
    names = [prompt["name"] for prompt in httpx.get(url, params={"limit": 100}).json()]
    assert names.count("race") == 1


def test_concurrent_writers_across_two_workers_never_see_a_locked_database(
    two_workers: ServerProcess,
) -> None:
    def write_read_delete(n: int) -> httpx.Response:
        """Each writer creates, changes, reads and deletes a prompt of its own."""
        with httpx.Client(base_url=two_workers.base_url, timeout=60) as http:
            body = {"name": f"writer {n}", "template": "x"}
            created = http.post("/prompts", json=body)
            assert created.status_code == 201, created.text
            path = f"/prompts/{created.json()['id']}"
            changed = http.patch(path, json={"temperature": 1.5})
            assert changed.status_code == 200, changed.text
            assert http.get(path).json()["temperature"] == 1.5
            return http.delete(path)

    assert [r.status_code for r in all_at_once(40, write_read_delete)] == [204] * 40
    assert "database is locked" not in two_workers.log()
    assert "Traceback" not in two_workers.log()

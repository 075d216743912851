"""Part 4 as readers run it: real uvicorn processes on a real MySQL server."""

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from part4_mysql.database import Database
from part4_mysql.settings import Settings
from tests.part4_mysql.databases import server_environment, throwaway_database
from tests.part4_mysql.tcp_proxy import TcpProxy
from tests.serving import ROOT, ServerProcess, free_port, running_server

RUN_COMMAND = "uvicorn part4_mysql.main:app --reload"
WORKERS_COMMAND = "uvicorn part4_mysql.main:app --workers 2"


def test_chapter_shows_the_commands_tested_here() -> None:
    chapter = (ROOT / "docs" / "part4.md").read_text()
    bash_blocks = re.findall(r"```bash\n(.*?)```", chapter, re.DOTALL)
    shown = {line.strip() for block in bash_blocks for line in block.splitlines()}
    assert {RUN_COMMAND, WORKERS_COMMAND} <= shown


# --- Started before its database ----------------------------------------------


def test_starting_without_the_database_says_so_in_one_line(
    test_settings: Settings,
) -> None:
    nobody_listens = test_settings.model_copy(update={"port": free_port()})
    with running_server(RUN_COMMAND, server_environment(nobody_listens)) as server:
        # It starts anyway, and answers.
        assert httpx.get(server.base_url + "/health").status_code == 503
    address = f"{nobody_listens.host}:{nobody_listens.port}"
    mentions = [line for line in server.log().splitlines() if address in line]
    assert len(mentions) == 1, server.log()
    assert "is unavailable" in mentions[0]
    assert "Traceback" not in server.log()


# --- Two worker processes, one database ---------------------------------------


@pytest.fixture(scope="module")
def two_workers(server_settings: Settings) -> Iterator[ServerProcess]:
    """The chapter's two-worker command, on a database with no tables yet."""
    with (
        throwaway_database(server_settings) as fresh,
        running_server(WORKERS_COMMAND, server_environment(fresh)) as server,
    ):
        server.wait_for_workers(2)
        yield server


def test_two_workers_create_the_tables_side_by_side(two_workers: ServerProcess) -> None:
    assert httpx.get(two_workers.base_url + "/health").status_code == 200
    assert "Traceback" not in two_workers.log()


def test_racing_creates_across_two_workers_let_exactly_one_win(
    two_workers: ServerProcess,
) -> None:
    start = threading.Barrier(20, timeout=30)

    def create(n: int) -> int:
        start.wait()
        body = {"name": "race", "template": f"#{n}"}
        return httpx.post(two_workers.base_url + "/prompts", json=body).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        assert sorted(pool.map(create, range(20))) == [201] + [409] * 19


# --- An outage under load -----------------------------------------------------


@dataclass
class Answer:
    status: int
    seconds: float
    prompt: dict[str, object] | None


def steady_writes(base_url: str, stop: threading.Event, writer: int) -> list[Answer]:
    """Create prompts one after another until `stop` is set."""
    answers: list[Answer] = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not stop.is_set():
            body = {"name": f"writer {writer} prompt {len(answers)}", "template": "t"}
            started = time.monotonic()
            response = client.post("/prompts", json=body)
            seconds = time.monotonic() - started
            created = response.json() if response.status_code == 201 else None
            answers.append(Answer(response.status_code, seconds, created))
    return answers


def test_an_outage_under_load_loses_no_acknowledged_write(
    proxied_settings: Settings, proxy: TcpProxy, empty_database: Database
) -> None:
    # Ten seconds without MySQL under a steady stream of writes from four
    # clients: only 201 or 503, quick answers throughout, recovery by itself,
    # and no acknowledged write lost.
    command = "uvicorn part4_mysql.main:app"
    with running_server(command, server_environment(proxied_settings)) as server:
        stop = threading.Event()
        with ThreadPoolExecutor(max_workers=4) as pool:
            writers = [
                pool.submit(steady_writes, server.base_url, stop, writer)
                for writer in range(4)
            ]
            time.sleep(0.5)
            proxy.cut()
            time.sleep(10)
            proxy.restore()
            time.sleep(1)
            stop.set()
            answers = [writer.result() for writer in writers]  # raises if one failed
    every = [answer for per_writer in answers for answer in per_writer]
    assert {answer.status for answer in every} == {201, 503}
    assert max(answer.seconds for answer in every) < 5
    assert all(per_writer[-1].status == 201 for per_writer in answers)  # recovered
    acknowledged = {
        (answer.prompt["id"], answer.prompt["name"])
        for answer in every
        if answer.prompt
    }
    with empty_database.engine.connect() as connection:
        stored = set(connection.exec_driver_sql("SELECT id, name FROM prompt").all())
    assert acknowledged <= stored
    assert "Unhandled error" not in server.log()

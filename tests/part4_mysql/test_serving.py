"""Part 4 under many clients, mostly as readers run it: real uvicorn processes."""

import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from part4_mysql.database import Database
from part4_mysql.settings import Settings
from tests.bursts import all_at_once, burst_of_reads
from tests.part4_mysql.databases import (
    admin_connection,
    server_environment,
    throwaway_database,
)
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
def workers_database(server_settings: Settings) -> Iterator[Settings]:
    """A database of its own for the two workers, with no tables yet."""
    with throwaway_database(server_settings) as fresh:
        yield fresh


@pytest.fixture(scope="module")
def two_workers(workers_database: Settings) -> Iterator[ServerProcess]:
    """The chapter's two-worker command, on a database with no tables yet."""
    environment = server_environment(workers_database)
    with running_server(WORKERS_COMMAND, environment) as server:
        server.wait_for_workers(2)
        yield server


def stored_names(settings: Settings) -> list[str]:
    """Every prompt's name, read from the table past the app."""
    with (
        admin_connection(settings, settings.database) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT name FROM prompt")
        return [name for (name,) in cursor.fetchall()]


def test_two_workers_create_the_tables_side_by_side(two_workers: ServerProcess) -> None:
    assert httpx.get(two_workers.base_url + "/health").status_code == 200
    assert "Traceback" not in two_workers.log()


def test_racing_creates_across_two_workers_let_exactly_one_win(
    two_workers: ServerProcess, workers_database: Settings
) -> None:
    url = two_workers.base_url + "/prompts"

    def create(n: int) -> httpx.Response:
        return httpx.post(url, json={"name": "race", "template": f"#{n}"}, timeout=30)

    responses = all_at_once(20, create)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    # A 409 also answers a lock conflict ("try again"); each loser must have
    # been told what a later request for the name is told: it is taken.
    later = httpx.post(url, json={"name": "race", "template": "later"})
    assert later.status_code == 409
    refusals = {r.json()["detail"] for r in responses if r.status_code == 409}
    assert refusals == {later.json()["detail"]}
    assert stored_names(workers_database) == ["race"]


# --- More requests than threads -------------------------------------------------


def test_every_thread_gets_a_connection_at_once_so_a_burst_gets_no_error(
    app: FastAPI, empty_database: Database
) -> None:
    # A failed request is an answer to count, not an error to raise here.
    with TestClient(app, raise_server_exceptions=False) as client:
        burst = burst_of_reads(client, empty_database.engine)
    assert burst.all_held, burst.explain()
    assert burst.statuses == [200] * len(burst.statuses), burst.explain()


# --- An outage under load -----------------------------------------------------


@dataclass
class Answer:
    status: int
    seconds: float
    prompt: dict[str, object] | None


OUTAGE_S = 10


WRITE_EVERY_S = 0.02


def steady_writes(
    base_url: str, stop: threading.Event, writer: int, answers: list[Answer]
) -> None:
    """Create prompts until `stop` is set, about 50 a second; note each answer.

    Paced: a writer in a tight loop would spend the cores on thousands of
    instant 503s, and prove nothing more.
    """
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not stop.wait(WRITE_EVERY_S):
            body = {"name": f"writer {writer} prompt {len(answers)}", "template": "t"}
            started = time.monotonic()
            response = client.post("/prompts", json=body)
            seconds = time.monotonic() - started
            created = response.json() if response.status_code == 201 else None
            answers.append(Answer(response.status_code, seconds, created))


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting until {what}"
        time.sleep(0.05)


def each_got(status: int, answers: list[list[Answer]], since: list[int]) -> bool:
    """Whether every writer got `status` at least once after its `since` answers."""
    return all(
        any(answer.status == status for answer in per_writer[start:])
        for per_writer, start in zip(answers, since, strict=True)
    )


@pytest.mark.load  # ten seconds of outage: in CI and `make bench`
def test_an_outage_under_load_loses_no_acknowledged_write(
    proxied_settings: Settings, proxy: TcpProxy, empty_database: Database
) -> None:
    # Ten seconds without MySQL under a steady stream of writes from four
    # clients: only 201 or 503, quick answers throughout, recovery by itself,
    # and no acknowledged write lost.
    command = "uvicorn part4_mysql.main:app"
    answers: list[list[Answer]] = [[] for _ in range(4)]
    with running_server(command, server_environment(proxied_settings)) as server:
        stop = threading.Event()
        with ThreadPoolExecutor(max_workers=4) as pool:
            writers = [
                pool.submit(steady_writes, server.base_url, stop, n, per_writer)
                for n, per_writer in enumerate(answers)
            ]
            try:
                wait_until(lambda: each_got(201, answers, [0] * 4), "all write")
                cut = time.monotonic()
                proxy.cut()
                before_cut = [len(per_writer) for per_writer in answers]
                wait_until(lambda: each_got(503, answers, before_cut), "all see 503")
                time.sleep(max(0.0, cut + OUTAGE_S - time.monotonic()))
                proxy.restore()
                restored = [len(per_writer) for per_writer in answers]
                wait_until(lambda: each_got(201, answers, restored), "all recover")
            finally:
                stop.set()
            for writer in writers:
                writer.result()  # raises if one failed
    every = [answer for per_writer in answers for answer in per_writer]
    assert {answer.status for answer in every} == {201, 503}
    assert max(answer.seconds for answer in every) < 5
    acknowledged = {
        (answer.prompt["id"], answer.prompt["name"])
        for answer in every
        if answer.prompt
    }
    with empty_database.engine.connect() as connection:
        stored = set(connection.exec_driver_sql("SELECT id, name FROM prompt").all())
    assert acknowledged <= stored
    assert "Unhandled error" not in server.log()

"""The benchmark's own parts, checked quickly: its apps, its load generator,
its report. The full `make bench` takes minutes and is not part of the tests.
"""

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest

from bench import report
from bench.databases import Databases, MySQLServer
from bench.load import BurstResult, Request, burst, run, sustained_load
from bench.scenarios import UVICORN, kill, request_maker, seed
from tests.mysql_server import Login, session_server
from tests.serving import ROOT, ServerProcess, running_server

LATENCY_S = 0.3


def address(server: ServerProcess) -> tuple[str, int]:
    host, port = server.base_url.removeprefix("http://").split(":")
    return host, int(port)


@pytest.fixture
def databases() -> Iterator[Databases]:
    made = Databases()
    yield made
    made.remove_all()


def serve(module: str, env: dict[str, str]) -> Any:
    return running_server(UVICORN.format(module=module), env)


# --- The apps measured beside the parts ---------------------------------------


def fake_model_burst(way: str, deadline: float) -> BurstResult:
    """Send 20 requests at once to one way of waiting on the fake model."""
    env = {"FAKE_LLM_LATENCY_S": str(LATENCY_S)}
    with serve("bench.apps.fake_model", env) as server:
        request = Request("POST", f"/generate/{way}", b"{}")
        outcome = run(burst(*address(server), request, count=20, deadline=deadline))
        if not outcome.finished:
            kill(server)  # a blocked loop would take seconds to drain its queue
        return outcome


def test_awaited_fake_model_answers_a_burst_in_about_one_latency() -> None:
    outcome = fake_model_burst("awaited", deadline=10)
    assert outcome.finished and outcome.errors == 0
    # One at a time would take 20 latencies; at once, about one.
    assert outcome.wall_seconds < 5 * LATENCY_S


def test_blocking_fake_model_answers_one_request_at_a_time() -> None:
    outcome = fake_model_burst("blocking", deadline=1.5)
    assert not outcome.finished
    assert outcome.answered <= 1.5 / LATENCY_S + 1


def test_thread_pool_fake_model_answers_every_request() -> None:
    outcome = fake_model_burst("thread-pool", deadline=10)
    assert outcome.finished and outcome.errors == 0


@pytest.mark.parametrize("module", ["tutorial_style", "raw_ceiling"])
def test_sqlite_yardsticks_create_and_read_prompts(
    module: str, databases: Databases
) -> None:
    env = {"BENCH_DATABASE_URL": databases.sqlite_url(module)}
    with serve(f"bench.apps.{module}", env) as server:
        run(seed(*address(server)))  # raises unless every answer is right


def test_raw_ceiling_in_memory_creates_and_reads_prompts() -> None:
    with serve("bench.apps.raw_ceiling", {"BENCH_DATABASE_URL": "memory"}) as server:
        run(seed(*address(server)))


@pytest.fixture(scope="module")
def mysql_server() -> Iterator[MySQLServer]:
    """The configured MySQL, or a private one, found as the chapters' tests do."""
    configured = MySQLServer()
    login = Login(
        configured.host, configured.port, configured.user, configured.password
    )
    for found in session_server(login, "bench"):
        host, port, user, password = astuple(found.login)
        yield MySQLServer(host, port, user, password)


@pytest.fixture
def mysql_databases(mysql_server: MySQLServer) -> Iterator[Databases]:
    made = Databases(mysql=mysql_server)
    yield made
    made.remove_all()


@pytest.mark.parametrize("module", ["part4_async", "raw_ceiling", "tutorial_style"])
def test_mysql_apps_create_and_read_prompts(
    module: str, mysql_databases: Databases
) -> None:
    name = mysql_databases.create_mysql(module)
    env = {
        **mysql_databases.mysql_env(name),
        "BENCH_DATABASE_URL": mysql_databases.mysql_url(name),
    }
    with serve(f"bench.apps.{module}", env) as server:
        run(seed(*address(server)))


def test_throwaway_mysql_databases_are_dropped(mysql_databases: Databases) -> None:
    name = mysql_databases.create_mysql("dropped")
    mysql_databases.remove_all()
    with mysql_databases.mysql.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SHOW DATABASES LIKE %s", (name.replace("_", r"\_"),))
        assert cursor.fetchall() == ()


# --- The load generator ----------------------------------------------------------


def test_sustained_load_counts_answers_and_latencies() -> None:
    with serve("part2_crud.main", {}) as server:
        run(seed(*address(server)))
        measured = run(
            sustained_load(*address(server), request_maker("read"), 4, 0.5, 0.1)
        )
    assert measured.requests > 0 and measured.errors == 0
    assert len(measured.latencies) == measured.requests
    assert 0 < measured.percentile_ms(0.5) <= measured.percentile_ms(0.99)


def test_sustained_load_counts_unexpected_statuses_as_errors() -> None:
    with serve("part2_crud.main", {}) as server:  # empty: every read is a 404
        measured = run(
            sustained_load(*address(server), request_maker("read"), 2, 0.3, 0.0)
        )
    assert measured.errors > 0
    assert "HTTP 404" in measured.error_samples[0]


# --- The report --------------------------------------------------------------------


def cell(app: str, workload: str, connections: int, rps: float) -> dict[str, Any]:
    errors = 0 if rps else connections
    return {
        "app": app,
        "workload": workload,
        "connections": connections,
        "requests": int(rps),
        "errors": errors,
        "seconds": 1.0,
        "rps": rps,
        "p50_ms": 1.0,
        "p99_ms": 2.0,
        "error_samples": [] if rps else ["GET /prompts/1: no answer within 5 s"],
    }


SPEEDS = {
    "part3": 100.0,
    "tutorial_sqlite": 100.0,
    "ceiling_sqlite": 400.0,
    "part4": 100.0,
    "tutorial_mysql": 100.0,
    "ceiling_mysql": 300.0,
}


def speed(app: str, workload: str, connections: int) -> float:
    """Every part at par with the tutorial style, with two exceptions."""
    if (app, workload, connections) == ("tutorial_mysql", "read", 64):
        return 0.0  # the yardstick stalled
    if (app, workload) == ("part4", "write"):
        return 50.0  # half the yardstick's speed
    return SPEEDS[app]


def sample_results() -> dict[str, Any]:
    cells = [
        cell(app, workload, connections, speed(app, workload, connections))
        for app in SPEEDS
        for workload in ("read", "write")
        for connections in (1, 8, 64)
    ]
    awaited = {
        "way": "awaited",
        "label": "awaited",
        "latency_s": 0.5,
        "requests": 200,
        "answered": 200,
        "errors": 0,
        "finished": True,
        "wall_s": 0.6,
        "rps": 333.0,
    }
    return {
        "meta": {
            "date": "today",
            "mode": "full",
            "cpus": 2,
            "platform": "test",
            "python": "3",
            "seconds": 1.0,
            "rounds": 1,
            "warmup": 0.1,
        },
        "fake_model": [awaited],
        "crud": {"apps": list(SPEEDS), "skipped": [], "cells": cells},
    }


def verdicts(results: dict[str, Any]) -> dict[str, str]:
    return {t.claim: t.verdict for t in report.targets(results)}


def test_report_passes_a_part_at_par_with_the_tutorial_style() -> None:
    found = verdicts(sample_results())
    assert found[next(c for c in found if c.startswith("Part 3 reads"))] == "pass"


def test_report_misses_a_part_below_the_tutorial_style() -> None:
    found = verdicts(sample_results())
    assert found[next(c for c in found if c.startswith("Part 4 writes"))] == "**miss**"


def test_report_passes_a_part_whose_yardstick_stalled() -> None:
    found = {t.claim: t for t in report.targets(sample_results())}
    part4_reads = found[next(c for c in found if c.startswith("Part 4 reads"))]
    assert part4_reads.passed
    assert "the other stalled" in part4_reads.measured


def test_report_passes_an_awaited_burst_within_one_and_a_half_latencies() -> None:
    assert report.targets(sample_results())[0].passed


def test_report_only_redraws_tables_and_charts(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps(sample_results()))
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--report-only", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "targets missed" in done.stdout
    written = {path.name for path in tmp_path.iterdir()}
    assert {"targets.md", "crud_read.md", "crud_read.png", "fake_model.png"} <= written
    assert "Part 3" in (tmp_path / "crud_read.md").read_text()

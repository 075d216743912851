"""The scenarios: what is measured, against which servers, in which order."""

import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.serving import ROOT, ServerProcess, running_server, start_server

from .databases import Databases
from .load import Connection, LoadResult, Request, burst, run, sustained_load

# Access logs go to a file and cost every app the same; leave them out so the
# numbers show the apps, not the logging.
UVICORN = "uvicorn {module}:app --no-access-log"

# --------------------------------------------------------------------------
# Progress


class Progress:
    """One line that says where the run is and, if known, how long is left."""

    def __init__(self, steps: int, seconds_per_step: float | None = None) -> None:
        self.steps, self.seconds_per_step = steps, seconds_per_step
        self.done = 0
        self.live = sys.stdout.isatty()

    def step(self, what: str) -> None:
        self.done += 1
        line = f"[{self.done:>3}/{self.steps}] {what}"
        if self.seconds_per_step is not None:
            left = (self.steps - self.done + 1) * self.seconds_per_step
            line = f"[{self.done:>3}/{self.steps}, ~{left:3.0f} s left] {what}"
        if self.live:
            print(f"\r\033[K{line}", end="", flush=True)
        else:
            print(line, flush=True)

    def note(self, message: str) -> None:
        """Something worth reading after the run: kept on its own line."""
        if self.live:
            print("\r\033[K", end="")
        print(message, flush=True)


def stop(server: ServerProcess, name: str) -> None:
    """Stop a server, show its last words if it logged an error, tidy up."""
    server.stop()
    if "Traceback" in server.log():
        print(f"\nWARNING: {name} logged an error:\n{server.log()[-1500:]}")
    server.log_path.unlink(missing_ok=True)


def kill(server: ServerProcess) -> None:
    """Stop a server that is stuck at once, instead of waiting for it to finish."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


@contextmanager
def serve(module: str, env: dict[str, str]) -> Iterator[ServerProcess]:
    """Run `uvicorn module:app` on a free port until the block ends."""
    with running_server(UVICORN.format(module=module), env) as server:
        try:
            yield server
        finally:
            stop(server, module)


def address(server: ServerProcess) -> tuple[str, int]:
    url = urlsplit(server.base_url)
    assert url.hostname is not None and url.port is not None
    return url.hostname, url.port


# --------------------------------------------------------------------------
# Waiting on a model: 200 simultaneous requests, three ways


@dataclass(frozen=True)
class Way:
    key: str
    label: str
    path: str


FAKE_MODEL_WAYS = [
    Way("awaited", "async def + await asyncio.sleep", "/generate/awaited"),
    Way("thread_pool", "def + time.sleep (thread pool)", "/generate/thread-pool"),
    Way("blocking", "async def + time.sleep (the mistake)", "/generate/blocking"),
]


def fake_model(requests: int, latency: float, deadline: float) -> list[dict[str, Any]]:
    """Send `requests` at once to each way of waiting; each way on a fresh server."""
    progress = Progress(len(FAKE_MODEL_WAYS))
    results = []
    env = {"FAKE_LLM_LATENCY_S": str(latency)}
    for way in FAKE_MODEL_WAYS:
        progress.step(f"waiting on a model: {way.label}, {requests} requests")
        with serve("bench.apps.fake_model", env) as server:
            request = Request("POST", way.path, b"{}", expected_status=200)
            outcome = run(burst(*address(server), request, requests, deadline))
            if not outcome.finished:
                kill(server)  # the blocked loop would take minutes to drain
        results.append(
            {
                "way": way.key,
                "label": way.label,
                "latency_s": latency,
                "requests": outcome.requests,
                "answered": outcome.answered,
                "errors": outcome.errors,
                "finished": outcome.finished,
                "wall_s": outcome.wall_seconds,
                "rps": outcome.rps,
            }
        )
    progress.note("waiting on a model: done")
    return results


# --------------------------------------------------------------------------
# Reading and writing prompts


@dataclass(frozen=True)
class App:
    key: str
    label: str
    role: str  # "part", "baseline", "ceiling", "async twin" or "mistake"
    store: str  # "memory", "sqlite" or "mysql"
    module: str

    def available(self) -> bool:
        return (ROOT / Path(*self.module.split("."))).with_suffix(".py").exists()


CEILING, TUTORIAL = "bench.apps.raw_ceiling", "bench.apps.tutorial_style"
APPS = [
    App("part2", "Part 2", "part", "memory", "part2_crud.main"),
    App("ceiling_memory", "raw Starlette", "ceiling", "memory", CEILING),
    App("part3", "Part 3", "part", "sqlite", "part3_sqlite.main"),
    App("tutorial_sqlite", "tutorial style", "baseline", "sqlite", TUTORIAL),
    App("ceiling_sqlite", "raw Starlette", "ceiling", "sqlite", CEILING),
    App("part4", "Part 4", "part", "mysql", "part4_mysql.main"),
    App(
        "part4_async", "Part 4, async", "async twin", "mysql", "bench.apps.part4_async"
    ),
    App("tutorial_mysql", "tutorial style", "baseline", "mysql", TUTORIAL),
    App("ceiling_mysql", "raw Starlette", "ceiling", "mysql", CEILING),
]

# The mistake of creating an engine per request, beside the app it spoils.
ENGINE_PER_REQUEST = "bench.apps.engine_per_request"
MISTAKES = [
    App("tutorial_sqlite", "tutorial style", "baseline", "sqlite", TUTORIAL),
    App("engine_sqlite", "engine per request", "mistake", "sqlite", ENGINE_PER_REQUEST),
    App("tutorial_mysql", "tutorial style", "baseline", "mysql", TUTORIAL),
    App("engine_mysql", "engine per request", "mistake", "mysql", ENGINE_PER_REQUEST),
]
MISTAKE_CELLS = [("read", 8)]

STORES = {"memory": "in memory", "sqlite": "SQLite", "mysql": "MySQL"}
WORKLOADS = ["read", "write"]
CONNECTIONS = [1, 8, 64]
SEED_PROMPTS = 100
TEMPLATE = (
    "You are a careful assistant. Summarise the following {document} for "
    "{audience} in at most {words} words, keeping every number exact."
)


def app_env(app: App, databases: Databases) -> dict[str, str]:
    """How each app is pointed at its own, empty database."""
    if app.store == "memory":
        return {"BENCH_DATABASE_URL": "memory"}
    if app.store == "sqlite":
        url = databases.sqlite_url(app.key)
        return {"DATABASE_URL": url, "BENCH_DATABASE_URL": url}
    name = databases.create_mysql(app.key)
    return {
        **databases.mysql_env(name),
        "BENCH_DATABASE_URL": databases.mysql_url(name),
    }


def prompt_body(name: str) -> bytes:
    return json.dumps(
        {"name": name, "template": TEMPLATE, "model": "gpt-4o-mini", "temperature": 0.2}
    ).encode()


# Names must be unique, so every write in the whole run gets a new number.
write_numbers = itertools.count()


def request_maker(workload: str) -> Callable[[], Request]:
    if workload == "read":
        ids = range(1, SEED_PROMPTS + 1)
        return lambda: Request("GET", f"/prompts/{random.choice(ids)}")
    return lambda: Request(
        "POST",
        "/prompts",
        prompt_body(f"written {next(write_numbers)}"),
        expected_status=201,
    )


async def seed(host: str, port: int) -> None:
    """Create the prompts the read workload asks for (ids 1 to SEED_PROMPTS)."""
    connection = Connection(host, port)
    last_seeded = Request("GET", f"/prompts/{SEED_PROMPTS}")
    try:
        if await connection.send(last_seeded) == 200:
            return  # a restarted server on a database seeded before
        for number in range(1, SEED_PROMPTS + 1):
            request = Request("POST", "/prompts", prompt_body(f"seed {number}"))
            if (status := await connection.send(request)) != 201:
                raise RuntimeError(f"seeding failed: POST /prompts answered {status}")
        if (status := await connection.send(last_seeded)) != 200:
            raise RuntimeError(f"seeded prompts are not ids 1..{SEED_PROMPTS}")
    finally:
        await connection.close()


SEED_TIMEOUT_S = 60
# What starting and seeding a server can raise when the app is broken.
STARTUP_FAILURES = (RuntimeError, TimeoutError, asyncio.TimeoutError, OSError)


class Fleet:
    """The servers under test, one per app, each on a database of its own."""

    def __init__(self, apps: list[App], databases: Databases) -> None:
        self.apps = {app.key: app for app in apps}
        self.envs = {app.key: app_env(app, databases) for app in apps}
        self.servers: dict[str, ServerProcess] = {}

    def start(self, key: str) -> None:
        server = start_server(
            UVICORN.format(module=self.apps[key].module), self.envs[key]
        )
        try:
            server.wait_until_up()
            run(asyncio.wait_for(seed(*address(server)), SEED_TIMEOUT_S))
        except STARTUP_FAILURES:
            server.stop()
            server.log_path.unlink(missing_ok=True)
            raise
        self.servers[key] = server

    def address(self, key: str) -> tuple[str, int]:
        return address(self.servers[key])

    def restart(self, key: str) -> None:
        """Replace a server that stopped answering; its database is kept.

        A deadlocked app never recovers on its own within a benchmark's time,
        and it would spoil the next measurement; so it is killed outright.
        """
        server = self.servers.pop(key)
        kill(server)
        server.log_path.unlink(missing_ok=True)
        self.start(key)

    def stop_all(self) -> None:
        for key, server in self.servers.items():
            stop(server, key)
        self.servers.clear()


def crud(
    apps: list[App],
    databases: Databases,
    seconds: float,
    rounds: int,
    warmup: float,
    cells: list[tuple[str, int]] | None = None,
    title: str = "reading and writing prompts",
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Measure every app at each workload and concurrency, interleaved.

    Within one cell (a workload at a concurrency) the apps run one after the
    other, in reverse order on every second round, so a noisy minute on a
    shared machine hurts them all alike instead of one of them. By default
    every workload runs at every concurrency. Returns the measurements, and
    the apps that would not start, with the reason.
    """
    if cells is None:
        cells = [(w, c) for w in WORKLOADS for c in CONNECTIONS]
    per_step = warmup + seconds
    progress = Progress(len(cells) * rounds * len(apps), per_step)
    results = []
    apps = list(apps)  # the caller's list stays as it was
    failed: list[dict[str, str]] = []
    fleet = Fleet(apps, databases)
    try:
        for app in list(apps):
            try:
                fleet.start(app.key)
            except STARTUP_FAILURES as error:
                # One broken app must not cost the whole run: report it, go on.
                last_line = str(error).strip().splitlines()[-1]
                progress.note(
                    f"{app.label} ({STORES[app.store]}) did not start: {last_line}"
                )
                failed.append(
                    {
                        "key": app.key,
                        "label": f"{app.label} ({STORES[app.store]})",
                        "reason": f"did not start: {last_line}",
                    }
                )
                apps.remove(app)
        for workload, connections in cells:
            totals = {app.key: LoadResult() for app in apps}
            for round_number in range(rounds):
                order = apps if round_number % 2 == 0 else apps[::-1]
                for app in order:
                    if app.key not in fleet.servers:
                        continue  # it stalled and would not start again
                    progress.step(
                        f"{title}: {workload}s, {connections:>2} "
                        f"connection{'' if connections == 1 else 's'}, "
                        f"{app.label} ({STORES[app.store]})"
                    )
                    load = sustained_load(
                        *fleet.address(app.key),
                        request_maker(workload),
                        connections,
                        seconds,
                        warmup,
                    )
                    measured = run(load)
                    totals[app.key].merge(measured)
                    if measured.errors:
                        progress.note(
                            f"{app.label} ({STORES[app.store]}): {measured.errors} "
                            f"errors, e.g. {measured.error_samples[0]}; restarting it"
                        )
                        try:
                            fleet.restart(app.key)
                        except STARTUP_FAILURES as error:
                            progress.note(f"{app.label} did not start again: {error}")
            for app in apps:
                total = totals[app.key]
                results.append(
                    {
                        "app": app.key,
                        "workload": workload,
                        "connections": connections,
                        "requests": total.requests,
                        "errors": total.errors,
                        "seconds": total.seconds,
                        "rps": total.rps,
                        "p50_ms": total.percentile_ms(0.50),
                        "p99_ms": total.percentile_ms(0.99),
                        "error_samples": total.error_samples,
                    }
                )
    finally:
        fleet.stop_all()
    progress.note(f"{title}: done")
    return results, failed

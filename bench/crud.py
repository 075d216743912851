"""Questions 2 and 3: how fast are Parts 2-4 next to FastAPI's SQL tutorial
style, and should Part 4 use an async driver? Closed-loop reads and writes at
1, 8 and 64 connections; in each cell the apps take turns, in reverse order
every second round, so that a busy moment slows them all alike."""

import itertools
import json
import os
import random
import signal
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import uvloop

from tests.serving import ServerProcess, start_server

from .common import UVICORN, MySQL, address, percentile, target, write
from .http_load import Connection, Load, Request, closed_loop

APPS = {  # key: label, store, module
    "part2": ("Part 2", "memory", "part2_crud.main"),
    "part3": ("Part 3", "SQLite", "part3_sqlite.main"),
    "tutorial_sqlite": ("tutorial style", "SQLite", "bench.apps.tutorial_style"),
    "part4": ("Part 4", "MySQL", "part4_mysql.main"),
    "part4_async": ("Part 4, async twin", "MySQL", "bench.apps.part4_async"),
    "tutorial_mysql": ("tutorial style", "MySQL", "bench.apps.tutorial_style"),
}
PAIRS = [("part3", "tutorial_sqlite"), ("part4", "tutorial_mysql")]
WORKLOADS, CONNECTIONS, SEEDED, SHARE = ["read", "write"], [1, 8, 64], 100, 0.95
TEMPLATE = "Summarise the following {document} for {audience} in {words} words."
numbers = itertools.count()  # every write of the run gets a name of its own


def label(key: str) -> str:
    return f"{APPS[key][0]} ({APPS[key][1]})"


def prompt(name: str) -> bytes:
    return json.dumps({"name": name, "template": TEMPLATE}).encode()


def next_request(workload: str) -> Request:
    if workload == "read":
        return Request("GET", f"/prompts/{random.randint(1, SEEDED)}")
    return Request("POST", "/prompts", prompt(f"written {next(numbers)}"), 201)


async def seed(address: tuple[str, int]) -> None:
    """Prompts 1 to SEEDED, which the reads ask for."""
    connection = Connection(*address)
    for n in range(1, SEEDED + 1):
        if await connection.send(Request("POST", "/prompts", prompt(f"{n}"))) != 201:
            raise RuntimeError(f"seeding failed at prompt {n}")
    await connection.close()


def start(key: str, env: dict[str, str]) -> ServerProcess:
    server = start_server(UVICORN.format(module=APPS[key][2]), env)
    server.wait_until_up()
    return server


def measure(db: MySQL, seconds: float, warmup: float, rounds: int) -> dict[str, Any]:
    folder = tempfile.mkdtemp(prefix="bench-sqlite-")
    envs = {
        key: db.create(key) if store == "MySQL" else {}
        for key, (_, store, _) in APPS.items()
    }
    for key in ("part3", "tutorial_sqlite"):
        envs[key] = dict.fromkeys(
            ["DATABASE_URL", "BENCH_DATABASE_URL"], f"sqlite:///{folder}/{key}.db"
        )
    servers: dict[str, ServerProcess] = {}
    cells: dict[str, Any] = {}
    with ExitStack() as stack:
        stack.callback(lambda: list(map(ServerProcess.stop, servers.values())))
        for key in APPS:
            servers[key] = start(key, envs[key])
            uvloop.run(seed(address(servers[key])))
        for workload, connections in itertools.product(WORKLOADS, CONNECTIONS):
            found = {key: Load() for key in APPS}
            for number in range(rounds):
                for key in list(APPS)[:: -1 if number % 2 else 1]:
                    print(f"{workload}s, {connections} conn.: {label(key)}", flush=True)
                    asked = lambda w=workload: next_request(w)  # noqa: E731
                    load = uvloop.run(
                        closed_loop(
                            address(servers[key]), asked, connections, seconds, warmup
                        )
                    )
                    found[key].latencies += load.latencies
                    found[key].errors += load.errors
                    if load.errors:  # stalled: it would spoil the next cell
                        os.killpg(servers[key].process.pid, signal.SIGKILL)
                        servers[key].process.wait()
                        servers[key] = start(key, envs[key])
            for key, load in found.items():
                cells[f"{key} {workload} {connections}"] = {
                    "rps": len(load.latencies) / (seconds * rounds),
                    "p99_ms": percentile(load.latencies, 0.99) * 1000,
                    "errors": len(load.errors),
                    "error": (load.errors or [""])[0],
                }
    return {"cells": cells}


def cell(results: dict[str, Any], app: str, workload: str, connections: int) -> Any:
    return results["cells"][f"{app} {workload} {connections}"]


def ratios(results: dict[str, Any], app: str, other: str, workload: str) -> list[float]:
    """`app`'s requests per second ÷ `other`'s, at each concurrency."""
    pairs = [
        tuple(cell(results, a, workload, c)["rps"] for a in (app, other))
        for c in CONNECTIONS
    ]
    return [mine / theirs if theirs else float("inf") for mine, theirs in pairs]


def times(values: list[float]) -> str:
    return " / ".join(
        "∞ (stalled)" if v == float("inf") else f"{v:.2f}x" for v in values
    )


def report(results: dict[str, Any], out: Path) -> list[str]:
    head = " | ".join(["app", *(f"{c} conn.: req/s (p99 ms)" for c in CONNECTIONS)])
    for w in WORKLOADS:
        rows = []
        for key in APPS:
            found = [cell(results, key, w, c) for c in CONNECTIONS]
            speeds = [f"{c['rps']:.0f} ({c['p99_ms']:.1f})" for c in found]
            errors = sum(c["errors"] for c in found)
            rows.append(" | ".join([label(key), *speeds, str(errors)]))
        write(out / f"crud_{w}.md", head + " | errors", rows)
    head = "req/s ratio | workload | at 1 / 8 / 64 conn."
    for name, pairs in (
        ("crud_ratios", PAIRS),
        ("sync_async", [("part4_async", "part4")]),
    ):
        rows = [f"{label(a)} ÷ {label(b)} | {w}s | {times(ratios(results, a, b, w))}"
                for a, b in pairs for w in WORKLOADS]  # fmt: skip
        write(out / f"{name}.md", head, rows)
    found = []
    for part, other in PAIRS:
        for w in WORKLOADS:
            shares = ratios(results, part, other, w)
            claim = f"{label(part)} {w}s: at least {SHARE}x the tutorial style's"
            found.append(target(claim, times(shares), min(shares) >= SHARE))
    failed = [f"{k}: {c['error']}" for k, c in results["cells"].items() if c["errors"]]
    note = f"{len(failed)} cells with errors, as {failed[0]}" if failed else "none"
    parts = not any(f.startswith("part") for f in failed)
    return [*found, target("the parts: no errors in any run", note, parts)]

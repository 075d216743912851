"""Part 5's scenarios: streamed tokens through one worker, four ways.

Every process is real and on this machine: the fake provider, each app under
a real uvicorn with one worker, and the load client (this process). The
four apps answer the same request on the same path, so one client drives
them all:

- Part 5 itself, on a throwaway MySQL database;
- the naive version many tutorials show (`bench/apps/naive_stream.py`);
- a bare relay, the ceiling (`bench/apps/bare_relay.py`);
- the same relay writing its events with `fastapi.sse`, the ceiling for any
  app that must (`bench/apps/sse_relay.py`).
"""

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.serving import ROOT, ServerProcess, running_server

from . import stacks
from .databases import Databases
from .load import run
from .scenarios import UVICORN, address, stop
from .streams import Burst, app_event, burst, median, percentile, provider_event

# The streams the issue asks about: 40 tokens at 20 per second, two seconds.
TOKENS, TOKEN_RATE = 40, 20.0
# The limits a count of streams must stay within to count as served.
WALL_LIMIT = 1.2  # times one stream's own wall time
GAP_LIMIT_MS = 100.0  # 99th percentile of the gaps between tokens
STEPS = [25, 50, 100, 150, 200, 250, 300, 400, 500, 600, 800]
HOLD_STREAMS = 500
TEMPLATE = "Write a short story about {topic}."
BODY = json.dumps({"variables": {"topic": "a lighthouse keeper"}}).encode()

PROVIDER = "part5_llm.fake_provider"


@dataclass(frozen=True)
class StreamApp:
    key: str
    label: str
    role: str  # "part", "baseline", "ceiling" or "bound"
    module: str
    needs_mysql: bool = False

    def available(self) -> bool:
        return (ROOT / Path(*self.module.split("."))).with_suffix(".py").exists()


APPS = [
    StreamApp("part5", "Part 5", "part", "part5_llm.main", needs_mysql=True),
    StreamApp(
        "naive", "naive (def + sync client)", "baseline", "bench.apps.naive_stream"
    ),
    StreamApp("relay", "bare relay", "ceiling", "bench.apps.bare_relay"),
    StreamApp("sse_relay", "relay via fastapi.sse", "bound", "bench.apps.sse_relay"),
]


# --------------------------------------------------------------------------
# Processes and their CPU time


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def settle(pid: int, timeout: float = 10.0) -> None:
    """Wait until a process has gone quiet (under 5 % of a core for 0.3 s).

    A stream that ended on the client may still be finishing in the app (its
    run being recorded, its provider connection closed): the next measurement
    should not pay for it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.3)
        if cpu_seconds(pid) - before < 0.015:
            return


def provider_env(tokens: int, rate: float, latency: float = 0.0) -> dict[str, str]:
    return {
        "FAKE_LLM_TOKENS": str(tokens),
        "FAKE_LLM_TOKENS_PER_S": str(rate),
        "FAKE_LLM_LATENCY_S": str(latency),
    }


@contextmanager
def provider(tokens: int = TOKENS, rate: float = TOKEN_RATE) -> Iterator[ServerProcess]:
    # uvicorn closes a connection after 5 idle seconds, the moment an HTTP
    # client's pool may pick it for its next request: a race that a real
    # provider, keeping connections far longer, does not run.
    command = UVICORN.format(module=PROVIDER) + " --timeout-keep-alive 60"
    with running_server(command, provider_env(tokens, rate)) as server:
        try:
            yield server
        finally:
            stop(server, "the fake provider")


def create_prompt(server: ServerProcess) -> int:
    """Store the prompt that Part 5 renders; return its id."""
    prompt = {"name": "bench story", "template": TEMPLATE, "model": "gpt-4o-mini"}
    answer = httpx.post(f"{server.base_url}/prompts", json=prompt, timeout=10)
    if answer.status_code != 201:
        raise RuntimeError(f"could not create the prompt: {answer.text}")
    return int(answer.json()["id"])


@dataclass
class Served:
    """An app under test, started and pointed at a provider."""

    app: StreamApp
    server: ServerProcess
    path: str

    @property
    def pid(self) -> int:
        return self.server.process.pid

    def host_port(self) -> tuple[str, int]:
        return address(self.server)


@contextmanager
def serve(
    app: StreamApp,
    provider_url: str,
    databases: Databases | None = None,
    database: str | None = None,
) -> Iterator[Served]:
    """Run `app` pointed at the provider, on a database of its own if it needs one."""
    env = {"LLM_BASE_URL": provider_url + "/v1", "LLM_API_KEY": "bench-key"}
    if app.needs_mysql:
        assert databases is not None, f"{app.label} needs a database"
        env |= databases.mysql_env(databases.create_mysql(database or app.key))
    with running_server(UVICORN.format(module=app.module), env) as server:
        try:
            prompt_id = create_prompt(server) if app.needs_mysql else 1
            yield Served(app, server, f"/prompts/{prompt_id}/generate/stream")
        finally:
            stop(server, app.module)


# --------------------------------------------------------------------------
# One measurement


def measure(
    served: Served,
    provider_pid: int,
    count: int,
    deadline: float,
    on_start: Callable[[], None] = lambda: None,
) -> tuple[Burst, dict[str, float]]:
    """One burst of `count` streams, with the CPU each process spent on it.

    `on_start` runs once the app is quiet, just before the streams start.
    """
    settle(served.pid)
    on_start()
    before = (cpu_seconds(served.pid), cpu_seconds(provider_pid), own_cpu_seconds())
    outcome = run(burst(*served.host_port(), served.path, BODY, count, deadline))
    settle(served.pid)
    after = (cpu_seconds(served.pid), cpu_seconds(provider_pid), own_cpu_seconds())
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return outcome, dict(zip(("app", "provider", "client"), spent, strict=True))


def one_stream_s(served: Served, provider_pid: int) -> float:
    """One stream's wall time alone: the yardstick for a burst's."""
    walls = [measure(served, provider_pid, 1, 30)[0].wall_s for _ in range(3)]
    return median(walls)


def summary(outcome: Burst, cpu: dict[str, float], alone_s: float) -> dict[str, Any]:
    ratio = outcome.wall_s / alone_s
    p99 = outcome.gap_ms(0.99)
    complete = outcome.completed == outcome.count
    return {
        "count": outcome.count,
        "completed": outcome.completed,
        "tokens": outcome.tokens,
        "wall_s": outcome.wall_s,
        "wall_ratio": ratio,
        "gap_p50_ms": outcome.gap_ms(0.50),
        "gap_p99_ms": p99,
        "gap_max_ms": outcome.gap_ms(1.0),
        "first_token_p50_ms": percentile(outcome.first_token_ms(), 0.5),
        "cpu_s": cpu,
        "stopped": outcome.stopped,
        "errors": outcome.errors()[:3],
        "served": complete and ratio <= WALL_LIMIT and p99 <= GAP_LIMIT_MS,
    }


# --------------------------------------------------------------------------
# Capacity


class Search:
    """Steps the count of streams up until one fails, then bisects."""

    def __init__(self, steps: list[int]) -> None:
        self.steps = list(steps)
        self.best = 0  # the most streams served so far
        self.worst: int | None = None  # the fewest streams not served

    def next_count(self) -> int | None:
        if self.worst is None:
            return next((s for s in self.steps if s > self.best), None)
        if self.worst - self.best <= max(2, self.worst // 20):
            return None  # within 5 %: close enough
        return (self.best + self.worst) // 2

    def record(self, count: int, served: bool) -> None:
        if served:
            self.best = max(self.best, count)
        else:
            self.worst = count if self.worst is None else min(self.worst, count)

    @property
    def capped(self) -> bool:
        """Served the largest step: the true capacity lies beyond the search."""
        return self.worst is None and self.best == self.steps[-1]


def capacity(
    served: list[Served],
    provider_pid: int,
    rounds: int,
    steps: list[int],
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Search each app's capacity, the apps taking turns at every step.

    Taking turns means a busy moment on a shared machine hurts each app
    alike, instead of all of one app's search.
    """
    alone = {s.app.key: one_stream_s(s, provider_pid) for s in served}
    found: dict[str, Any] = {
        s.app.key: {"one_stream_s": alone[s.app.key], "rounds": []} for s in served
    }
    for round_number in range(rounds):
        searches = {s.app.key: Search(steps) for s in served}
        measured: dict[str, list[dict[str, Any]]] = {s.app.key: [] for s in served}
        order = served if round_number % 2 == 0 else served[::-1]
        while True:
            asked = [(s, searches[s.app.key].next_count()) for s in order]
            turn = [(s, count) for s, count in asked if count is not None]
            if not turn:
                break
            for s, count in turn:
                progress(f"capacity, round {round_number + 1}: {s.app.label}, {count}")
                deadline = 4 * alone[s.app.key] + 5
                outcome, cpu = measure(s, provider_pid, count, deadline)
                result = summary(outcome, cpu, alone[s.app.key])
                searches[s.app.key].record(count, result["served"])
                measured[s.app.key].append(result)
        for s in served:
            search = searches[s.app.key]
            found[s.app.key]["rounds"].append(
                {
                    "capacity": search.best,
                    "capped": search.capped,
                    "steps": measured[s.app.key],
                }
            )
    return found


# --------------------------------------------------------------------------
# Time to first token


def first_token_ms(host: str, port: int, path: str, body: bytes, direct: bool) -> float:
    classify = provider_event if direct else app_event
    outcome = run(burst(host, port, path, body, 1, 10, classify))
    if not outcome.completed or outcome.streams[0].first_token_s is None:
        raise RuntimeError(f"a single stream failed: {outcome.errors()}")
    return outcome.streams[0].first_token_s * 1000


PROVIDER_BODY = json.dumps(
    {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": "Write a short story about a cat."}],
        "stream": True,
    }
).encode()


def time_to_first_token(
    served: list[Served], provider_server: ServerProcess, samples: int
) -> dict[str, Any]:
    """Single streams, one at a time: straight to the provider, then each app.

    The provider streams only a few tokens here, quickly, so that many
    samples take little time; what happens before the first token does not
    depend on how many follow.
    """
    direct: list[float] = []
    through: dict[str, list[float]] = {s.app.key: [] for s in served}
    for s in served:  # a first request warms each app's connections up
        first_token_ms(*s.host_port(), s.path, BODY, direct=False)
    for _ in range(samples):
        direct.append(
            first_token_ms(
                *address(provider_server), "/v1/chat/completions", PROVIDER_BODY, True
            )
        )
        for s in served:
            through[s.app.key].append(
                first_token_ms(*s.host_port(), s.path, BODY, direct=False)
            )
    return {
        "samples": samples,
        "direct_ms": direct,
        "apps": {key: times for key, times in through.items()},
    }


# --------------------------------------------------------------------------
# Holding many streams


def hold(served: Served, provider_pid: int, count: int, alone: float) -> dict[str, Any]:
    """`count` streams at once, however long they take (up to two minutes)."""
    outcome, cpu = measure(served, provider_pid, count, deadline=120)
    return {"app": served.app.key, **summary(outcome, cpu, alone)}


# --------------------------------------------------------------------------
# Where the CPU goes

SDK_APP = StreamApp(
    "sdk", "openai SDK + fastapi.sse", "variant", "bench.apps.sdk_stream"
)
# The two ways of reading a stream with the SDK, and the relay as the floor.
READING_WAYS = [
    ("objects", "SDK chunks as objects (as Part 5 reads them)", "/objects/stream"),
    ("lines", "SDK raw lines, parsed with json.loads", "/lines/stream"),
]


def reading_costs(
    relay: Served | None, provider_url: str, provider_pid: int, count: int, repeats: int
) -> list[dict[str, Any]]:
    """App CPU per token for each way of reading, the ways taking turns."""
    per_token: dict[str, list[float]] = {key: [] for key, _, _ in READING_WAYS}
    with serve(SDK_APP, provider_url) as sdk:
        ways = [
            (key, Served(SDK_APP, sdk.server, path)) for key, _, path in READING_WAYS
        ]
        if relay is not None:
            per_token["relay"] = []
            ways.append(("relay", relay))
        for _key, served in ways:  # warm each up: connections, first imports
            measure(served, provider_pid, count, 30)
        for _ in range(repeats):
            for key, served in ways:
                outcome, cpu = measure(served, provider_pid, count, 30)
                if outcome.tokens:
                    per_token[key].append(cpu["app"] * 1e6 / outcome.tokens)
    labels = {key: label for key, label, _ in READING_WAYS} | {"relay": "bare relay"}
    return [
        {"way": key, "label": labels[key], "count": count, "us_per_token": values}
        for key, values in per_token.items()
    ]


def profile(
    served: Served, provider_pid: int, count: int, deadline: float
) -> tuple[stacks.Profile, Burst, dict[str, float]] | None:
    """Sample the app's stacks with py-spy while `count` streams run.

    py-spy reads the process's memory from outside, 250 times a second. It
    pauses the app for each sample, so that the stack it reads is whole, and
    reads the C frames too (`--native`): that is where the time of the
    garbage collector, and of the threads that only wait, shows as what it is.
    """
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        return None
    folder = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    out = folder / "stacks.txt"
    command = [str(spy), "record", "--pid", str(served.pid), "--rate", "250"]
    command += ["--format", "raw", "--native", "--gil", "--output", str(out)]
    sampler: subprocess.Popen[bytes] | None = None

    def start_sampling() -> None:
        nonlocal sampler
        sampler = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(0.5)  # time for py-spy to attach

    try:
        outcome, cpu = measure(served, provider_pid, count, deadline, start_sampling)
        assert sampler is not None
        sampler.send_signal(signal.SIGINT)  # py-spy writes what it has, then exits
        sampler.wait(timeout=30)
        if not out.exists():
            return None
        return stacks.read(out.read_text()), outcome, cpu
    finally:
        if sampler is not None and sampler.poll() is None:
            sampler.kill()
            sampler.wait()
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------
# The whole section


@dataclass(frozen=True)
class Settings:
    tokens: int  # per stream, at TOKEN_RATE
    rounds: int
    steps: list[int]
    first_token_samples: int
    hold_streams: int
    profile_streams: int


FULL = Settings(
    tokens=TOKENS,
    rounds=2,
    steps=STEPS,
    first_token_samples=30,
    hold_streams=HOLD_STREAMS,
    profile_streams=25,
)
# Short streams, few steps: to try the bench out, not to publish.
QUICK = Settings(
    tokens=10,
    rounds=1,
    steps=[5, 10, 20],
    first_token_samples=5,
    hold_streams=50,
    profile_streams=10,
)


def progress(what: str) -> None:
    # How many steps the capacity search takes is not known in advance.
    print(f"[Part 5] {what}", flush=True)


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def usable(databases: Databases) -> tuple[list[StreamApp], list[dict[str, str]]]:
    """The apps that can run here, and why the others cannot."""
    apps, skipped = [], []
    mysql_missing = databases.mysql.unavailable_reason()
    for app in APPS:
        if not app.available():
            skipped.append({"label": app.label, "reason": f"{app.module} not found"})
        elif app.needs_mysql and mysql_missing:
            skipped.append({"label": app.label, "reason": mysql_missing})
        else:
            apps.append(app)
    return apps, skipped


def streaming(databases: Databases, settings: Settings) -> dict[str, Any]:
    """Measure everything Part 5's section of the chapter shows."""
    apps, skipped = usable(databases)
    results: dict[str, Any] = {
        "meta": {
            "load_average_before": load_average(),
            "tokens": settings.tokens,
            "token_rate": TOKEN_RATE,
            "rounds": settings.rounds,
            "wall_limit": WALL_LIMIT,
            "gap_limit_ms": GAP_LIMIT_MS,
        },
        "apps": [app.key for app in apps],
        "skipped": skipped,
    }
    for skip in skipped:
        print(f"skipping {skip['label']}: {skip['reason']}")
    step = progress
    with ExitStack() as running:
        model = running.enter_context(provider(settings.tokens))
        served = [
            running.enter_context(serve(app, model.base_url, databases)) for app in apps
        ]
        model_pid = model.process.pid
        results["capacity"] = capacity(
            served, model_pid, settings.rounds, settings.steps, step
        )
        by_key = {s.app.key: s for s in served}
        holders = [by_key[k] for k in ("part5", "relay") if k in by_key]
        results["holding"] = []
        for holder in holders:
            step(f"holding {settings.hold_streams} streams: {holder.app.label}")
            alone = results["capacity"][holder.app.key]["one_stream_s"]
            results["holding"].append(
                hold(holder, model_pid, settings.hold_streams, alone)
            )
        step(f"reading a stream with the SDK: {settings.profile_streams} streams")
        results["reading"] = reading_costs(
            by_key.get("relay"), model.base_url, model_pid, settings.profile_streams, 3
        )
        if "part5" in by_key:
            step(f"profile of Part 5 under {settings.profile_streams} streams")
            results["profile"] = profile_summary(
                by_key["part5"],
                model_pid,
                settings.profile_streams,
                deadline=60,
            )
    with ExitStack() as running:
        # Short streams: time to first token needs many samples, not long ones.
        quick_model = running.enter_context(provider(tokens=3, rate=200.0))
        served = [
            running.enter_context(
                serve(app, quick_model.base_url, databases, database=f"{app.key}_ttft")
            )
            for app in apps
        ]
        step("time to first token")
        results["first_token"] = time_to_first_token(
            served, quick_model, settings.first_token_samples
        )
    results["meta"]["load_average_after"] = load_average()
    progress("done")
    return results


def profile_summary(
    served: Served, provider_pid: int, count: int, deadline: float
) -> dict[str, Any]:
    """Where the app's CPU goes while `count` streams run, by layer."""
    found = profile(served, provider_pid, count, deadline)
    if found is None:
        return {"skipped": "py-spy is not installed (pip install py-spy)"}
    stacks_read, outcome, cpu = found
    return {
        "app": served.app.key,
        "count": count,
        "samples": stacks_read.samples,
        "tokens": outcome.tokens,
        "cpu_s": cpu,
        "layers": stacks_read.share(stacks_read.layers),
        "functions": stacks_read.share(stacks_read.functions)[:10],
    }

"""Question 4: how many streamed answers does Part 5 relay, beside three
yardsticks, when the model answers at once (a), when it thinks 5 s first (b),
and when users arrive spread out over time (c)? Real processes all: the fake
provider (part5_llm/fake_provider.py), each app under uvicorn with one worker,
and this client. The four apps answer the same path and body."""

import asyncio
import json
import os
import statistics
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvloop

from .common import MySQL, address, percentile, serve, settle, target, write
from .sse_load import DONE, TOKEN, Stream, burst, event_kind, open_loop

APPS = {  # key: label, module
    "part5": ("Part 5", "part5_llm.main"),
    "naive": ("naive (def + sync client)", "bench.apps.naive_stream"),
    "relay": ("bare relay", "bench.apps.bare_relay"),
    "sse_relay": ("relay via fastapi.sse", "bench.apps.sse_relay"),
}
LABELS = {key: label for key, (label, _) in APPS.items()}
WORKLOADS = ["a", "b", "c"]
TOKENS = 40  # at the provider's 20 a second: a short answer
WALL_LIMIT, GAP_LIMIT_MS, FIRST_TOKEN_LIMIT_S = 1.2, 100.0, 1.0
PATH = "/prompts/1/generate/stream"
BODY = json.dumps({"variables": {"topic": "a lighthouse keeper"}}).encode()
ASKED = [{"role": "user", "content": "Write about a cat."}]
PROVIDER_BODY = json.dumps({"model": "m", "stream": True, "messages": ASKED}).encode()


@dataclass(frozen=True)
class Plan:
    steps: dict[str, list[int]]  # per workload: streams, or new streams a second
    open_seconds: float  # how long (c) keeps starting streams
    thinking_s: float  # (b)'s wait for the first token
    tokens: int
    hold: int  # streams at once that Part 5 must hold
    samples: int  # first tokens, one stream at a time


STEPS = {"a": [25, 50, 100, 150, 200, 300], "b": [20, 40, 80, 120, 160, 240]}
FULL = Plan(STEPS | {"c": [10, 20, 40, 60, 80, 120]}, 5.0, 5.0, TOKENS, 500, 30)
QUICK = Plan({w: [5, 10] for w in WORKLOADS}, 2.0, 1.0, 10, 50, 5)


@dataclass
class App:
    key: str
    pid: int
    address: tuple[str, int]
    path: str


@contextmanager
def running(db: MySQL, latency: float, tokens: int) -> Iterator[tuple[list[App], Any]]:
    """The fake provider with this latency, and every app pointed at it."""
    env = {"FAKE_LLM_LATENCY_S": str(latency), "FAKE_LLM_TOKENS": str(tokens)}
    with ExitStack() as stack:
        keep = "--timeout-keep-alive 60"  # 60 s, not 5: no client gets one closing
        model = stack.enter_context(serve("part5_llm.fake_provider", env, keep))
        apps = []
        for key, (_, module) in APPS.items():
            env = {"LLM_BASE_URL": model.base_url + "/v1", "LLM_API_KEY": "bench"}
            env |= db.create(f"{key}_{len(db.names)}") if key == "part5" else {}
            server = stack.enter_context(serve(module, env))
            prompt = {"name": "bench", "template": "Write about {topic}."}
            if key == "part5":
                httpx.post(f"{server.base_url}/prompts", json=prompt).raise_for_status()
            apps.append(App(key, server.process.pid, address(server), PATH))
        yield apps, model


def alone(apps: list[App]) -> dict[str, dict[str, float]]:
    """One stream per app, the apps at once (four streams are no load), three
    times: the median of the last two is each app's yardstick."""

    async def once() -> list[list[Stream]]:
        return await asyncio.gather(
            *(burst(a.address, a.path, BODY, 1, 60) for a in apps)
        )

    rounds = [uvloop.run(once()) for _ in range(3)][1:]  # the first warms up
    found = {}
    for number, app in enumerate(apps):
        streams = [got[number][0] for got in rounds]
        assert all(s.complete for s in streams), f"{app.key}: {streams[0].error}"
        found[app.key] = {
            "wall_s": statistics.median(s.duration_s for s in streams),
            "first_token_s": statistics.median(s.first_token_s or 0 for s in streams),
        }
    return found


def verdict(streams: list[Stream], alone: dict[str, float], spread: bool) -> Any:
    """Served: every stream completes; the wall time (spread out: 99 streams'
    in 100) within WALL_LIMIT times one stream's alone; 99 gaps in 100 within
    GAP_LIMIT_MS; 99 first tokens in 100 within FIRST_TOKEN_LIMIT_S of alone."""
    if spread:
        wall = percentile([s.duration_s for s in streams], 0.99)
    else:
        ends = [s.done_at or (s.tokens or [s.sent_at])[-1] for s in streams]
        wall = max(ends) - min(s.sent_at for s in streams)
    gaps = [gap for s in streams for gap in s.gaps()]
    firsts = [s.first_token_s for s in streams if s.first_token_s is not None]
    found: dict[str, Any] = {
        "count": len(streams),
        "completed": sum(s.complete for s in streams),
        "wall_ratio": wall / alone["wall_s"],
        "gap_p50_ms": percentile(gaps, 0.5) * 1000,
        "gap_p99_ms": percentile(gaps, 0.99) * 1000,
        "first_token_over_s": percentile(firsts, 0.99) - alone["first_token_s"],
        "errors": sorted({s.error for s in streams if s.error})[:2],
    }
    found["served"] = (
        found["completed"] == len(streams)
        and found["wall_ratio"] <= WALL_LIMIT
        and found["gap_p99_ms"] <= GAP_LIMIT_MS
        and found["first_token_over_s"] <= FIRST_TOKEN_LIMIT_S
    )
    return found


class Search:
    """Steps up until a count fails, then bisects to within 10 %."""

    def __init__(self, steps: list[int]) -> None:
        self.steps, self.best = steps, 0
        self.worst: int | None = None

    def next(self) -> int | None:
        if self.worst is None:
            return next((s for s in self.steps if s > self.best), None)
        if self.worst - self.best <= max(1, self.worst // 10):
            return None
        return (self.best + self.worst) // 2

    def record(self, count: int, served: bool) -> None:
        if served:
            self.best = max(self.best, count)
        else:
            self.worst = count if self.worst is None else min(self.worst, count)


def capacity(apps: list[App], alone: Any, plan: Plan, workload: str) -> Any:
    """Each app's capacity, the apps taking turns at every step, so that a
    busy moment on the machine hurts each alike."""
    steps, spread = plan.steps[workload], workload == "c"
    searches = {a.key: Search(steps) for a in apps}
    tried: dict[str, list[Any]] = {a.key: [] for a in apps}
    while turn := [(a, n) for a in apps if (n := searches[a.key].next()) is not None]:
        for app, count in turn:
            print(f"Part 5 ({workload}): {LABELS[app.key]}, {count}", flush=True)
            settle(app.pid)
            deadline = 4 * alone[app.key]["wall_s"] + 5
            args = (app.address, app.path, BODY, count)
            run = (
                open_loop(*args, plan.open_seconds, deadline)
                if spread
                else burst(*args, deadline)
            )
            found = verdict(uvloop.run(run), alone[app.key], spread)
            searches[app.key].record(count, found["served"])
            tried[app.key].append({"asked": count, **found})
    capped = {a.key: searches[a.key].best == steps[-1] for a in apps}
    return {
        a.key: {
            "capacity": searches[a.key].best,
            "capped": capped[a.key],
            "steps": tried[a.key],
        }
        for a in apps
    }


def first_token_ms(address: tuple[str, int], path: str, body: bytes) -> float:
    """One stream, ended by the client at its first token: how long that took."""

    def stop(event: bytes) -> str:  # at the first token
        return DONE if event_kind(event) == TOKEN else event_kind(event)

    (stream,) = uvloop.run(burst(address, path, body, 1, 30, classify=stop))
    assert stream.done_at is not None, stream.error
    return (stream.done_at - stream.sent_at) * 1000


def measure(db: MySQL, plan: Plan) -> dict[str, Any]:
    results: dict[str, Any] = {"load_average": {}, "workloads": {}}
    for workload in WORKLOADS:
        results["load_average"][f"({workload}) before"] = os.getloadavg()
        latency = plan.thinking_s if workload == "b" else 0.0
        with running(db, latency, plan.tokens) as (apps, model):
            yardsticks = alone(apps)
            found = capacity(apps, yardsticks, plan, workload)
            results["workloads"][workload] = {"alone": yardsticks, "apps": found}
            if workload != "a":
                continue
            part5 = apps[0]
            print(f"Part 5: first tokens; {plan.hold} streams at once", flush=True)
            provider = (address(model), "/v1/chat/completions", PROVIDER_BODY)
            pairs = [
                (
                    first_token_ms(*provider),
                    first_token_ms(part5.address, part5.path, BODY),
                )
                for _ in range(plan.samples)
            ]
            direct, through = zip(*pairs, strict=True)
            results["first_token"] = {
                "direct_ms": statistics.median(direct),
                "part5_ms": statistics.median(through),
                "samples": plan.samples,
            }
            settle(part5.pid)
            held = uvloop.run(burst(part5.address, part5.path, BODY, plan.hold, 120))
            results["holding"] = verdict(held, yardsticks["part5"], spread=False)
    results["load_average"]["after"] = os.getloadavg()
    return results


# --------------------------------------------------------------------------
# The report


def served(results: dict[str, Any], workload: str, app: str) -> float:
    return float(results["workloads"][workload]["apps"][app]["capacity"])


def ratio(results: dict[str, Any], workload: str, other: str) -> float:
    return served(results, workload, "part5") / max(served(results, workload, other), 1)


def report(results: dict[str, Any], out: Path) -> list[str]:
    keys, found = list(LABELS), results["workloads"]

    def capacity_cell(w: str, k: str) -> str:
        return f"{served(results, w, k):.0f}" + "+" * found[w]["apps"][k]["capped"]

    head = "app | (a) answers at once: streams | (b) thinks 5 s: streams"
    rows = [
        " | ".join([LABELS[k], *(capacity_cell(w, k) for w in WORKLOADS)]) for k in keys
    ]
    write(out / "part5_capacity.md", head + " | (c) spread out: new streams/s", rows)
    rows = [
        f"Part 5 ÷ {LABELS[k]} | "
        + " | ".join(f"{ratio(results, w, k):.2f}x" for w in WORKLOADS)
        for k in keys[1:]
    ]
    write(out / "part5_ratios.md", "capacity ratio | (a) | (b) | (c)", rows)
    head = "workload | app | streams (c: a second) | completed | wall ÷ alone | gaps ms"
    rows = [
        f"({w}) | {LABELS[k]} | {s['asked']} | {s['completed']} of {s['count']} | "
        f"{s['wall_ratio']:.2f} | {s['gap_p50_ms']:.0f} / {s['gap_p99_ms']:.0f} | "
        f"{s['first_token_over_s'] * 1000:.0f} ms | {'yes' if s['served'] else 'no'}"
        for w in WORKLOADS
        for k in keys
        for s in found[w]["apps"][k]["steps"]
    ]
    write(out / "part5_steps.md", head + " | first token p99 over alone | served", rows)
    first, held = results["first_token"], results["holding"]
    added = first["part5_ms"] - first["direct_ms"]
    head = "first token: to the provider | through Part 5 | Part 5 adds"
    rows = [
        f"{first['direct_ms']:.1f} ms | {first['part5_ms']:.1f} ms | {added:.1f} ms"
    ]
    write(out / "part5_first_token.md", head, rows)
    errors = ", ".join(held["errors"]) or "none"
    rows = [
        f"{held['count']} | {held['completed']} | {held['wall_ratio']:.1f} | {errors}"
    ]
    write(
        out / "part5_holding.md",
        "streams at once | completed | wall ÷ alone | errors",
        rows,
    )
    b, a = ratio(results, "b", "naive"), ratio(results, "a", "sse_relay")
    checks = [
        ("Part 5 (b): at least 2x the naive version's", f"{b:.2f}x", b >= 2),
        ("Part 5 (a): at least 0.5x the fastapi.sse relay's", f"{a:.2f}x", a >= 0.5),
        ("Part 5 adds at most 10 ms to a first token", f"{added:.1f} ms", added <= 10),
        (f"Part 5 holds {held['count']} streams: all complete", f"{held['completed']}",
         held["completed"] == held["count"]),
    ]  # fmt: skip
    return [target(*check) for check in checks]

"""Question 1: what does `async` buy while requests wait on a slow model?
200 requests at once to each endpoint of `bench/apps/fake_model.py`."""

import os
import signal
from pathlib import Path
from typing import Any

import uvloop

from .common import address, serve, target, write
from .http_load import Request, burst

WAYS = [
    ("awaited", "async def + await asyncio.sleep", "/generate/awaited"),
    ("thread_pool", "def + time.sleep (thread pool)", "/generate/thread-pool"),
    ("blocking", "async def + time.sleep (the mistake)", "/generate/blocking"),
]
REQUESTS, LATENCY_S = 200, 0.5
BOUND = 1.5  # the awaited way: all answers within this many latencies


def measure(deadline: float) -> list[dict[str, Any]]:
    results = []
    for key, label, path in WAYS:
        print(f"waiting on a model: {label}", flush=True)
        with serve(
            "bench.apps.fake_model", {"FAKE_LLM_LATENCY_S": str(LATENCY_S)}
        ) as s:
            request = Request("POST", path, b"{}")
            load = uvloop.run(burst(address(s), request, REQUESTS, deadline))
            answered = len(load.latencies)
            wall = max(load.latencies) if answered == REQUESTS else deadline
            if answered < REQUESTS:  # a blocked loop would take minutes to drain
                os.killpg(s.process.pid, signal.SIGKILL)
        results.append(
            {"way": key, "label": label, "answered": answered, "wall_s": wall}
        )
    return results


def latencies(way: dict[str, Any]) -> float:
    """The wall time in latencies; for a cut-off burst, what its pace implies."""
    return way["wall_s"] / LATENCY_S * REQUESTS / max(way["answered"], 1)


def report(results: list[dict[str, Any]], out: Path) -> list[str]:
    rows = [
        f"{w['label']} | {w['answered']} of {REQUESTS} | {w['wall_s']:.2f} s | "
        + f"{latencies(w):.1f}" * (w["answered"] == REQUESTS)
        + f"about {latencies(w):.0f}, from its pace" * (w["answered"] < REQUESTS)
        for w in results
    ]
    head = "way of waiting | answered | wall time | in latencies of 0.5 s"
    write(out / "waiting.md", head, rows)
    awaited = latencies(results[0])
    claim = f"{REQUESTS} awaited requests finish within {BOUND}x one latency"
    return [target(claim, f"{awaited:.2f}x", awaited <= BOUND)]

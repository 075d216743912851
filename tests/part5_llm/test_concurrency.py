"""Many streams at once, and the event loop stays free for everyone else."""

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.part5_llm.conftest import APP_COMMAND, llm_environment
from tests.part5_llm.helpers import create_prompt
from tests.serving import ServerProcess, running_server

STREAMS = 200
ARRIVAL_S = 3.0  # the clients arrive over three seconds, as people do
WORDS = 4  # 4 s per stream, at a word a second
HEALTH_WITHIN_S = 0.5  # loose: the app, the fake and this test share 2 cores


@pytest.fixture(scope="module")
def untraced_app(
    fake: ServerProcess, mysql_env: dict[str, str]
) -> Iterator[ServerProcess]:
    """The app as readers run it: not slowed down by coverage's tracing.

    Patient, too: this model takes a second per word.
    """
    environment = mysql_env | llm_environment(fake) | {"LLM_TIMEOUT_S": "10"}
    with running_server(APP_COMMAND + " --no-access-log", environment) as server:
        yield server


async def one_stream(
    client: httpx.AsyncClient, path: str, delay: float
) -> tuple[float, float, list[str]]:
    """When one stream started and ended, and the names of its events."""
    await asyncio.sleep(delay)
    started, names = time.monotonic(), []
    body = {"variables": {"topic": "load"}, "max_tokens": WORDS}
    async with client.stream("POST", path, json=body) as response:
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                names.append(line.removeprefix("event: "))
    return started, time.monotonic(), names


async def all_streams(base_url: str, path: str) -> list[tuple[float, float, list[str]]]:
    limits = httpx.Limits(max_connections=STREAMS)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=30, limits=limits
    ) as client:
        delays = [ARRIVAL_S * n / STREAMS for n in range(STREAMS)]
        return await asyncio.gather(*(one_stream(client, path, d) for d in delays))


def probe_health(base_url: str, until: threading.Event, times: list[float]) -> None:
    """GET /health again and again, from a thread of its own, timing each."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not until.is_set():
            start = time.perf_counter()
            assert client.get("/health").status_code == 200
            times.append(time.perf_counter() - start)
            time.sleep(0.05)


def test_health_answers_quickly_during_200_streams(
    untraced_app: ServerProcess,
) -> None:
    base_url = untraced_app.base_url
    with httpx.Client(base_url=base_url, timeout=10) as http:
        prompt_id = create_prompt(http, model="fake-slow-1")
    path = f"/prompts/{prompt_id}/generate/stream"
    done, probes = threading.Event(), list[float]()
    prober = threading.Thread(target=probe_health, args=(base_url, done, probes))
    prober.start()
    try:
        streams = asyncio.run(all_streams(base_url, path))
    finally:
        done.set()
        prober.join()
    assert all(names == ["delta"] * WORDS + ["done"] for _, _, names in streams)
    # All of them were open at once: the last began before the first ended.
    assert max(start for start, _, _ in streams) < min(end for _, end, _ in streams)
    assert len(probes) >= 20
    assert max(probes) < HEALTH_WITHIN_S, sorted(probes)[-5:]

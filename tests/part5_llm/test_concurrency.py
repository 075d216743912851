"""Many streams at once, and the event loop stays free for everyone else.

While 200 streams are open together, /health answers as quickly as ever.
How fast a burst of streams can be opened is a question of capacity, which
the benchmarks answer (make bench), not a test.
"""

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.part5_llm.conftest import (
    APP_COMMAND,
    FAKE_COMMAND,
    FAKE_ENVIRONMENT,
    llm_environment,
)
from tests.part5_llm.helpers import create_prompt
from tests.serving import ServerProcess, start_server

STREAMS = 200
ARRIVAL_S = 1.0  # the clients arrive over a second, as people do
# Long enough that all 200 are open at once even when opening them is slow
# (6.5 s seen with two test runs sharing the 2 cores).
WORDS = 10  # 10 s per stream, at a word a second
HEALTH_WITHIN_S = 0.5  # loose: the app, the fake and this test share 2 cores


@pytest.fixture(scope="module")
def untraced_app(mysql_env: dict[str, str]) -> Iterator[ServerProcess]:
    """The app and the fake as readers run them: not slowed down by coverage.

    Patient, too: this model takes a second per word. Both start at once:
    the app asks nothing of the provider before its first request.
    """
    quiet = " --no-access-log"
    fake = start_server(FAKE_COMMAND + quiet, FAKE_ENVIRONMENT)
    environment = mysql_env | llm_environment(fake) | {"LLM_TIMEOUT_S": "10"}
    app = start_server(APP_COMMAND + quiet, environment)
    try:
        fake.wait_until_up()
        app.wait_until_up()
        yield app
    finally:
        app.stop()
        fake.stop()


@dataclass
class Stream:
    opened_at: float = 0.0  # when its 200 arrived
    ended_at: float = 0.0
    names: list[str] = field(default_factory=list)


async def one_stream(client: httpx.AsyncClient, path: str, delay: float) -> Stream:
    """When one stream opened and ended, and the names of its events."""
    await asyncio.sleep(delay)
    stream = Stream()
    body = {"variables": {"topic": "load"}, "max_tokens": WORDS}
    async with client.stream("POST", path, json=body) as response:
        stream.opened_at = time.monotonic()
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                stream.names.append(line.removeprefix("event: "))
    stream.ended_at = time.monotonic()
    return stream


async def all_streams(base_url: str, path: str) -> list[Stream]:
    limits = httpx.Limits(max_connections=STREAMS)
    async with httpx.AsyncClient(
        base_url=base_url, timeout=30, limits=limits
    ) as client:
        delays = [ARRIVAL_S * n / STREAMS for n in range(STREAMS)]
        return await asyncio.gather(*(one_stream(client, path, d) for d in delays))


def probe_health(
    base_url: str, until: threading.Event, probes: list[tuple[float, float]]
) -> None:
    """GET /health again and again from a thread of its own: (when, how long)."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while not until.is_set():
            start = time.monotonic()
            assert client.get("/health").status_code == 200
            probes.append((start, time.monotonic() - start))
            time.sleep(0.05)


def test_health_answers_quickly_during_200_streams(
    untraced_app: ServerProcess,
) -> None:
    base_url = untraced_app.base_url
    with httpx.Client(base_url=base_url, timeout=10) as http:
        prompt_id = create_prompt(http, model="fake-slow-1")
    path = f"/prompts/{prompt_id}/generate/stream"
    done, probes = threading.Event(), list[tuple[float, float]]()
    prober = threading.Thread(target=probe_health, args=(base_url, done, probes))
    prober.start()
    try:
        streams = asyncio.run(all_streams(base_url, path))
    finally:
        done.set()
        prober.join()
    assert all(stream.names == ["delta"] * WORDS + ["done"] for stream in streams)
    # From the moment the last stream opened to the moment the first one
    # ended, all 200 were open at once.
    all_open = max(s.opened_at for s in streams)
    first_end = min(s.ended_at for s in streams)
    during = [took for start, took in probes if all_open <= start <= first_end]
    window = (
        f"all open {all_open - probes[0][0]:.2f} s to {first_end - probes[0][0]:.2f} s"
    )
    assert len(during) >= 5, f"{len(during)} probes, {window}: {probes}"
    assert max(during) < HEALTH_WITHIN_S, sorted(during)[-5:]

"""Many streams at once, and the event loop stays free for everyone else.

While 200 streams are open together, each receiving words, /health answers
as quickly as ever. The clients then walk away (how a run ends then is
tests/part5_llm/test_walk_away.py's subject; that 500 streams all run to
their end is the benchmarks').
How fast a burst of streams can be opened is a question of capacity, which
the benchmarks answer (make bench), not a test.
"""

import asyncio
import time
from collections.abc import Callable, Iterator
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

# Capacity, not a chapter's behaviour: `pytest -m load tests/part5_llm` runs it.
pytestmark = pytest.mark.load

STREAMS = 200
ARRIVAL_S = 1.0  # the clients arrive over a second, as people do
WORDS = 60  # at a word a second: far longer than the test keeps them open
HEALTH_WITHIN_S = 0.5  # loose: the app, the fake and this test share 2 cores
PROBES = 5  # answers from /health, asked one after another once all stream


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
class Streams:
    """200 streams that each read until their first word, then wait."""

    path: str
    streaming: int = 0  # how many have received a word
    all_streaming: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    first_events: list[str] = field(default_factory=list)

    async def one(self, client: httpx.AsyncClient, delay: float) -> None:
        await asyncio.sleep(delay)
        body = {"variables": {"topic": "load"}, "max_tokens": WORDS}
        async with client.stream("POST", self.path, json=body) as response:
            assert response.status_code == 200, await response.aread()
            async for line in response.aiter_lines():
                if line.startswith("event: "):
                    self.first_events.append(line.removeprefix("event: "))
                    break
            self.streaming += 1
            if self.streaming == STREAMS:
                self.all_streaming.set()
            await self.release.wait()
        # Leaving the block closes the stream: the client walks away.

    async def run(
        self, base_url: str, while_all_stream: Callable[[], list[float]]
    ) -> list[float]:
        """Open all; once all stream, call `while_all_stream` in a thread."""
        limits = httpx.Limits(max_connections=STREAMS)
        async with httpx.AsyncClient(
            base_url=base_url, timeout=30, limits=limits
        ) as client:
            delays = [ARRIVAL_S * n / STREAMS for n in range(STREAMS)]
            clients = asyncio.gather(*(self.one(client, d) for d in delays))
            await asyncio.wait_for(self.all_streaming.wait(), timeout=30)
            # The streams stay open, served by this loop, while the thread asks.
            measured = await asyncio.to_thread(while_all_stream)
            self.release.set()
            await clients
        return measured


def health_seconds(base_url: str) -> list[float]:
    """How long each of PROBES requests to /health took, one after another."""
    took = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for _ in range(PROBES):
            start = time.monotonic()
            assert client.get("/health").status_code == 200
            took.append(time.monotonic() - start)
            time.sleep(0.05)
    return took


def test_health_answers_quickly_during_200_streams(
    untraced_app: ServerProcess,
) -> None:
    base_url = untraced_app.base_url
    with httpx.Client(base_url=base_url, timeout=10) as http:
        prompt_id = create_prompt(http, model="fake-slow-1")
    streams = Streams(f"/prompts/{prompt_id}/generate/stream")
    took = asyncio.run(streams.run(base_url, lambda: health_seconds(base_url)))
    assert streams.first_events == ["delta"] * STREAMS
    assert max(took) < HEALTH_WITHIN_S, took

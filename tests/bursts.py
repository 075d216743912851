"""Many requests at once, for the promises a chapter makes about concurrency."""

import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

T = TypeVar("T")

# How long the connections lent in a burst wait for each other. Opening forty
# connections takes well under a second; a pool that cannot lend them all
# never gets there, and its requests fail long before this.
HOLD_TOGETHER_TIMEOUT_S = 10


def all_at_once(count: int, send: Callable[[int], T]) -> list[T]:
    """Run `send(0)` ... `send(count - 1)` from as many threads, released together."""
    start = threading.Barrier(count, timeout=30)

    def released(index: int) -> T:
        start.wait()
        return send(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(released, range(count)))


def thread_limit(client: TestClient) -> int:
    """How many `def` endpoints the app behind `client` runs at once."""

    async def total_tokens() -> int:
        # FastAPI runs `def` endpoints through anyio's default limiter.
        return int(anyio.to_thread.current_default_thread_limiter().total_tokens)

    assert client.portal is not None, "use the TestClient in a `with` block"
    return client.portal.call(total_tokens)


@contextmanager
def connections_held_together(
    engine: Engine, count: int
) -> Iterator[Callable[[], bool]]:
    """Hold each of the next `count` connections `engine` lends until all are out.

    That is the worst moment of a burst: `count` requests each holding a
    connection at once. Yields a function that tells, afterwards, whether
    they all got there; if the pool cannot lend that many, they give up after
    HOLD_TOGETHER_TIMEOUT_S.
    """
    all_out = threading.Event()
    together = threading.Barrier(
        count, action=all_out.set, timeout=HOLD_TOGETHER_TIMEOUT_S
    )
    lent = itertools.count()

    def hold(*_: Any) -> None:
        if next(lent) < count:
            together.wait()

    event.listen(engine, "checkout", hold)
    try:
        yield all_out.is_set
    finally:
        event.remove(engine, "checkout", hold)


@dataclass
class Burst:
    threads: int  # how many `def` endpoints the app runs at once
    all_held: bool  # whether that many requests held a connection at once
    statuses: list[int]

    def explain(self) -> str:
        held = "did" if self.all_held else "did not"
        answers = dict(Counter(self.statuses))
        return f"{self.threads} threads {held} hold a connection at once; {answers}"


def burst_of_reads(client: TestClient, engine: Engine, extra: int = 24) -> Burst:
    """`extra` more lists than threads, each thread holding a connection at once.

    Use a client that answers a failed request with a 500 instead of raising
    it (`raise_server_exceptions=False`): every answer is counted.
    """
    threads = thread_limit(client)

    def read(_: int) -> int:
        return client.get("/prompts").status_code

    with connections_held_together(engine, threads) as all_held:
        statuses = all_at_once(threads + extra, read)
    return Burst(threads, all_held(), statuses)

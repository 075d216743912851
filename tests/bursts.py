"""Many requests at once, for the promises a chapter makes about concurrency."""

import itertools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
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

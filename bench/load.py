"""A small HTTP/1.1 load generator built on asyncio streams.

A general-purpose client such as httpx spends more CPU per request than a lean
server does to answer it; on a two-core laptop the client would then be what
we measure. This one does only what a benchmark needs: keep-alive connections,
a request written as bytes, a response read by its Content-Length.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    expected_status: int = 200


class ProtocolError(Exception):
    """The server answered something this small client does not handle."""


# What a failed request can raise: the connection broke, the answer was cut
# short or malformed, or it did not come in time.
FAILURES = (
    OSError,
    asyncio.TimeoutError,
    asyncio.IncompleteReadError,
    asyncio.LimitOverrunError,
    ProtocolError,
    ValueError,
)


class Connection:
    """One keep-alive connection to a server on this machine."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def send(self, request: Request) -> int:
        """Send one request and read the whole answer; return its status code."""
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        head = (
            f"{request.method} {request.path} HTTP/1.1\r\n"
            f"Host: {self.host}:{self.port}\r\n"
            f"Content-Length: {len(request.body)}\r\n"
        )
        if request.body:
            head += "Content-Type: application/json\r\n"
        self.writer.write(head.encode("ascii") + b"\r\n" + request.body)
        header_block = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = header_block.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", ""):
            raise ProtocolError("chunked responses are not supported")
        await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status


@dataclass
class LoadResult:
    """What a run of many requests measured."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    def record_error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(what)

    def merge(self, other: "LoadResult") -> None:
        self.requests += other.requests
        self.errors += other.errors
        self.seconds += other.seconds
        self.latencies += other.latencies
        self.error_samples = (self.error_samples + other.error_samples)[:5]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, fraction: float) -> float:
        """The latency under which `fraction` of the requests finished."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))
        return ordered[index] * 1000


async def sustained_load(
    host: str,
    port: int,
    next_request: Callable[[], Request],
    connections: int,
    seconds: float,
    warmup: float = 0.0,
    request_timeout: float = 5.0,
) -> LoadResult:
    """Keep `connections` requests in flight for `seconds`, after a warm-up.

    Each connection sends its next request as soon as the previous answer has
    arrived (a closed loop), so the concurrency is exactly `connections`.
    Only answers that arrive inside the window count towards the speed and
    the latencies; any request that fails, or takes longer than
    `request_timeout`, is an error, whenever it was sent.
    """
    result = LoadResult()
    measure_from = time.perf_counter() + warmup
    stop_at = measure_from + seconds

    async def worker() -> None:
        connection = Connection(host, port)
        try:
            while (sent_at := time.perf_counter()) < stop_at:
                request = next_request()
                failure = None
                try:
                    status = await asyncio.wait_for(
                        connection.send(request), request_timeout
                    )
                    if status != request.expected_status:
                        failure = f"{request.method} {request.path}: HTTP {status}"
                except FAILURES as error:
                    failure = f"{request.method} {request.path}: " + (
                        f"no answer within {request_timeout:g} s"
                        if isinstance(error, asyncio.TimeoutError)
                        else f"{type(error).__name__} {error}"
                    )
                    await connection.close()
                done_at = time.perf_counter()
                if failure is not None:
                    # Counted even in the warm-up or after the window: a
                    # request that hangs is exactly the failure to report.
                    result.record_error(failure)
                if measure_from <= done_at <= stop_at:
                    result.requests += 1
                    result.latencies.append(done_at - sent_at)
        finally:
            await connection.close()

    tasks = [asyncio.create_task(worker()) for _ in range(connections)]
    await asyncio.wait_for(
        asyncio.gather(*tasks), timeout=warmup + seconds + request_timeout + 5
    )
    result.seconds = seconds
    return result


@dataclass
class BurstResult:
    """What happened to a burst of simultaneous requests."""

    requests: int
    answered: int
    errors: int
    wall_seconds: float
    finished: bool  # False when the deadline stopped the burst

    @property
    def rps(self) -> float:
        return self.answered / self.wall_seconds if self.wall_seconds else 0.0


async def burst(
    host: str, port: int, request: Request, count: int, deadline: float
) -> BurstResult:
    """Send `count` identical requests at the same moment, one per connection.

    The connections are opened first, so the clock measures the server's work,
    not the TCP handshakes. The burst stops at `deadline` seconds whatever has
    not been answered by then.
    """
    connections = [Connection(host, port) for _ in range(count)]
    await asyncio.gather(*(c.open() for c in connections))
    answered = errors = 0
    start = last_answer = time.perf_counter()

    async def one(connection: Connection) -> None:
        nonlocal answered, errors, last_answer
        try:
            status = await connection.send(request)
        except FAILURES:
            errors += 1
            return
        answered += 1
        last_answer = time.perf_counter()
        if status != request.expected_status:
            errors += 1

    tasks = [asyncio.create_task(one(c)) for c in connections]
    _, pending = await asyncio.wait(tasks, timeout=deadline)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await asyncio.gather(*(c.close() for c in connections))
    wall = last_answer - start if not pending else deadline
    return BurstResult(count, answered, errors, wall, finished=not pending)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a load coroutine on the fastest event loop available."""
    try:
        import uvloop
    except ImportError:  # uvloop does not exist on Windows
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)

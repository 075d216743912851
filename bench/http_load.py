"""Plain HTTP load: keep-alive connections on asyncio streams, no HTTP library.

Own code, not httpx or a load tool: on two cores a general client costs more
CPU per request than a lean server does, and good load tools are binaries."""

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# What a failed request can raise: a broken, short, malformed or late answer.
FAILURES = (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    expected_status: int = 200


def status_and_length(head: bytes) -> tuple[int, int]:
    """The status code and Content-Length of a response's head."""
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(":", 1) for line in lines if ":" in line)
    if "chunked" in headers.get("transfer-encoding", ""):
        raise ValueError("chunked responses are not supported")
    return int(status_line.split(" ", 2)[1]), int(headers.get("content-length", 0))


class Connection:
    """One keep-alive connection, opened on first use and after a failure."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            with contextlib.suppress(OSError):
                await self.streams[1].wait_closed()
        self.streams = None

    async def send(self, request: Request) -> int:
        """Send one request, read the whole answer; return its status code."""
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        head = f"{request.method} {request.path} HTTP/1.1\r\nHost: {self.host}\r\n"
        head += f"Content-Type: application/json\r\nContent-Length: {len(request.body)}"
        writer.write(head.encode("ascii") + b"\r\n\r\n" + request.body)
        status, length = status_and_length(await reader.readuntil(b"\r\n\r\n"))
        await reader.readexactly(length)
        return status


@dataclass
class Load:
    """What a window of load measured."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def closed_loop(
    address: tuple[str, int], next_request: Callable[[], Request], connections: int,
    seconds: float, warmup: float, timeout: float = 5.0,
) -> Load:  # fmt: skip
    """Exactly `connections` requests in flight: each connection sends its next
    request when the last answer is in. Answers inside the window count for
    speed and latency; a failure or a late answer is an error, always."""
    load = Load()
    start = time.perf_counter() + warmup
    stop = start + seconds

    async def worker() -> None:
        connection = Connection(*address)
        while (sent := time.perf_counter()) < stop:
            request = next_request()
            try:
                status = await asyncio.wait_for(connection.send(request), timeout)
                if status != request.expected_status:
                    load.errors.append(f"{request.method} {request.path}: {status}")
            except FAILURES as error:
                load.errors.append(f"{request.method} {request.path}: {error!r}")
                await connection.close()
            if start <= (done := time.perf_counter()) <= stop:
                load.latencies.append(done - sent)
        await connection.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return load


async def burst(
    address: tuple[str, int], request: Request, count: int, deadline: float
) -> Load:
    """`count` requests at one moment, one connection each (opened first, so
    the clock times the server, not handshakes), until `deadline` seconds."""
    connections = [Connection(*address) for _ in range(count)]
    for c in connections:
        c.streams = await asyncio.open_connection(*address)
    load, start = Load(), time.perf_counter()

    async def one(connection: Connection) -> None:
        if await connection.send(request) == request.expected_status:
            load.latencies.append(time.perf_counter() - start)

    tasks = [asyncio.create_task(one(c)) for c in connections]
    await asyncio.wait(tasks, timeout=deadline)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*(c.close() for c in connections))
    return load

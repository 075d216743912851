"""A lean load client for Server-Sent Events: many streams, each timed per token.

On two cores the provider, the app and this client share the CPU, so the
client must cost little per token, or it would slow the app it measures. It
is an asyncio `Protocol`: no stream objects, no HTTP library, no JSON
parsing. The bytes that arrive are de-chunked and cut into events at blank
lines, and each event is only looked at long enough to say what it is (a
token, the end, an error) and stamped with the time it arrived.
"""

import asyncio
import contextlib
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import cast

# What one SSE event is, as far as the benchmark cares.
TOKEN, DONE, ERROR, OTHER = "token", "done", "error", "other"
Classifier = Callable[[bytes], str]


def app_event(event: bytes) -> str:
    """An event of the app's stream: `delta` per chunk, then `done` or `error`."""
    if event.startswith(b"event: delta"):
        return TOKEN
    if event.startswith(b"event: done"):
        return DONE
    if event.startswith(b"event: error"):
        return ERROR
    return OTHER  # a comment line that keeps the connection alive


def provider_event(event: bytes) -> str:
    """An event of an OpenAI-compatible stream: chunks, then `[DONE]`."""
    if event.startswith(b"data: [DONE]"):
        return DONE
    # A chunk with text in it; the first, with only the role, has none.
    has_content = b'"content":"' in event or b'"content": "' in event
    if has_content and b'"content":""' not in event and b'"content": ""' not in event:
        return TOKEN
    if b'"error"' in event:
        return ERROR
    return OTHER


def percentile(values: Sequence[float], fraction: float) -> float:
    """The value under which `fraction` of `values` lie (nearest rank)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


@dataclass
class Stream:
    """What one stream delivered, and when."""

    sent_at: float = 0.0
    status: int | None = None
    token_times: list[float] = field(default_factory=list)
    done_at: float | None = None
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.status == 200 and self.done_at is not None and not self.error

    @property
    def first_token_s(self) -> float | None:
        return self.token_times[0] - self.sent_at if self.token_times else None

    def gaps(self) -> list[float]:
        """Seconds between each token and the one before it."""
        return [later - earlier for earlier, later in pairwise(self.token_times)]


class SSEProtocol(asyncio.Protocol):
    """One HTTP/1.1 request whose answer is read as a stream of events."""

    def __init__(self, classify: Classifier) -> None:
        self.classify = classify
        self.stream = Stream()
        self.finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.raw = bytearray()  # bytes not yet de-chunked
        self.body = bytearray()  # de-chunked bytes not yet cut into events
        self.head_read = False
        self.chunked = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio's, but behave alike.
        self.transport = cast(asyncio.Transport, transport)

    def send(self, request: bytes) -> None:
        assert self.transport is not None
        self.stream.sent_at = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.raw += data
        if not self.head_read and not self.read_head():
            return
        if self.chunked:
            self.dechunk()
        else:
            self.body += self.raw
            self.raw.clear()
        self.read_events(now)

    def read_head(self) -> bool:
        end = self.raw.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.raw[:end]).decode("latin-1").lower()
        del self.raw[: end + 4]
        self.head_read = True
        self.stream.status = int(head.split(" ", 2)[1])
        self.chunked = "transfer-encoding: chunked" in head
        if self.stream.status != 200:
            self.fail(f"HTTP {self.stream.status}")
        return True

    def dechunk(self) -> None:
        while True:
            line_end = self.raw.find(b"\r\n")
            if line_end < 0:
                return
            size = int(bytes(self.raw[:line_end]).split(b";")[0], 16)
            if size == 0:  # the last chunk: the answer is over
                self.end()
                return
            if len(self.raw) < line_end + 2 + size + 2:
                return  # the rest of this chunk has not arrived yet
            start = line_end + 2
            self.body += self.raw[start : start + size]
            del self.raw[: start + size + 2]

    def read_events(self, now: float) -> None:
        while (end := self.body.find(b"\n\n")) >= 0:
            kind = self.classify(bytes(self.body[:end]))
            del self.body[: end + 2]
            if kind == TOKEN:
                self.stream.token_times.append(now)
            elif kind == DONE:
                self.stream.done_at = now
                self.end()
            elif kind == ERROR:
                self.fail("an error event")

    def fail(self, why: str) -> None:
        if self.stream.error is None:
            self.stream.error = why
        self.end()

    def end(self) -> None:
        if not self.finished.done():
            self.finished.set_result(None)
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.stream.done_at is None and self.stream.error is None:
            self.stream.error = "connection closed before the end"
        if not self.finished.done():
            self.finished.set_result(None)


def post(host: str, port: int, path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("ascii") + body


@dataclass
class Burst:
    """What `count` streams started at the same moment delivered."""

    streams: list[Stream]
    stopped: bool  # True when the deadline cut the burst short

    @property
    def count(self) -> int:
        return len(self.streams)

    @property
    def completed(self) -> int:
        return sum(stream.complete for stream in self.streams)

    @property
    def tokens(self) -> int:
        return sum(len(stream.token_times) for stream in self.streams)

    @property
    def wall_s(self) -> float:
        """From the first request sent to the last stream's end."""
        start = min(stream.sent_at for stream in self.streams)
        ends = [s.done_at for s in self.streams if s.done_at is not None]
        ends += [s.token_times[-1] for s in self.streams if s.token_times]
        return max(ends, default=start) - start

    def gap_ms(self, fraction: float) -> float:
        gaps = [gap for stream in self.streams for gap in stream.gaps()]
        return percentile(gaps, fraction) * 1000

    def first_token_ms(self) -> list[float]:
        return [
            stream.first_token_s * 1000
            for stream in self.streams
            if stream.first_token_s is not None
        ]

    def errors(self) -> list[str]:
        return [s.error or "incomplete" for s in self.streams if not s.complete]


async def burst(
    host: str,
    port: int,
    path: str,
    body: bytes,
    count: int,
    deadline: float,
    classify: Classifier = app_event,
) -> Burst:
    """Start `count` streams at the same moment, one connection each.

    The connections are opened first, so the clock measures the streams, not
    the handshakes. Whatever has not ended `deadline` seconds after the
    requests went out is cut off, and the burst says it was stopped.
    """
    loop = asyncio.get_running_loop()
    protocols = []
    for _ in range(count):
        _, protocol = await loop.create_connection(
            lambda: SSEProtocol(classify), host, port
        )
        protocols.append(protocol)
    request = post(host, port, path, body)
    for protocol in protocols:
        protocol.send(request)
    waiting = [protocol.finished for protocol in protocols]
    _, pending = await asyncio.wait(waiting, timeout=deadline)
    for protocol in protocols:
        if not protocol.finished.done():
            protocol.fail(f"not finished within {deadline:g} s")
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.gather(*waiting), 5)
    return Burst([protocol.stream for protocol in protocols], stopped=bool(pending))


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0

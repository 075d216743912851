"""The bare relay, writing its events with `fastapi.sse` as Part 5 must.

It reads the provider exactly as `bare_relay.py` does; only the way out
differs: a FastAPI endpoint that yields `ServerSentEvent`s, each carrying
JSON text already made (`raw_data`), so nothing is validated or encoded
twice. An app that writes its stream with `fastapi.sse` and does more
than this should not expect more streams on the same machine. Same path and
body as Part 5.
"""

import json
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel

from .bare_relay import streamed_texts

app = FastAPI(title="Benchmark: the bare relay through fastapi.sse")


class GenerateRequest(BaseModel):
    variables: dict[str, str] = {}


@app.post("/prompts/{prompt_id}/generate/stream", response_class=EventSourceResponse)
async def generate_stream(
    prompt_id: int, body: GenerateRequest
) -> AsyncIterator[ServerSentEvent]:
    async for text in streamed_texts(body.variables):
        yield ServerSentEvent(event="delta", raw_data=json.dumps({"text": text}))
    yield ServerSentEvent(event="done", raw_data="{}")

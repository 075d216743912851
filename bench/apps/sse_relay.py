"""The bare relay, writing its events with `fastapi.sse` as Part 5 does.

It reads the provider as `bare_relay.py` does; each event carries JSON made
once (`raw_data`). An app that writes its stream with `fastapi.sse` and does
more than this should not expect more streams on the same machine.
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

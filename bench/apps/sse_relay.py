"""The bare relay, writing its events with `fastapi.sse` as Part 5 does: an app
that writes its stream so and does more should not expect more streams."""

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

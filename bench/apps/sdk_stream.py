"""Two ways to read a stream with the openai SDK, measured side by side.

Both call the provider through the SDK's async client (its retries, time-outs
and errors all apply) and write each piece of text out with `fastapi.sse`, as
Part 5 does; neither has a database. They differ in one thing only: `/objects`
iterates the SDK's typed chunks, `/lines` asks the SDK for the raw response
and parses each `data:` line itself.
"""

import json
import os
from collections.abc import AsyncIterator

from fastapi import FastAPI
from fastapi.sse import EventSourceResponse, ServerSentEvent
from openai import AsyncOpenAI
from openai.types.chat import ChatCompletionMessageParam

TEMPLATE = "Write a short story about {topic}."
MESSAGES: list[ChatCompletionMessageParam] = [
    {"role": "user", "content": TEMPLATE.format(topic="a lighthouse keeper")}
]

client = AsyncOpenAI(
    base_url=os.environ["LLM_BASE_URL"], api_key=os.environ["LLM_API_KEY"]
)

app = FastAPI(title="Benchmark: the SDK's chunks or its raw lines")


@app.post("/objects/stream", response_class=EventSourceResponse)
async def stream_objects() -> AsyncIterator[ServerSentEvent]:
    stream = await client.chat.completions.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True
    )
    async for chunk in stream:  # a ChatCompletionChunk, built for every event
        if chunk.choices and (text := chunk.choices[0].delta.content):
            yield ServerSentEvent(event="delta", data={"text": text})
    yield ServerSentEvent(event="done", data={})


@app.post("/lines/stream", response_class=EventSourceResponse)
async def stream_lines() -> AsyncIterator[ServerSentEvent]:
    async with client.chat.completions.with_streaming_response.create(
        model="gpt-4o-mini", messages=MESSAGES, stream=True
    ) as response:
        async for line in response.iter_lines():
            if not line.startswith("data: {"):
                continue  # blank lines between events, and "data: [DONE]"
            choices = json.loads(line[6:])["choices"]
            if choices and (text := choices[0]["delta"].get("content")):
                yield ServerSentEvent(event="delta", data={"text": text})
    yield ServerSentEvent(event="done", data={})

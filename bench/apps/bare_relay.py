"""The ceiling for Part 5: httpx reads the provider's stream, Starlette writes
each piece of text back out. No SDK, no validation, no database: a measuring
stick, not a model to copy."""

import json
import os
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

TEMPLATE = "Write a short story about {topic}."
# A new connection per stream: with 100+ idle ones, httpx took seconds to pick.
provider = httpx.AsyncClient(
    base_url=os.environ["LLM_BASE_URL"],
    headers={"Authorization": f"Bearer {os.environ['LLM_API_KEY']}"},
    limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
    timeout=30.0,
)


async def streamed_texts(variables: dict[str, str]) -> AsyncIterator[str]:
    """Each piece of text the provider streams for the filled-in template."""
    content = TEMPLATE.format(**variables)
    asked = {"model": "gpt-4o-mini", "stream": True,
             "messages": [{"role": "user", "content": content}]}  # fmt: skip
    async with provider.stream("POST", "/chat/completions", json=asked) as answer:
        async for line in answer.aiter_lines():
            if line.startswith("data: {"):  # not blank lines, not "data: [DONE]"
                choices = json.loads(line[6:])["choices"]
                if choices and (text := choices[0]["delta"].get("content")):
                    yield text


async def generate_stream(request: Request) -> StreamingResponse:
    variables = json.loads(await request.body()).get("variables", {})

    async def events() -> AsyncIterator[bytes]:
        async for text in streamed_texts(variables):
            yield (
                b"event: delta\ndata: " + json.dumps({"text": text}).encode() + b"\n\n"
            )
        yield b"event: done\ndata: {}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


path = "/prompts/{prompt_id:int}/generate/stream"
app = Starlette(routes=[Route(path, generate_stream, methods=["POST"])])

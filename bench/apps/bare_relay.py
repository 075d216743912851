"""The ceiling for Part 5: a bare relay from the provider to the client.

httpx reads the provider's stream, Starlette writes each chunk's text back
out as an event. No SDK, no validation, no database, no run recorded:
nothing that still relays a stream can do much less work per token. A
measuring stick, not a model to copy. Same path and body as Part 5.
"""

import json
import os
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

TEMPLATE = "Write a short story about {topic}."

provider = httpx.AsyncClient(
    base_url=os.environ["LLM_BASE_URL"],
    headers={"Authorization": f"Bearer {os.environ['LLM_API_KEY']}"},
    # As many open streams as the benchmark asks for; none waits for a slot.
    # A new connection for each: with a hundred or more kept-alive connections
    # to reuse, httpx 0.28 took seconds to start each stream (measured), while
    # opening a fresh one on this machine takes well under a millisecond.
    limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
    timeout=httpx.Timeout(30.0),
)


async def streamed_texts(variables: dict[str, str]) -> AsyncIterator[str]:
    """Each piece of text the provider streams for the filled-in template."""
    asked = {
        "model": "gpt-4o-mini",
        "messages": [{"role": "user", "content": TEMPLATE.format(**variables)}],
        "stream": True,
    }
    async with provider.stream("POST", "/chat/completions", json=asked) as answer:
        async for line in answer.aiter_lines():
            if not line.startswith("data: {"):
                continue  # blank lines between events, and "data: [DONE]"
            choices = json.loads(line[6:])["choices"]
            if choices and (text := choices[0]["delta"].get("content")):
                yield text


async def generate_stream(request: Request) -> StreamingResponse:
    variables = json.loads(await request.body()).get("variables", {})

    async def events() -> AsyncIterator[bytes]:
        async for text in streamed_texts(variables):
            data = json.dumps({"text": text}).encode()
            yield b"event: delta\ndata: " + data + b"\n\n"
        yield b"event: done\ndata: {}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


app = Starlette(
    routes=[
        Route(
            "/prompts/{prompt_id:int}/generate/stream",
            generate_stream,
            methods=["POST"],
        )
    ]
)

"""The yardstick for Part 5: streaming as many tutorials first show it, a plain
`def` endpoint with the synchronous OpenAI client. No database, no record of
the run: it does less than Part 5. Same path and body as Part 5."""

import json
import os
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from openai import OpenAI
from pydantic import BaseModel

TEMPLATE = "Write a short story about {topic}."
client = OpenAI(base_url=os.environ["LLM_BASE_URL"], api_key=os.environ["LLM_API_KEY"])
app = FastAPI(title="Benchmark: the naive streaming endpoint")


class GenerateRequest(BaseModel):
    variables: dict[str, str] = {}


@app.post("/prompts/{prompt_id}/generate/stream")
def generate_stream(prompt_id: int, body: GenerateRequest) -> StreamingResponse:
    def events() -> Iterator[str]:
        stream = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": TEMPLATE.format(**body.variables)}],
            stream=True,
        )
        for chunk in stream:  # (1)!
            if chunk.choices and chunk.choices[0].delta.content:
                text = json.dumps({"text": chunk.choices[0].delta.content})
                yield f"event: delta\ndata: {text}\n\n"
        yield "event: done\ndata: {}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")

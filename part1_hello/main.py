"""Part 1: a greeting, validated input, and an async stand-in for an LLM call."""

import asyncio
import hashlib
import os
from typing import Annotated

from fastapi import FastAPI, status
from pydantic import BaseModel, ConfigDict, Field

app = FastAPI(
    title="FastAPI for AI Engineers: Part 1, Hello",
    version="1.0.0",
    description=(
        "Part 1 of the tutorial series: a greeting, request validation with "
        "Pydantic, and an async endpoint that waits on a fake language model."
    ),
    openapi_tags=[
        {"name": "hello", "description": "The smallest possible endpoint."},
        {"name": "users", "description": "Validation with a Pydantic model."},
        {"name": "llm", "description": "An async call to a (fake) model."},
    ],
)


@app.get("/", tags=["hello"])
async def read_root() -> dict[str, str]:
    return {"message": "Hello from FastAPI, AI engineer!"}


class User(BaseModel):
    # extra="forbid": a field the API does not know is a mistake worth a 422.
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100, strict=True)]
    age: Annotated[int, Field(ge=0, le=150, strict=True)]


@app.post("/users", status_code=status.HTTP_201_CREATED, tags=["users"])
async def create_user(user: User) -> User:
    # By the time this runs, FastAPI has already rejected bad input with a 422.
    return user


class GenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: Annotated[str, Field(min_length=1, max_length=4000, strict=True)]


class GenerateResponse(BaseModel):
    prompt: str
    completion: str
    model: str


FAKE_MODEL_NAME = "fake-llm-1"


def fake_llm_latency() -> float:
    """Seconds the fake model takes to answer, from FAKE_LLM_LATENCY_S."""
    try:
        latency = float(os.environ.get("FAKE_LLM_LATENCY_S", "1.0"))
    except ValueError:
        return 1.0
    return latency if 0 <= latency < 60 else 1.0


async def fake_llm(prompt: str) -> str:
    # A real client (OpenAI, Anthropic, a local model server) would await a
    # network call here. asyncio.sleep waits the same way: it hands the event
    # loop to other requests instead of blocking it.
    await asyncio.sleep(fake_llm_latency())
    digest = hashlib.sha256(prompt.encode()).hexdigest()[:8]
    return f"A thoughtful answer to {len(prompt)} characters of prompt [{digest}]."


@app.post("/generate", tags=["llm"])
async def generate(request: GenerateRequest) -> GenerateResponse:
    completion = await fake_llm(request.prompt)
    return GenerateResponse(
        prompt=request.prompt, completion=completion, model=FAKE_MODEL_NAME
    )

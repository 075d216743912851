"""Part 1: a greeting, validated input, and an async stand-in for an LLM call."""

import asyncio
import os
from typing import Annotated

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

app = FastAPI(
    title="FastAPI for AI Engineers: Part 1, Hello",
    version="1.0.0",
    description="Part 1: a greeting, validated input and a (fake) model call.",
)


@app.get("/")
async def read_root() -> dict[str, str]:
    return {"message": "Hello from FastAPI, AI engineer!"}


BAD_BODY: dict[int | str, dict[str, str]] = {400: {"description": "Undecodable body"}}


class User(BaseModel):
    model_config = {"extra": "forbid", "strict": True}

    name: Annotated[str, Field(min_length=1, max_length=100)]
    age: Annotated[int, Field(ge=0, le=150)]


@app.post("/users", status_code=201, responses=BAD_BODY)
async def create_user(user: User) -> User:
    return user  # invalid input never gets here: FastAPI answered it with a 422


async def fake_llm(prompt: str) -> str:
    # A real client would await a network call here. asyncio.sleep waits the
    # same way: it hands the event loop to other requests in the meantime.
    await asyncio.sleep(float(os.environ.get("FAKE_LLM_LATENCY_S", "1")))
    return f"A thoughtful answer to: {prompt}"


class GenerateRequest(BaseModel):
    model_config = {"extra": "forbid", "strict": True}

    prompt: Annotated[str, Field(min_length=1, max_length=4000)]


class GenerateResponse(BaseModel):
    prompt: str
    completion: str
    model: str


@app.post("/generate", responses=BAD_BODY)
async def generate(body: GenerateRequest) -> GenerateResponse:
    completion = await fake_llm(body.prompt)
    return GenerateResponse(prompt=body.prompt, completion=completion, model="fake")


@app.exception_handler(RequestValidationError)
async def invalid_input(request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI's own 422 echoes each bad input back, and NaN cannot be written
    # as JSON: the echo would crash with a 500. Answer without the input.
    errors = [{k: v for k, v in e.items() if k != "input"} for e in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)

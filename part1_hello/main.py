"""Part 1: a greeting, validated input, and an async stand-in for an LLM call."""

import asyncio
import hashlib
import os
from typing import Annotated

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

# --8<-- [start:app]
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
# --8<-- [end:app]


# --8<-- [start:handlers]
@app.exception_handler(RequestValidationError)
async def invalid_request(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    # FastAPI's default handler echoes each bad input back. Python's JSON parser
    # accepts NaN and Infinity, which cannot be written back out as JSON, so the
    # echo itself would fail with a 500. Leave the input out of the answer.
    errors = [{k: v for k, v in e.items() if k != "input"} for e in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


@app.exception_handler(StarletteHTTPException)
async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    # FastAPI answers 400 when Python's JSON parser fails in a way other than
    # plain bad syntax: bytes that are not UTF-8, a number of more than 4300
    # digits, nesting too deep to follow. Our code never raises 400, so every
    # 400 is one of these, and for the client it is invalid input like any other.
    if exc.status_code == status.HTTP_400_BAD_REQUEST:
        invalid_json = {
            "type": "json_invalid",
            "loc": ["body"],
            "msg": "JSON decode error",
        }
        return JSONResponse({"detail": [invalid_json]}, status_code=422)
    return await http_exception_handler(request, exc)
    # --8<-- [end:handlers]


# --8<-- [start:read_root]
@app.get("/", tags=["hello"])
async def read_root() -> dict[str, str]:
    return {"message": "Hello from FastAPI, AI engineer!"}
    # --8<-- [end:read_root]


# --8<-- [start:users]
class User(BaseModel):
    # extra="forbid": a field the API does not know is a mistake worth a 422.
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100, strict=True)]
    age: Annotated[int, Field(ge=0, le=150, strict=True)]


@app.post("/users", status_code=status.HTTP_201_CREATED, tags=["users"])
async def create_user(user: User) -> User:
    # By the time this runs, FastAPI has already rejected bad input with a 422.
    return user
    # --8<-- [end:users]


# --8<-- [start:generate_models]
class GenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt: Annotated[str, Field(min_length=1, max_length=4000, strict=True)]


class GenerateResponse(BaseModel):
    prompt: str
    completion: str
    model: str
    # --8<-- [end:generate_models]


# --8<-- [start:fake_llm]
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
    # --8<-- [end:fake_llm]


# --8<-- [start:generate]
@app.post("/generate", tags=["llm"])
async def generate(request: GenerateRequest) -> GenerateResponse:
    completion = await fake_llm(request.prompt)
    return GenerateResponse(
        prompt=request.prompt, completion=completion, model=FAKE_MODEL_NAME
    )
    # --8<-- [end:generate]

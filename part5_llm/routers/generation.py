"""Generate: fill in a prompt, ask the model, answer at once or as a stream."""

import logging
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.sse import EventSourceResponse, ServerSentEvent
from openai import APIError, AsyncStream
from openai.types.chat import ChatCompletionChunk
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from ..database import describe
from ..dependencies import LLMDep, PromptId, SessionDep, get_prompt
from ..errors import BAD_BODY, NOT_FOUND, PROVIDER_FAILED, in_json
from ..llm import complete, provider_failure, start_stream
from ..models import GenerateRequest, Run, RunPublic, RunStatus, RunSummary
from ..recording import RunInProgress
from .prompts import fill

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/prompts/{prompt_id}", tags=["generate"])

MAX_INPUT_CHARS = 1_000_000


def start_run(
    prompt_id: PromptId, body: GenerateRequest, session: SessionDep
) -> RunInProgress:
    """The prompt, filled in: a 404 or a 422 comes before any model is called."""
    prompt = get_prompt(session, prompt_id)
    # Give the connection back to the pool now, not when the request ends: a
    # model may take minutes, and 40 connections must serve every stream.
    session.close()
    filled = fill(prompt.template, body.variables)
    if len(filled) > MAX_INPUT_CHARS:  # the run's `input` column must hold it
        too_long = {
            "type": "too_long",
            "loc": ["body", "variables"],
            "msg": f"The filled template is over {MAX_INPUT_CHARS:,} characters",
        }
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, [too_long])
    return RunInProgress(
        prompt_id=prompt_id,
        model=prompt.model,
        temperature=prompt.temperature,
        input=filled,
        max_tokens=body.max_tokens,
    )


RunDep = Annotated[RunInProgress, Depends(start_run)]


async def record_or_log(
    run: RunInProgress, outcome: RunStatus, error: str | None = None
) -> None:
    """Record a run that nobody waits for; if MySQL is away, say so in the log."""
    try:
        await run.finish(outcome, error)
    except SQLAlchemyError as failure:
        unrecorded = outcome.value
        logger.warning("A %s run was not recorded: %s", unrecorded, describe(failure))


@asynccontextmanager
async def provider_call(run: RunInProgress) -> AsyncIterator[None]:
    """Around every wait for the provider: a failure ends the run as `failed`.

    What the provider's error means for our client (502, 503 or 504) comes
    out as an HTTPException, here and nowhere else.
    """
    try:
        yield
    except APIError as error:
        failure = provider_failure(error)
        await record_or_log(run, RunStatus.failed, failure.detail)
        raise failure from None


@router.post(
    "/generate",
    response_model=RunPublic,
    responses=NOT_FOUND | BAD_BODY | PROVIDER_FAILED,
)
async def generate(run: RunDep, llm: LLMDep) -> Run:
    async with provider_call(run):
        completion = await complete(llm, run)
    run.read_completion(completion)
    return await run.finish(RunStatus.completed)


@dataclass
class OpenStream:
    """A run, and the provider's stream of chunks that answers it."""

    run: RunInProgress
    chunks: AsyncStream[ChatCompletionChunk]


async def open_stream(run: RunDep, llm: LLMDep) -> AsyncIterator[OpenStream]:
    """Ask the provider before our answer starts: a refusal is still a status code.

    The endpoint gets the run from here, not from `start_run` again: FastAPI
    would then validate the body twice, and list each error in it twice.
    The code after `yield` runs when our answer has ended, however it ended.
    """
    async with provider_call(run):
        chunks = await start_stream(llm, run)
    try:
        yield OpenStream(run, chunks)
    finally:
        # Closing the connection tells the provider to stop generating.
        await chunks.close()
        if not run.finished:  # the client went away before the end
            await record_or_log(run, RunStatus.cancelled)


class Delta(BaseModel):
    text: str


class StreamError(BaseModel):
    status: int
    detail: str


@router.post(
    "/generate/stream",
    response_class=EventSourceResponse,
    responses=in_json(NOT_FOUND | BAD_BODY | PROVIDER_FAILED),
)
async def generate_stream(
    stream: Annotated[OpenStream, Depends(open_stream)],
) -> AsyncIterable[ServerSentEvent]:
    """A `delta` event per piece of text, then `done` with the run, or `error`."""
    run = stream.run
    try:
        async with provider_call(run):
            async for chunk in stream.chunks:
                if piece := run.read_chunk(chunk):
                    yield ServerSentEvent(event="delta", data=Delta(text=piece))
    except HTTPException as failure:  # the provider failed after the stream started
        error_event = StreamError(status=failure.status_code, detail=failure.detail)
        yield ServerSentEvent(event="error", data=error_event)
        return
    try:
        done = await run.finish(RunStatus.completed)
    except SQLAlchemyError as failure:  # the answer came, MySQL did not take it
        logger.warning("A completed run was not recorded: %s", describe(failure))
        unrecorded = StreamError(status=503, detail="Database unavailable")
        yield ServerSentEvent(event="error", data=unrecorded)
        return
    yield ServerSentEvent(event="done", data=RunSummary.model_validate(done))

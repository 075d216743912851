"""Part 5's calls to the model: one answer, or a stream of Server-Sent Events."""

import logging
from collections.abc import AsyncIterable, AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.sse import EventSourceResponse, ServerSentEvent
from openai import APIError, AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletionChunk
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from ..database import describe
from ..dependencies import LLMDep, PromptId, SessionDep
from ..errors import BAD_BODY, NOT_FOUND, PROVIDER_FAILED, in_json
from ..llm import complete, provider_failure, start_stream
from ..models import GenerateRequest, Run, RunPublic, RunStatus, RunSummary
from ..runs import RunInProgress
from .prompts import fill, get_prompt

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/prompts", tags=["generate"])


MAX_INPUT_CHARS = 1_000_000


def start_run(
    prompt_id: PromptId, request: GenerateRequest, session: SessionDep
) -> RunInProgress:
    """The prompt, filled in: a 404 or a 422 comes before any model is called."""
    prompt = get_prompt(session, prompt_id)
    # Give the connection back to the pool now, not when the request ends: a
    # model may take minutes, and 40 connections must serve every stream.
    session.close()
    text = fill(prompt.template, request.variables)
    if len(text) > MAX_INPUT_CHARS:  # the run's `input` column must hold it
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
        input=text,
        max_tokens=request.max_tokens,
    )


RunDep = Annotated[RunInProgress, Depends(start_run)]


async def answer(run: RunInProgress, llm: AsyncOpenAI) -> Run:
    """The model's whole answer, recorded as a run (also for /ask)."""
    try:
        completion = await complete(llm, run)
    except APIError as error:
        failure = provider_failure(error)
        await run.finish(RunStatus.failed, error=failure.detail)
        raise failure from None
    run.read_completion(completion)
    return await run.finish(RunStatus.completed)


@router.post(
    "/{prompt_id}/generate",
    response_model=RunPublic,
    responses=NOT_FOUND | BAD_BODY | PROVIDER_FAILED,
)
async def generate(run: RunDep, llm: LLMDep) -> Run:
    return await answer(run, llm)


@asynccontextmanager
async def provider_stream(
    run: RunInProgress, llm: AsyncOpenAI
) -> AsyncIterator[AsyncStream[ChatCompletionChunk]]:
    """Ask the provider before our answer starts: a refusal is still a status code.

    The code after `yield` runs when our answer has ended, however it ended.
    """
    try:
        stream = await start_stream(llm, run)
    except APIError as error:
        failure = provider_failure(error)
        await run.finish(RunStatus.failed, error=failure.detail)
        raise failure from None
    try:
        yield stream
    finally:
        # Closing the connection tells the provider to stop generating.
        await stream.close()
        if not run.finished:  # the client went away before the end
            await record_or_log(run, RunStatus.cancelled)


async def open_stream(
    run: RunDep, llm: LLMDep
) -> AsyncIterator[AsyncStream[ChatCompletionChunk]]:
    async with provider_stream(run, llm) as stream:
        yield stream


async def record_or_log(
    run: RunInProgress, status: RunStatus, error: str | None = None
) -> None:
    """Record a run that nobody waits for; if MySQL is away, say so in the log."""
    try:
        await run.finish(status, error)
    except SQLAlchemyError as failure:
        logger.warning("A %s run was not recorded: %s", status.value, describe(failure))


class Delta(BaseModel):
    text: str


class StreamError(BaseModel):
    status: int
    detail: str


async def relay(
    run: RunInProgress, stream: AsyncStream[ChatCompletionChunk]
) -> AsyncIterator[ServerSentEvent]:
    """A `delta` event per piece of text, then `done` with the run, or `error`."""
    try:
        async for chunk in stream:
            if text := run.read_chunk(chunk):
                yield ServerSentEvent(event="delta", data=Delta(text=text))
    except APIError as error:  # the provider failed after the stream started
        failure = provider_failure(error)
        await record_or_log(run, RunStatus.failed, failure.detail)
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


@router.post(
    "/{prompt_id}/generate/stream",
    response_class=EventSourceResponse,
    responses=in_json(NOT_FOUND | BAD_BODY | PROVIDER_FAILED),
)
async def generate_stream(
    run: RunDep,
    stream: Annotated[AsyncStream[ChatCompletionChunk], Depends(open_stream)],
) -> AsyncIterable[ServerSentEvent]:
    async for event in relay(run, stream):
        yield event

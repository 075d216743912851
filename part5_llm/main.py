"""Part 5: the prompt library calls a model, streams its answer, records each run."""

import gc
import logging
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from contextlib import ExitStack, asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, status
from fastapi.sse import EventSourceResponse, ServerSentEvent
from openai import APIError, AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletionChunk
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, delete, select

from . import fake_provider
from .database import (
    DUPLICATE_KEY,
    database,
    describe,
    error_number,
    get_session,
    is_unavailable,
)
from .errors import (
    BAD_BODY,
    CONFLICT,
    NOT_FOUND,
    PROVIDER_FAILED,
    RUN_NOT_FOUND,
    UNAVAILABLE,
    in_json,
    name_taken,
    not_found,
    register_error_handlers,
    run_not_found,
)
from .llm import complete, make_client, provider_failure, start_stream
from .models import (
    GenerateRequest,
    Health,
    Prompt,
    PromptCreate,
    PromptPublic,
    PromptUpdate,
    RenderRequest,
    RenderResponse,
    Run,
    RunPublic,
    RunStatus,
    RunSummary,
    name_key,
)
from .rendering import placeholders, render
from .runs import RunInProgress
from .settings import LLMSettings

logger = logging.getLogger(__name__)


# --8<-- [start:app]
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    try:
        database.create_tables()  # once per worker process, before its first request
    except SQLAlchemyError as error:
        if not is_unavailable(error):
            raise  # a bug, not an outage: fail loudly
        # Start anyway and answer 503 until MySQL is back, then create the
        # tables. One line, no traceback: the reader of this log needs the
        # address and the reason, not our stack.
        url = database.engine.url
        logger.warning(
            "MySQL at %s:%s is unavailable (%s); answering 503 until it is back",
            url.host,
            url.port,
            describe(error),
        )
    # What the imports made lives as long as the process: keep it out of the
    # garbage collector's full passes, which would walk all of it (about
    # 150,000 objects, a pause of a few hundred ms for every stream at once).
    gc.freeze()
    # --8<-- [start:offline]
    settings = LLMSettings()
    with ExitStack() as background:
        base_url = settings.base_url
        if base_url is None:
            # No provider configured: the fake one answers, from a thread.
            base_url = background.enter_context(fake_provider.serving_in_background())
            logger.warning(
                "LLM_BASE_URL is not set: the fake model at %s answers", base_url
            )
        async with make_client(settings, base_url) as llm:
            yield {"llm": llm}  # every request finds it in request.state.llm
    # --8<-- [end:offline]
    database.engine.dispose()


app = FastAPI(
    title="FastAPI for AI Engineers: Part 5, Prompt Library with a Model",
    version="5.0.0",
    description=(
        "Part 5 of the tutorial series: the prompt library of Part 4 on MySQL, "
        "which now sends a rendered prompt to an OpenAI-compatible model, as one "
        "answer or as a stream of Server-Sent Events, and records every run."
    ),
    lifespan=lifespan,
    responses=UNAVAILABLE,  # every endpoint needs the database
)
register_error_handlers(app)  # errors.py: every failure answered in JSON
# --8<-- [end:app]

# --8<-- [start:dependencies]
# Dependency aliases: each endpoint says what it needs in one short name.
# scope="function": close the session before the answer is sent, so that an
# error while closing it (its connection just died) still becomes a 503.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
# Ids are 64-bit in every database later parts use; a larger id cannot exist.
PromptId = Annotated[int, Path(ge=1, le=2**63 - 1)]
RunId = Annotated[int, Path(ge=1, le=2**63 - 1)]


async def get_llm(request: Request) -> AsyncOpenAI:
    """The one model client of this process, made by the lifespan.

    `async def`, though it awaits nothing: a plain `def` dependency would be
    sent to a worker thread and back for every request.
    """
    llm: AsyncOpenAI = request.state.llm
    return llm


LLMDep = Annotated[AsyncOpenAI, Depends(get_llm)]
# --8<-- [end:dependencies]


# --8<-- [start:health]
@app.get("/health", tags=["health"])
def health(session: SessionDep) -> Health:
    session.scalar(text("SELECT 1"))  # if MySQL does not answer: a 503, as anywhere
    return Health(status="ok", database="ok")
    # --8<-- [end:health]


# --8<-- [start:save]
def save(session: Session, prompt: Prompt) -> Prompt:
    """Write a new or changed prompt; a name already in use becomes a 409."""
    name = prompt.name
    prompt.name_key = name_key(name)
    session.add(prompt)
    try:
        session.commit()
    except IntegrityError as error:
        # A failed statement leaves the transaction unusable: roll it back
        # before anything else touches the session.
        session.rollback()
        # The UNIQUE key decides, even between two requests racing for a name.
        if error_number(error) == DUPLICATE_KEY:
            raise name_taken(name) from None
        raise  # another constraint failed: a bug in this code, not the client's
    return prompt
    # --8<-- [end:save]


# --8<-- [start:create_prompt]
@app.post(
    "/prompts",
    status_code=status.HTTP_201_CREATED,
    response_model=PromptPublic,
    responses=CONFLICT | BAD_BODY,
    tags=["prompts"],
)
def create_prompt(prompt: PromptCreate, session: SessionDep) -> Prompt:
    return save(session, Prompt.model_validate(prompt))
    # --8<-- [end:create_prompt]


# --8<-- [start:list_prompts]
@app.get("/prompts", response_model=list[PromptPublic], tags=["prompts"])
def list_prompts(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Sequence[Prompt]:
    statement = select(Prompt).order_by(col(Prompt.id)).offset(offset).limit(limit)
    return session.exec(statement).all()
    # --8<-- [end:list_prompts]


# --8<-- [start:read_prompt]
def get_prompt(session: Session, prompt_id: int) -> Prompt:
    prompt = session.get(Prompt, prompt_id)
    if prompt is None:
        raise not_found(prompt_id)
    return prompt


@app.get(
    "/prompts/{prompt_id}",
    response_model=PromptPublic,
    responses=NOT_FOUND,
    tags=["prompts"],
)
def read_prompt(prompt_id: PromptId, session: SessionDep) -> Prompt:
    return get_prompt(session, prompt_id)
    # --8<-- [end:read_prompt]


# --8<-- [start:update_prompt]
@app.patch(
    "/prompts/{prompt_id}",
    response_model=PromptPublic,
    responses=NOT_FOUND | CONFLICT | BAD_BODY,
    tags=["prompts"],
)
def update_prompt(
    prompt_id: PromptId, changes: PromptUpdate, session: SessionDep
) -> Prompt:
    prompt = get_prompt(session, prompt_id)
    # exclude_unset: only the fields the client actually sent.
    prompt.sqlmodel_update(changes.model_dump(exclude_unset=True))
    try:
        return save(session, prompt)
    except StaleDataError:
        # Another request deleted the prompt after we read it: it is gone.
        session.rollback()
        raise not_found(prompt_id) from None
    # --8<-- [end:update_prompt]


# --8<-- [start:delete_prompt]
@app.delete(
    "/prompts/{prompt_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND | CONFLICT,
    tags=["prompts"],
)
def delete_prompt(prompt_id: PromptId, session: SessionDep) -> None:
    # One statement finds and deletes the row, so of two racing deletes only
    # one can remove it; the other learns from the row count that it did not.
    result = session.exec(delete(Prompt).where(col(Prompt.id) == prompt_id))
    session.commit()
    if result.rowcount == 0:
        raise not_found(prompt_id)
    # --8<-- [end:delete_prompt]


# --8<-- [start:render_prompt]
def fill(template: str, variables: dict[str, str]) -> str:
    """The rendered template; a 422 if any placeholder has no value."""
    missing = [n for n in placeholders(template) if n not in variables]
    if missing:
        # The same shape as FastAPI's own validation errors, one entry per name.
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [
                {
                    "type": "missing_variable",
                    "loc": ["body", "variables", name],
                    "msg": f"Missing variable {name!r}",
                }
                for name in missing
            ],
        )
    return render(template, variables)


@app.post(
    "/prompts/{prompt_id}/render",
    responses=NOT_FOUND | BAD_BODY,
    tags=["prompts"],
)
def render_prompt(
    prompt_id: PromptId, request: RenderRequest, session: SessionDep
) -> RenderResponse:
    prompt = get_prompt(session, prompt_id)
    return RenderResponse(text=fill(prompt.template, request.variables))
    # --8<-- [end:render_prompt]


# --8<-- [start:start_run]
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
# --8<-- [end:start_run]


# --8<-- [start:generate]
@app.post(
    "/prompts/{prompt_id}/generate",
    response_model=RunPublic,
    responses=NOT_FOUND | BAD_BODY | PROVIDER_FAILED,
    tags=["generate"],
)
async def generate(run: RunDep, llm: LLMDep) -> Run:
    try:
        completion = await complete(llm, run)
    except APIError as error:
        failure = provider_failure(error)
        await run.finish(RunStatus.failed, error=failure.detail)
        raise failure from None
    run.read_completion(completion)
    return await run.finish(RunStatus.completed)
    # --8<-- [end:generate]


# --8<-- [start:stream]
async def open_stream(
    run: RunDep, llm: LLMDep
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


@app.post(
    "/prompts/{prompt_id}/generate/stream",
    response_class=EventSourceResponse,
    responses=in_json(NOT_FOUND | BAD_BODY | PROVIDER_FAILED),
    tags=["generate"],
)
async def generate_stream(
    run: RunDep,
    stream: Annotated[AsyncStream[ChatCompletionChunk], Depends(open_stream)],
) -> AsyncIterable[ServerSentEvent]:
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
    # --8<-- [end:stream]


# --8<-- [start:runs]
@app.get("/runs", response_model=list[RunPublic], tags=["runs"])
def list_runs(
    session: SessionDep,
    prompt_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    offset: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Sequence[Run]:
    statement = select(Run)
    if prompt_id is not None:
        statement = statement.where(col(Run.prompt_id) == prompt_id)
    newest_first = statement.order_by(col(Run.created_at).desc(), col(Run.id).desc())
    return session.exec(newest_first.offset(offset).limit(limit)).all()


@app.get(
    "/runs/{run_id}", response_model=RunPublic, responses=RUN_NOT_FOUND, tags=["runs"]
)
def read_run(run_id: RunId, session: SessionDep) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise run_not_found(run_id)
    return run
    # --8<-- [end:runs]

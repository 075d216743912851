"""Part 3: the prompt library as a CRUD API, stored in SQLite through SQLModel."""

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, delete, select
from starlette.exceptions import HTTPException as StarletteHTTPException

from .database import create_db_and_tables, get_session
from .models import (
    ErrorMessage,
    Prompt,
    PromptCreate,
    PromptPublic,
    PromptUpdate,
    RenderRequest,
    RenderResponse,
    name_key,
)
from .rendering import placeholders, render

logger = logging.getLogger(__name__)


# --8<-- [start:app]
@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    create_db_and_tables()  # once per worker process, before its first request
    yield


app = FastAPI(
    title="FastAPI for AI Engineers: Part 3, Prompt Library (SQLite)",
    version="3.0.0",
    description=(
        "Part 3 of the tutorial series: a CRUD API for reusable LLM prompt "
        "templates, stored in SQLite through SQLModel (it survives a restart)."
    ),
    lifespan=lifespan,
)
# --8<-- [end:app]

# --8<-- [start:dependencies]
# Dependency aliases: each endpoint says what it needs in one short name.
SessionDep = Annotated[Session, Depends(get_session)]
# Ids are 64-bit in every database later parts use; a larger id cannot exist.
PromptId = Annotated[int, Path(ge=1, le=2**63 - 1)]
# --8<-- [end:dependencies]

# --8<-- [start:errors]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorMessage, "description": "No prompt has this id"}
}
NAME_TAKEN: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorMessage, "description": "Another prompt already has this name"}
}


def not_found(prompt_id: int) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Prompt {prompt_id} not found")


def name_taken(name: str) -> HTTPException:
    return HTTPException(
        status.HTTP_409_CONFLICT, f"A prompt named {name!r} already exists"
    )
    # --8<-- [end:errors]


# --8<-- [start:invalid_request]
@app.exception_handler(RequestValidationError)
async def invalid_request(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    # FastAPI's default handler echoes each bad input back. Python's JSON parser
    # accepts NaN and Infinity, which cannot be written back out as JSON, so the
    # echo itself would fail with a 500. Leave the input out of the answer.
    errors = [{k: v for k, v in e.items() if k != "input"} for e in exc.errors()]
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)
    # --8<-- [end:invalid_request]


# --8<-- [start:http_error]
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
    # --8<-- [end:http_error]


# --8<-- [start:unexpected_error]
@app.exception_handler(Exception)
async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the server log; the client gets JSON and no internals.
    logger.exception("Unhandled error on %s %s", request.method, request.url.path)
    return JSONResponse({"detail": "Internal server error"}, status_code=500)
    # --8<-- [end:unexpected_error]


# --8<-- [start:save]
def save(session: Session, prompt: Prompt) -> Prompt:
    """Write a new or changed prompt; a name already in use becomes a 409."""
    name = prompt.name
    prompt.name_key = name_key(name)
    session.add(prompt)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        # The UNIQUE key decides, even between two requests racing for a name.
        if "UNIQUE constraint failed: prompt.name_key" in str(error.orig):
            raise name_taken(name) from None
        raise  # another constraint failed: a bug in this code, not the client's
    return prompt
    # --8<-- [end:save]


# --8<-- [start:create_prompt]
@app.post(
    "/prompts",
    status_code=status.HTTP_201_CREATED,
    response_model=PromptPublic,
    responses=NAME_TAKEN,
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
    responses=NOT_FOUND | NAME_TAKEN,
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
    responses=NOT_FOUND,
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
@app.post("/prompts/{prompt_id}/render", responses=NOT_FOUND, tags=["prompts"])
def render_prompt(
    prompt_id: PromptId, request: RenderRequest, session: SessionDep
) -> RenderResponse:
    prompt = get_prompt(session, prompt_id)
    missing = [n for n in placeholders(prompt.template) if n not in request.variables]
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
    return RenderResponse(text=render(prompt.template, request.variables))
    # --8<-- [end:render_prompt]

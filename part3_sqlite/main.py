"""Part 3: the prompt library as a CRUD API, stored in SQLite through SQLModel."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Path, Query, status
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, delete, select

from .database import create_db_and_tables, get_session
from .errors import (
    BAD_BODY,
    NAME_TAKEN,
    NOT_FOUND,
    name_taken,
    not_found,
    register_error_handlers,
)
from .models import (
    LARGEST_ID,
    Prompt,
    PromptCreate,
    PromptPublic,
    PromptUpdate,
    RenderRequest,
    RenderResponse,
    name_key,
)
from .rendering import placeholders, render


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
register_error_handlers(app)  # errors.py: every failure answered in JSON
# Dependency aliases: each endpoint says what it needs in one short name.
SessionDep = Annotated[Session, Depends(get_session)]
PromptId = Annotated[int, Path(ge=1, le=LARGEST_ID)]


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


@app.post(
    "/prompts",
    status_code=status.HTTP_201_CREATED,
    response_model=PromptPublic,
    responses=NAME_TAKEN | BAD_BODY,
    tags=["prompts"],
)
def create_prompt(prompt: PromptCreate, session: SessionDep) -> Prompt:
    return save(session, Prompt.model_validate(prompt))


@app.get("/prompts", response_model=list[PromptPublic], tags=["prompts"])
def list_prompts(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=LARGEST_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Sequence[Prompt]:
    statement = select(Prompt).order_by(col(Prompt.id)).offset(offset).limit(limit)
    return session.exec(statement).all()


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


@app.patch(
    "/prompts/{prompt_id}",
    response_model=PromptPublic,
    responses=NOT_FOUND | NAME_TAKEN | BAD_BODY,
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


@app.post(
    "/prompts/{prompt_id}/render",
    responses=NOT_FOUND | BAD_BODY,
    tags=["prompts"],
)
def render_prompt(
    prompt_id: PromptId, body: RenderRequest, session: SessionDep
) -> RenderResponse:
    prompt = get_prompt(session, prompt_id)
    missing = [n for n in placeholders(prompt.template) if n not in body.variables]
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
    return RenderResponse(text=render(prompt.template, body.variables))
